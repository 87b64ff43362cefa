#include "app/studio_preview.h"

#include <algorithm>
#include <stdexcept>

#include "trainer/dataset.h"
#include "trainer/inference.h"
#include "trainer/sample_maker.h"

namespace dibr::studio {

std::string PreviewData::label() const {
  if (step < 0) return "no preview yet";
  return (from_checkpoint ? "checkpoint step " : "live step ") + std::to_string(step);
}

PreviewData preview_from_snapshot(const TrainingSnapshot& s) {
  PreviewData p;
  p.step = s.step;
  p.ids = s.preview_ids;
  p.images = s.images;
  p.gt_masks = s.gt_masks;
  p.silhouettes = s.silhouettes;
  p.vertices = s.vertices;
  p.colors = s.colors;
  p.faces = s.faces;
  p.gt_points = s.gt_points;
  return p;
}

PreviewData predict_checkpoint_preview(const std::string& checkpoint_path, const std::string& data_root_in,
                                       const std::vector<std::string>& ids, int count, JobControl& control) {
  control.progress(0, 3);
  InferenceModel model(checkpoint_path, "cpu");
  control.progress(1, 3);
  const std::string root = data_root_in.empty() ? ensure_default_sample() : data_root_in;
  const int size = model.config().image_size;

  std::vector<NmrObject> objects;
  DatasetIndex index = index_dataset(root, model.config().classes, "val");
  if (index.objects.empty()) index = index_dataset(root, model.config().classes, "train");
  if (!ids.empty()) {
    for (const auto& id : ids) {
      auto it = std::find_if(index.objects.begin(), index.objects.end(),
                             [&](const NmrObject& o) { return o.class_id + "/" + o.object_id == id; });
      if (it != index.objects.end()) objects.push_back(*it);
    }
  }
  if (objects.empty()) {
    for (const auto& o : index.objects) {
      if (static_cast<int>(objects.size()) >= std::max(count, 1)) break;
      objects.push_back(o);
    }
  }
  if (objects.empty()) throw std::runtime_error("no preview objects in '" + root + "' (val and train splits are empty)");

  PreviewData p;
  p.from_checkpoint = true;
  p.checkpoint_path = checkpoint_path;
  p.step = model.step();
  std::vector<at::Tensor> images, masks, mats, focals, points;
  for (const auto& o : objects) {
    if (control.cancel) throw std::runtime_error("cancelled");
    ViewData view = load_view(o, 0, size);
    p.ids.push_back(o.class_id + "/" + o.object_id);
    images.push_back(view.image);
    masks.push_back(view.mask.squeeze(0));
    mats.push_back(view.world_mat);
    focals.push_back(view.camera_mat[0][0].reshape({1}));
    try {
      at::Tensor cloud = load_pointcloud(o).points;
      const int64_t n = cloud.size(0), k = std::min<int64_t>(n, 2048);
      points.push_back(cloud.index_select(0, torch::linspace(0, n - 1, k).to(torch::kLong)));
    } catch (const std::exception&) {
      points.push_back(torch::zeros({0, 3}));
    }
  }
  p.images = torch::stack(images);
  p.gt_masks = torch::stack(masks);
  control.progress(2, 3);
  Prediction pred;
  {
    torch::NoGradGuard no_grad;
    pred = model.predict(p.images, torch::stack(mats), torch::cat(focals));
  }
  p.vertices = pred.vertices;
  p.colors = pred.colors;
  p.faces = pred.faces;
  p.silhouettes = pred.silhouettes.defined() ? pred.silhouettes : torch::zeros_like(p.gt_masks);
  const bool same_k = std::all_of(points.begin(), points.end(), [&](const at::Tensor& t) { return t.size(0) == points[0].size(0); });
  if (same_k && points[0].size(0) > 0) p.gt_points = torch::stack(points);
  control.progress(3, 3);
  return p;
}

at::Tensor silhouette_diff_image(const at::Tensor& predicted, const at::Tensor& gt) {
  TORCH_CHECK(predicted.dim() == 2 && predicted.sizes() == gt.sizes(),
              "silhouette_diff_image: predicted and gt must be (S,S) of the same size, got ", predicted.sizes(), " and ",
              gt.sizes());
  const at::Tensor p = predicted.to(torch::kFloat).clamp(0, 1);
  const at::Tensor g = gt.to(p.device(), torch::kFloat).clamp(0, 1);
  return torch::stack({p, g, torch::minimum(p, g)});
}

}  // namespace dibr::studio
