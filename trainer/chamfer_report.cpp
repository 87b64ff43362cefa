#include "trainer/chamfer_report.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "render/mesh_ops.h"
#include "trainer/chamfer.h"
#include "trainer/dataset.h"
#include "trainer/obj_io.h"
#include "trainer/ply_io.h"
#include "trainer/prediction.h"
#include "trainer/voxel_iou.h"
#include "trainer/error_text.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

constexpr int kDvrPoints = 100000;

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

std::vector<std::string> subfolders(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) throw std::runtime_error("chamfer report: cannot create " + path);
  out << text;
  if (!out) throw std::runtime_error("chamfer report: write error on " + path);
}

}  // namespace

uint64_t chamfer_sample_seed(uint64_t seed, const std::string& class_id, const std::string& object_id, uint64_t salt) {
  uint64_t h = 1469598103934665603ull ^ (seed * 0x9e3779b97f4a7c15ull) ^ salt;  // FNV-1a over the name
  for (char c : class_id + "/" + object_id) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

std::string ChamferReport::markdown() const {
  std::ostringstream md;
  const bool floors = mean_floor >= 0;
  md << "| class | objects | chamfer ×100 |";
  if (floors) md << " sampling floor ×100 |";
  for (double t : kFscoreThresholds) md << " F@" << fixed(t, 2) << " ×100 |";
  if (has_voxels) md << " voxel IoU |";
  md << "\n|---|---:|---:|";
  if (floors) md << "---:|";
  for (size_t i = 0; i < kFscoreThresholds.size(); ++i) md << "---:|";
  if (has_voxels) md << "---:|";
  md << "\n";
  auto iou_cell = [](double v, bool cloud) {
    return cloud ? std::string(" n/a (points) |") : v < 0 ? std::string(" — |") : " " + fixed(v, 4) + " |";
  };
  auto floor_cell = [](double v) { return v < 0 ? std::string(" — |") : " " + fixed(100 * v, 3) + " |"; };
  std::array<double, 5> mean_f{};
  for (const auto& c : classes) {
    md << "| " << c.class_id << " | " << c.objects << " | " << fixed(100 * c.chamfer, 3) << " |";
    if (floors) md << floor_cell(c.floor);
    for (size_t i = 0; i < c.fscore.size(); ++i) {
      md << " " << fixed(100 * c.fscore[i], 2) << " |";
      mean_f[i] += c.fscore[i] / static_cast<double>(classes.size());
    }
    if (has_voxels) md << iou_cell(c.voxel_iou, c.cloud_objects == c.objects);
    md << "\n";
  }
  size_t total = objects.size();
  md << "| **mean of classes** | " << total << " | " << fixed(100 * mean_of_class_means, 3) << " |";
  if (floors) md << floor_cell(mean_floor);
  for (double f : mean_f) md << " " << fixed(100 * f, 2) << " |";
  if (has_voxels) md << iou_cell(mean_voxel_iou, clouds && mean_voxel_iou < 0);
  md << "\n";
  if (clouds)
    md << "\nPoint-cloud predictions: up to " << points_scored
       << " points scored per object. The sampling floor is what a perfect prediction with that many points scores "
          "under this protocol. Voxel IoU needs a surface and does not apply to point clouds.\n";
  if (!problems.empty()) {
    md << "\n" << problems.size() << " problem(s):\n";
    for (const auto& p : problems) md << "- " << p << "\n";
  }
  return md.str();
}

void ChamferReport::save(const std::string& prefix) const {
  const auto parent = fs::path(prefix).parent_path();
  if (!parent.empty()) fs::create_directories(parent);
  write_text(prefix + ".md", markdown());

  std::ostringstream csv;
  csv << "kind,class,object,objects,chamfer,pred_to_gt,gt_to_pred";
  for (double t : kFscoreThresholds) csv << ",f@" << fixed(t, 2);
  csv << ",voxel_iou,prediction,points,sampling_floor\n";
  auto iou_text = [](double v) { return v < 0 ? std::string() : fixed(v, 6); };
  for (const auto& o : objects) {
    csv << "object," << o.class_id << "," << o.object_id << ",1," << fixed(o.chamfer, 8) << ","
        << fixed(o.pred_to_gt, 8) << "," << fixed(o.gt_to_pred, 8);
    for (double f : o.fscore) csv << "," << fixed(f, 6);
    csv << "," << (o.cloud ? std::string("n/a") : iou_text(o.voxel_iou)) << "," << (o.cloud ? "point cloud" : "mesh")
        << "," << o.pred_points << "," << iou_text(o.floor) << "\n";
  }
  for (const auto& c : classes) {
    csv << "class," << c.class_id << ",," << c.objects << "," << fixed(c.chamfer, 8) << ",,";
    for (double f : c.fscore) csv << "," << fixed(f, 6);
    csv << "," << (c.cloud_objects == c.objects ? std::string("n/a") : iou_text(c.voxel_iou)) << ","
        << (c.cloud_objects == c.objects ? "point cloud" : c.cloud_objects == 0 ? "mesh" : "mixed") << ",,"
        << iou_text(c.floor) << "\n";
  }
  write_text(prefix + ".csv", csv.str());

  nlohmann::json j;
  j["mean_of_class_means"] = mean_of_class_means;
  j["fscore_thresholds"] = kFscoreThresholds;
  auto iou_json = [](double v) { return v < 0 ? nlohmann::json() : nlohmann::json(v); };
  if (has_voxels) j["mean_voxel_iou"] = iou_json(mean_voxel_iou);
  j["point_clouds"] = clouds;
  j["points_scored"] = points_scored;
  j["mean_sampling_floor"] = iou_json(mean_floor);
  j["classes"] = nlohmann::json::array();
  for (const auto& c : classes)
    j["classes"].push_back({{"class", c.class_id}, {"objects", c.objects}, {"chamfer", c.chamfer}, {"fscore", c.fscore},
                            {"voxel_iou", c.cloud_objects == c.objects ? nlohmann::json("n/a") : iou_json(c.voxel_iou)},
                            {"sampling_floor", iou_json(c.floor)}});
  j["objects"] = nlohmann::json::array();
  for (const auto& o : objects)
    j["objects"].push_back({{"class", o.class_id}, {"object", o.object_id}, {"chamfer", o.chamfer},
                            {"pred_to_gt", o.pred_to_gt}, {"gt_to_pred", o.gt_to_pred}, {"fscore", o.fscore},
                            {"voxel_iou", o.cloud ? nlohmann::json("n/a") : iou_json(o.voxel_iou)},
                            {"prediction", o.cloud ? "point cloud" : "mesh"}, {"points", o.pred_points},
                            {"sampling_floor", iou_json(o.floor)}, {"empty", o.empty}});
  j["problems"] = problems;
  write_text(prefix + ".json", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

ChamferReport run_chamfer_report(const ChamferReportOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(options.predictions_dir, ec))
    throw std::runtime_error("chamfer report: predictions folder does not exist: " + options.predictions_dir);
  const int64_t count = options.dvr_protocol ? kDvrPoints : options.num_points;
  if (count < 1) throw std::invalid_argument("chamfer report: num_points must be >= 1");

  if (!options.dataset) throw std::runtime_error("chamfer report: no dataset given");
  const Dataset& dataset = *options.dataset;
  ChamferReport report;
  const auto& data_classes = dataset.classes;
  std::vector<std::string> classes;
  for (const auto& c : options.classes.empty() ? subfolders(options.predictions_dir) : options.classes) {
    if (std::find(data_classes.begin(), data_classes.end(), c) == data_classes.end())
      report.problems.push_back((fs::path(dataset.root) / c).string() + ": class not found in the data root");
    else
      classes.push_back(c);
  }
  if (classes.empty()) {
    if (report.problems.empty()) report.problems.push_back(options.predictions_dir + ": no class folders");
    return report;
  }
  const DatasetIndex index = dataset.with_classes(classes).split(options.split);
  for (const auto& p : index.problems) report.problems.push_back(p.path + ": " + p.message);

  // Kato's voxels, one file per class, rows in split-list order.
  struct ClassVoxels {
    at::Tensor grids;
    std::map<std::string, int64_t> rows;
  };
  std::map<std::string, ClassVoxels> voxels;
  report.has_voxels = !options.voxels_dir.empty();
  if (report.has_voxels) {
    for (const auto& c : classes) {
      try {
        ClassVoxels v{read_kato_voxels(options.voxels_dir, c, options.split),
                      split_list_rows(dataset.root, c, options.split)};
        if (v.grids.size(0) != static_cast<int64_t>(v.rows.size()))
          throw std::runtime_error("the voxel file of " + c + " holds " + std::to_string(v.grids.size(0)) +
                                   " objects but softras_" + options.split + ".lst lists " +
                                   std::to_string(v.rows.size()) + " (they must match line by line)");
        voxels.emplace(c, std::move(v));
      } catch (const std::exception& e) {
        report.problems.push_back(error_text(e) + "; no voxel IoU for class " + c);
      }
    }
  }

  const int total = static_cast<int>(index.objects.size());
  int done = 0;
  for (const auto& object : index.objects) {
    if (options.cancel && options.cancel->load()) {
      report.problems.push_back("cancelled after " + std::to_string(done) + " of " + std::to_string(total) + " objects");
      break;
    }
    const fs::path stem = fs::path(options.predictions_dir) / object.class_id / (object.object_id + "_0");
    const bool is_cloud = !fs::is_regular_file(stem.string() + ".obj", ec) && fs::is_regular_file(stem.string() + ".ply", ec);
    const std::string pred_file = stem.string() + (is_cloud ? ".ply" : ".obj");
    if (!fs::is_regular_file(pred_file, ec)) {
      report.problems.push_back(pred_file + ": missing prediction");
    } else {
      try {
        const uint64_t pred_seed = chamfer_sample_seed(options.seed, object.class_id, object.object_id, 1);
        at::Tensor pred;
        ObjMesh mesh;  // read once: sampled here, voxelised below
        bool empty = false;
        if (is_cloud) {
          pred = read_ply_points(pred_file).points;
          empty = pred.size(0) == 0;
          if (!empty) pred = subsample_points(pred, count, pred_seed);
        } else {
          mesh = read_obj(pred_file);
          empty = mesh.faces.size(0) == 0;
          if (!empty) pred = sample_surface_points(mesh.vertices, mesh.faces, count, pred_seed);
        }
        ChamferRow row{object.class_id, object.object_id};
        row.cloud = is_cloud;
        if (empty) {
          // An implicit field can be empty everywhere: dropping it would flatter the mean, so it gets the worst
          // distance inside the unit cube, as DVR's (Occupancy Networks') eval does.
          row.chamfer = row.pred_to_gt = row.gt_to_pred = std::sqrt(3.0);
          row.empty = true;
          report.problems.push_back(pred_file + ": empty prediction, scored sqrt(3) per direction (DVR's rule)");
        } else {
          at::Tensor gt_cloud;
          try {
            gt_cloud = load_pointcloud(object).points;
          } catch (const std::exception& e) {
            throw std::runtime_error(std::string("ground truth: ") + error_text(e));
          }
          const at::Tensor gt = subsample_points(gt_cloud, count, chamfer_sample_seed(options.seed, object.class_id, object.object_id, 2));
          const auto r = chamfer_distance(pred, gt);
          row.chamfer = r.chamfer;
          row.pred_to_gt = r.pred_to_gt;
          row.gt_to_pred = r.gt_to_pred;
          row.fscore = r.fscore;
          row.pred_points = pred.size(0);
          if (options.sampling_floor) {
            const at::Tensor perfect = subsample_points(gt_cloud, pred.size(0),
                                                        chamfer_sample_seed(options.seed, object.class_id, object.object_id, 3));
            row.floor = chamfer_distance(perfect, gt).chamfer;
          }
        }
        report.objects.push_back(row);
        const auto v = voxels.find(object.class_id);
        if (v != voxels.end() && !is_cloud)
          report.objects.back().voxel_iou =
              empty ? 0.0 : voxel_iou(voxelize_kato(mesh.vertices, mesh.faces), v->second.grids[v->second.rows.at(object.object_id)]);
      } catch (const std::exception& e) {
        report.problems.push_back(pred_file + ": " + error_text(e));
      }
    }
    ++done;
    if (options.progress) options.progress(done, total);
  }

  std::map<std::string, ChamferClassRow> rows;
  std::map<std::string, int> floor_objects;  // empty predictions have no floor
  for (const auto& o : report.objects) {
    auto& row = rows[o.class_id];
    row.class_id = o.class_id;
    ++row.objects;
    row.chamfer += o.chamfer;
    for (size_t i = 0; i < o.fscore.size(); ++i) row.fscore[i] += o.fscore[i];
    row.cloud_objects += o.cloud ? 1 : 0;
    if (o.floor >= 0) {
      row.floor = (row.floor < 0 ? 0.0 : row.floor) + o.floor;
      ++floor_objects[o.class_id];
    }
    report.clouds = report.clouds || o.cloud;
    report.points_scored = std::max(report.points_scored, o.pred_points);
    if (o.voxel_iou >= 0) {
      row.voxel_iou = (row.voxel_objects == 0 ? 0.0 : row.voxel_iou) + o.voxel_iou;
      ++row.voxel_objects;
    }
  }
  int voxel_classes = 0;
  for (auto& [id, row] : rows) {
    row.chamfer /= row.objects;
    if (row.floor >= 0) {
      row.floor /= floor_objects[id];
      report.mean_floor = (report.mean_floor < 0 ? 0.0 : report.mean_floor) + row.floor / static_cast<double>(rows.size());
    }
    for (auto& f : row.fscore) f /= row.objects;
    report.mean_of_class_means += row.chamfer / static_cast<double>(rows.size());
    if (row.voxel_objects > 0) {
      row.voxel_iou /= row.voxel_objects;
      report.mean_voxel_iou = (voxel_classes++ == 0 ? 0.0 : report.mean_voxel_iou) + row.voxel_iou;
    }
    report.classes.push_back(row);
  }
  if (voxel_classes > 0) report.mean_voxel_iou /= voxel_classes;
  return report;
}

}  // namespace dibr
