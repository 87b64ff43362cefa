#include "trainer/checkpoint_validation.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "trainer/atomic_file.h"
#include "trainer/chamfer.h"
#include "trainer/chamfer_report.h"
#include "trainer/checkpoint.h"
#include "trainer/error_text.h"
#include "trainer/inference.h"
#include "trainer/prediction.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

// IoU of the predicted silhouettes (V,S,S) and masks (V,S,S), both cut at 0.5, averaged over views. A view where
// both are empty counts as a perfect match.
double mean_silhouette_iou(const at::Tensor& predicted, const at::Tensor& masks) {
  const at::Tensor p = predicted.to(torch::kCPU) > 0.5, g = masks > 0.5;
  const at::Tensor inter = (p & g).sum({1, 2}).to(torch::kFloat64), uni = (p | g).sum({1, 2}).to(torch::kFloat64);
  return torch::where(uni > 0, inter / uni.clamp_min(1), torch::ones_like(uni)).mean().item<double>();
}

std::vector<int> evenly_spaced_views(int wanted, int available) {
  std::vector<int> views;
  const int n = std::clamp(wanted, 1, available);
  for (int k = 0; k < n; ++k) views.push_back(k * available / n);
  return views;
}

// Mean over classes of the per-class means of `values` (class -> values).
double mean_of_class_means(const std::map<std::string, std::vector<double>>& values) {
  double sum = 0;
  int classes = 0;
  for (const auto& [c, v] : values) {
    if (v.empty()) continue;
    double s = 0;
    for (double x : v) s += x;
    sum += s / static_cast<double>(v.size());
    ++classes;
  }
  return classes == 0 ? -1 : sum / classes;
}

}  // namespace

std::string ValidationScore::to_json() const {
  nlohmann::json j;
  j["checkpoint"] = fs::path(checkpoint).filename().string();
  j["step"] = step;
  j["method"] = method;
  j["split"] = split;
  j["data"] = data_root;
  j["objects_per_class"] = objects_per_class;
  j["views"] = views;
  j["chamfer_points"] = chamfer_points;
  j["objects"] = objects;
  j["silhouette_iou"] = silhouette_iou < 0 ? nlohmann::json() : nlohmann::json(silhouette_iou);
  j["chamfer_objects"] = chamfer_objects;
  j["chamfer"] = chamfer < 0 ? nlohmann::json() : nlohmann::json(chamfer);
  j["seconds"] = seconds;
  j["problems"] = problems;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

ValidationScore ValidationScore::from_json(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    ValidationScore s;
    s.checkpoint = j.at("checkpoint").get<std::string>();
    s.step = j.at("step").get<int64_t>();
    s.method = j.value("method", "");
    s.split = j.value("split", "val");
    s.data_root = j.value("data", "");
    s.objects_per_class = j.value("objects_per_class", 0);
    s.views = j.value("views", 0);
    s.chamfer_points = j.value("chamfer_points", 0);
    s.objects = j.value("objects", 0);
    s.silhouette_iou = j.at("silhouette_iou").is_null() ? -1 : j.at("silhouette_iou").get<double>();
    s.chamfer_objects = j.value("chamfer_objects", 0);
    s.chamfer = j.at("chamfer").is_null() ? -1 : j.at("chamfer").get<double>();
    s.seconds = j.value("seconds", 0.0);
    s.problems = j.value("problems", std::vector<std::string>{});
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("not a validation score: ") + e.what());
  }
}

ValidationScore validate_checkpoint(const std::string& checkpoint, const ValidationOptions& options) {
  if (!options.dataset) throw std::runtime_error("validation: no dataset given");
  if (options.objects_per_class < 1 || options.views < 1 || options.chamfer_points < 1)
    throw std::invalid_argument("validation: objects per class, views and chamfer points must be >= 1");
  const auto started = std::chrono::steady_clock::now();
  const Dataset& dataset = *options.dataset;
  const DatasetIndex& index = dataset.split(options.split);

  std::vector<NmrObject> objects;
  std::map<std::string, int> taken;
  for (const auto& o : index.objects)
    if (taken[o.class_id]++ < options.objects_per_class) objects.push_back(o);
  if (objects.empty())
    throw std::runtime_error("validation: the " + options.split + " split of " + dataset.describe() +
                             " holds no object (its softras_" + options.split + ".lst files are empty or missing)");

  InferenceModel model(checkpoint, options.device);
  ValidationScore score;
  score.checkpoint = checkpoint;
  score.step = model.step();
  score.method = model.config().model.method;
  score.split = options.split;
  score.data_root = dataset.describe();
  score.objects_per_class = options.objects_per_class;
  score.chamfer_points = options.chamfer_points;
  const std::vector<int> views = evenly_spaced_views(options.views, index.views_per_object);
  score.views = static_cast<int>(views.size());
  const int size = model.config().data.image_size;

  std::map<std::string, std::vector<double>> ious, chamfers;
  const int total = static_cast<int>(objects.size());
  for (int k = 0; k < total; ++k) {
    if (options.cancel && options.cancel->load()) {
      score.problems.push_back("cancelled after " + std::to_string(k) + " of " + std::to_string(total) + " objects");
      break;
    }
    const NmrObject& object = objects[k];
    try {
      std::vector<at::Tensor> mats, focals, masks;
      at::Tensor input;
      for (int v : views) {
        const ViewData view = load_view(object, v, size);
        if (v == 0) input = view.image;  // evenly_spaced_views always starts at view 0
        mats.push_back(view.world_mat);
        focals.push_back(view.camera_mat[0][0].reshape({1}));
        masks.push_back(view.mask.squeeze(0));
      }
      const Prediction prediction = model.predict(input.unsqueeze(0)).prediction;
      const RenderedViews rendered = model.render(prediction, torch::stack(mats), torch::cat(focals), size);
      ious[object.class_id].push_back(mean_silhouette_iou(rendered.silhouettes, torch::stack(masks)));
      ++score.objects;

      PointCloud gt;
      try {
        gt = load_pointcloud(object);
      } catch (const std::exception& e) {
        score.problems.push_back(object.path + ": no chamfer (" + error_text(e) + ")");
      }
      if (gt.points.defined() && gt.points.size(0) > 0) {
        const Prediction cpu = prediction.to_cpu();
        const bool empty = cpu.kind == PredictionKind::PointCloud ? cpu.vertices.size(1) == 0 : cpu.mesh(0).faces.size(0) == 0;
        double d = std::sqrt(3.0);  // an empty prediction: DVR's rule, as in `dibr chamfer`
        if (!empty) {
          const at::Tensor pred = sample_prediction_points(
              cpu, 0, options.chamfer_points, chamfer_sample_seed(options.seed, object.class_id, object.object_id, 1));
          const at::Tensor ref = subsample_points(
              gt.points, options.chamfer_points, chamfer_sample_seed(options.seed, object.class_id, object.object_id, 2));
          d = chamfer_distance(pred, ref).chamfer;
        }
        chamfers[object.class_id].push_back(d);
        ++score.chamfer_objects;
      }
    } catch (const std::exception& e) {
      score.problems.push_back(object.path + ": " + error_text(e));
    }
    if (options.progress) options.progress(k + 1, total);
  }
  score.silhouette_iou = mean_of_class_means(ious);
  score.chamfer = mean_of_class_means(chamfers);
  score.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return score;
}

std::string validation_file(const std::string& checkpoint) { return checkpoint + ".val.json"; }

void save_validation(const ValidationScore& score) {
  write_file_atomically(validation_file(score.checkpoint), score.to_json());
}

std::optional<ValidationScore> load_validation(const CheckpointInfo& checkpoint) {
  auto read = [&](const std::string& ckpt) -> std::optional<ValidationScore> {
    std::ifstream in(validation_file(ckpt));
    if (!in) return std::nullopt;
    try {
      ValidationScore s = ValidationScore::from_json(std::string(std::istreambuf_iterator<char>(in), {}));
      if (s.step != checkpoint.step) return std::nullopt;
      s.checkpoint = ckpt;
      return s;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  };
  if (auto own = read(checkpoint.path)) return own;
  const fs::path file(checkpoint.path);
  if (file.filename() == "latest.pt")
    return read((file.parent_path() / ("step_" + std::to_string(checkpoint.step) + ".pt")).string());
  return std::nullopt;
}

int best_validation(const std::vector<std::optional<ValidationScore>>& scores) {
  bool all_chamfer = true, any = false;
  for (const auto& s : scores)
    if (s) {
      any = true;
      all_chamfer = all_chamfer && s->chamfer >= 0;
    }
  if (!any) return -1;
  int best = -1;
  for (size_t i = 0; i < scores.size(); ++i) {
    const auto& s = scores[i];
    if (!s || (!all_chamfer && s->silhouette_iou < 0)) continue;
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const auto& b = *scores[best];
    if (all_chamfer ? s->chamfer < b.chamfer : s->silhouette_iou > b.silhouette_iou) best = static_cast<int>(i);
  }
  return best;
}

bool same_validation_settings(const ValidationScore& score, const ValidationOptions& options) {
  return options.dataset && score.data_root == options.dataset->describe() && score.split == options.split &&
         score.objects_per_class == options.objects_per_class &&
         score.views == std::clamp(options.views, 1, options.dataset->split(options.split).views_per_object) &&
         score.chamfer_points == options.chamfer_points;
}

std::vector<CheckpointInfo> checkpoint_steps(const std::string& run_dir) {
  std::vector<CheckpointInfo> listed = list_checkpoints(run_dir), rows;
  std::stable_sort(listed.begin(), listed.end(), [](const CheckpointInfo& a, const CheckpointInfo& b) { return a.step < b.step; });
  for (auto& c : listed) {
    const bool is_latest = fs::path(c.path).filename() == "latest.pt";
    if (!rows.empty() && rows.back().step == c.step) {
      if (!is_latest) rows.back() = std::move(c);
      continue;
    }
    rows.push_back(std::move(c));
  }
  return rows;
}

namespace {

int best_row(const std::vector<ValidationRow>& rows) {
  std::vector<std::optional<ValidationScore>> scores;
  for (const auto& r : rows) scores.push_back(r.score);
  return best_validation(scores);
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string validation_table(const std::vector<ValidationRow>& rows) {
  const int best = best_row(rows);
  std::ostringstream md;
  md << "| step | file | train loss | val IoU | val chamfer ×100 | |\n|---:|---|---:|---:|---:|---|\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    md << "| " << r.checkpoint.step << " | " << fs::path(r.checkpoint.path).filename().string() << " | "
       << fixed(r.checkpoint.loss, 4) << " | ";
    if (!r.score) {
      md << "— | — | not scored |\n";
      continue;
    }
    md << (r.score->silhouette_iou < 0 ? std::string("—") : fixed(r.score->silhouette_iou, 4)) << " | "
       << (r.score->chamfer < 0 ? std::string("—") : fixed(100 * r.score->chamfer, 3)) << " | "
       << (static_cast<int>(i) == best ? "**best**" : "") << " |\n";
  }
  return md.str();
}

std::string validation_csv(const std::vector<ValidationRow>& rows) {
  const int best = best_row(rows);
  std::ostringstream csv;
  csv << "step,file,train_loss,val_iou,val_chamfer,best\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    csv << r.checkpoint.step << "," << fs::path(r.checkpoint.path).filename().string() << "," << fixed(r.checkpoint.loss, 8) << ",";
    if (r.score && r.score->silhouette_iou >= 0) csv << fixed(r.score->silhouette_iou, 6);
    csv << ",";
    if (r.score && r.score->chamfer >= 0) csv << fixed(r.score->chamfer, 8);
    csv << "," << (static_cast<int>(i) == best ? 1 : 0) << "\n";
  }
  return csv.str();
}

}  // namespace dibr
