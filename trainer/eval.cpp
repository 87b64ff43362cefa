#include "trainer/eval.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "trainer/dataset.h"
#include "trainer/image_io.h"
#include "trainer/inference.h"
#include "trainer/mesh_export.h"
#include "trainer/prediction.h"
#include "trainer/error_text.h"

namespace dibr {
namespace {

namespace fs = std::filesystem;

struct LoadedView {
  const NmrObject* object;
  ViewData view;
};

// [input | predicted render | predicted silhouette], (S,3S,3) float in [0,1].
at::Tensor preview_strip(const at::Tensor& input, const at::Tensor& render, const at::Tensor& silhouette) {
  const auto hwc = [](const at::Tensor& chw) { return chw.permute({1, 2, 0}); };
  const at::Tensor mask = silhouette.unsqueeze(-1).expand({-1, -1, 3});
  return torch::cat({hwc(input), hwc(render), mask}, 1).clamp(0, 1).contiguous();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("run_eval: could not write '" + path.string() + "'");
}

}  // namespace

EvalSummary run_eval(const EvalOptions& options) {
  if (options.out_dir.empty()) throw std::runtime_error("run_eval: no output folder given (out_dir)");
  if (options.batch < 1) throw std::runtime_error("run_eval: batch must be >= 1");
  if (!options.dataset) throw std::runtime_error("run_eval: no dataset given");
  const Dataset dataset = options.dataset->with_classes(options.classes);
  const DatasetIndex& index = dataset.split(options.split);
  const std::string root = dataset.root;

  EvalSummary summary;
  summary.total = static_cast<int>(index.objects.size());
  for (const auto& p : index.problems) summary.problems.push_back(p.path + ": " + p.message);

  InferenceModel model(options.checkpoint, options.device, options.overrides);
  const int size = model.config().data.image_size;
  fs::create_directories(options.out_dir);

  const int total = summary.total;
  int done = 0;
  if (options.progress) options.progress(0, total);
  for (int begin = 0; begin < total; begin += options.batch) {
    if (options.cancel && options.cancel->load()) {
      summary.cancelled = true;
      break;
    }
    const int end = std::min(total, begin + options.batch);
    std::vector<LoadedView> views;
    for (int i = begin; i < end; ++i) {
      const NmrObject& object = index.objects[i];
      try {
        views.push_back({&object, load_view(object, 0, size)});
      } catch (const std::exception& e) {
        summary.problems.push_back(object.path + ": view 0 could not be loaded: " + error_text(e));
      }
    }
    if (!views.empty()) {
      std::vector<at::Tensor> images, world_mats, focals;
      for (const auto& v : views) {
        images.push_back(v.view.image);
        world_mats.push_back(v.view.world_mat);
        focals.push_back(v.view.camera_mat[0][0]);
      }
      InferenceResult pred;
      {
        torch::NoGradGuard no_grad;
        pred = model.predict(torch::stack(images), torch::stack(world_mats), torch::stack(focals));
      }
      const Prediction prediction = pred.prediction.to_cpu();
      const bool has_render = pred.silhouettes.defined();
      const at::Tensor silhouettes = has_render ? pred.silhouettes.to(torch::kCPU, torch::kFloat) : at::Tensor();
      // Methods without colour (most point methods) show their silhouette in the render column, grey on white.
      const at::Tensor renders = !has_render          ? at::Tensor()
                                 : pred.renders.defined() ? pred.renders.to(torch::kCPU, torch::kFloat)
                                                          : (1 - 0.4 * silhouettes).unsqueeze(1).expand({-1, 3, -1, -1});

      for (size_t i = 0; i < views.size(); ++i) {
        const NmrObject& object = *views[i].object;
        const fs::path stem = fs::path(options.out_dir) / object.class_id / (object.object_id + "_0");
        const std::string obj_path = stem.string() + export_extension(prediction.kind);
        try {
          fs::create_directories(stem.parent_path());
          ExportOptions how;
          how.ply = options.ply;
          how.provenance = {options.checkpoint, model.step(), model.config().model.method,
                            object.id() + " (" + options.split + " split of " +
                                options.dataset->describe() + "), view 0 as input"};
          export_prediction(prediction, static_cast<int64_t>(i), obj_path, how);
          if (options.write_png) {
            if (!has_render) {
              throw std::runtime_error("the model returned no render for the preview image");
            }
            write_png(stem.string() + ".png", preview_strip(views[i].view.image, renders[i], silhouettes[i]));
          }
          ++summary.written;
        } catch (const std::exception& e) {
          summary.problems.push_back(obj_path + ": could not be written: " + error_text(e));
        }
      }
    }
    done = end;
    if (options.progress) options.progress(done, total);
  }

  nlohmann::ordered_json meta;
  meta["checkpoint"] = options.checkpoint;
  meta["step"] = model.step();
  meta["method"] = model.method().name;
  meta["data_root"] = root;
  meta["split"] = options.split;
  meta["classes"] = dataset.classes;
  meta["image_size"] = size;
  meta["objects"] = total;
  meta["written"] = summary.written;
  meta["cancelled"] = summary.cancelled;
  meta["problems"] = summary.problems.size();
  write_text(fs::path(options.out_dir) / "eval.json", meta.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  std::string problems;
  for (const auto& p : summary.problems) problems += p + "\n";
  const fs::path problems_path = fs::path(options.out_dir) / "problems.txt";
  if (!summary.problems.empty()) {
    write_text(problems_path, problems);
  } else {
    fs::remove(problems_path);  // a stale list from an earlier run would mislead
  }
  return summary;
}

}  // namespace dibr
