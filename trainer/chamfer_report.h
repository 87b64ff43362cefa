#pragma once
// `dibr chamfer`: evaluates predictions written by `dibr eval` (<id>_0.obj meshes or <id>_0.ply point clouds)
// against GT point clouds.
#include <array>
#include <cstdint>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainer/dataset.h"

namespace dibr {

struct ChamferReportOptions {
  std::string predictions_dir;  // <dir>/<class>/<id>_0.obj or <id>_0.ply
  std::shared_ptr<const Dataset> dataset;  // open_dataset()
  std::vector<std::string> classes;  // empty = all classes found in predictions_dir
  std::string split = "test";
  int num_points = 2500;        // reference protocol; dvr_protocol uses 100000
  bool dvr_protocol = false;
  uint64_t seed = 0;
  // Kato's voxel IoU as well (voxel_iou.h): a folder with <class>_<split>_voxels.npz (or <class>/<class>_...), or
  // empty for none. Meshes only; a class without its voxel file is a problem, not a silent gap.
  std::string voxels_dir;
  // Also the metric's sampling floor per object: the chamfer between two independent samples of the GT cloud, one
  // the size of the prediction's sample, one the GT's, i.e. what a perfect prediction of that many points scores.
  bool sampling_floor = false;
  std::function<void(int done, int total)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct ChamferRow {
  std::string class_id, object_id;
  double chamfer = 0, pred_to_gt = 0, gt_to_pred = 0;  // unscaled
  std::array<double, 5> fscore{};
  double voxel_iou = -1;  // -1 when not measured
  bool cloud = false;          // the prediction is a point cloud (voxel IoU does not apply)
  int64_t pred_points = 0;     // points of the prediction that were scored
  double floor = -1;           // sampling floor (ChamferReportOptions::sampling_floor), unscaled; -1 when not measured
  bool empty = false;          // nothing to sample (a mesh without faces, a cloud without points): scored as DVR's
                               // eval scores it, the unit cube's diagonal sqrt(3) in each direction, F-scores 0
};
struct ChamferClassRow {
  std::string class_id;
  int objects = 0;
  double chamfer = 0;  // mean over objects, unscaled
  std::array<double, 5> fscore{};
  int voxel_objects = 0;  // objects with a voxel IoU
  double voxel_iou = -1;  // their mean, -1 when none
  int cloud_objects = 0;  // objects predicted as point clouds
  double floor = -1;      // mean sampling floor, -1 when not measured
};
struct ChamferReport {
  std::vector<ChamferRow> objects;
  std::vector<ChamferClassRow> classes;
  double mean_of_class_means = 0;  // unscaled
  bool has_voxels = false;         // voxel IoU was asked for
  double mean_voxel_iou = -1;      // mean of the classes' voxel IoU, -1 when none
  bool clouds = false;             // some prediction is a point cloud: voxel IoU cells say "n/a (points)"
  int64_t points_scored = 0;       // the largest number of predicted points scored for an object
  double mean_floor = -1;          // mean of the classes' sampling floors, -1 when not measured
  std::vector<std::string> problems;  // missing predictions or GT, with the path
  std::string markdown() const;       // table ×100 as in the paper
  // Writes <prefix>.md, <prefix>.csv, <prefix>.json.
  void save(const std::string& prefix) const;
};

ChamferReport run_chamfer_report(const ChamferReportOptions& options);

// The seed of an object's point sampling: it depends only on the run seed, the object's name and a salt (1: the
// prediction, 2: the GT, 3: the sampling floor), so scores do not depend on the order objects are visited.
uint64_t chamfer_sample_seed(uint64_t seed, const std::string& class_id, const std::string& object_id, uint64_t salt);

}  // namespace dibr
