#pragma once
// `dibr compare`: several runs (any methods) evaluated on the same objects and scored by the same protocols, in one
// report (Markdown, CSV, JSON) with a row per run and class, plus a picture grid of their predictions.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainer/chamfer_report.h"
#include "trainer/dataset.h"

namespace dibr {

struct CompareOptions {
  std::vector<std::string> runs;  // run folders (their latest.pt, else newest step_N.pt) or checkpoint files
  std::shared_ptr<const Dataset> dataset;  // open_dataset(); every run is scored on its split
  std::vector<std::string> classes;        // empty = the dataset's
  std::string split = "test";
  std::string out_dir;                     // compare.md/.csv/.json, compare_grid.png, runs/<n>_<method>/...
  std::string voxels_dir;                  // Kato's voxel IoU as well (chamfer_report.h), or empty
  std::string device = "cpu";
  int grid_objects = 6;                    // rows of the grid: the first test object of each class, then more
  uint64_t seed = 0;                       // point sampling
  std::function<void(const std::string& stage)> stage;  // "nmr (runs/nmr-quick): eval" ...
  const std::atomic<bool>* cancel = nullptr;
};

struct CompareRun {
  std::string source;      // as given
  std::string label;       // "<method> · <folder>", unique in the report
  std::string method, checkpoint;
  int64_t step = 0;
  int64_t parameters = 0;
  double steps_per_second = -1;  // from the run's metrics.csv (last step / its seconds), -1 when unknown
  std::string prediction;        // "mesh", "point cloud" or "implicit field" (to_string(PredictionKind))
  int64_t points = 0;            // a point method's N (points per prediction), 0 for surfaces
  std::string predictions_dir;   // its eval output
  ChamferReport reference;       // 2500 points (the DIB-R protocol), with its sampling floor
  ChamferReport dvr;             // 100k points (DVR's Chamfer-L1)
  ChamferReport matched;         // every run at the point methods' N (CompareReport::matched_points), with floors
};

struct CompareReport {
  std::string split;
  std::vector<CompareRun> runs;
  // When some run predicts point clouds: the smallest N among them, at which every run (meshes sampled on their
  // surface) and the GT are also scored so that rows share one sampling floor (seed_methods.md §5); else 0.
  int64_t matched_points = 0;
  std::vector<std::string> problems;
  std::string markdown() const;
  // Writes <dir>/compare.md, .csv and .json (the grid is written by run_compare).
  void save(const std::string& dir) const;
};

// "<method> · <folder>": how reports and the studio tell runs apart.
std::string run_label(const std::string& method, const std::string& run_dir);
// The method a run folder trains: its config.json's model.method, else its newest checkpoint's; "" when neither
// can be read.
std::string run_method(const std::string& run_dir);

// Throws std::runtime_error when a run has no readable checkpoint, no run is given or the output folder cannot be
// written; objects that fail are problems of that run's chamfer reports.
CompareReport run_compare(const CompareOptions& options);

}  // namespace dibr
