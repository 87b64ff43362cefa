#include "trainer/preview_set.h"

#include <torch/torch.h>

#include <algorithm>

#include "trainer/error_text.h"

namespace dibr {
namespace {

at::Tensor evenly_spaced_points(const at::Tensor& cloud) {
  const int64_t n = cloud.size(0);
  if (n == 0) return torch::zeros({kPreviewPoints, 3});
  auto pick = torch::linspace(0, static_cast<double>(n - 1), std::min(n, kPreviewPoints)).round().to(torch::kInt64);
  auto sampled = cloud.index_select(0, pick);
  if (sampled.size(0) < kPreviewPoints)  // repeated so that previews stack
    sampled = sampled.repeat({(kPreviewPoints + n - 1) / n, 1}).narrow(0, 0, kPreviewPoints);
  return sampled;
}

}  // namespace

// The split's objects taking each class in turn (its first object, then every class's second, ...), so that a
// few previews show as many classes as they can.
std::vector<NmrObject> classes_in_turn(const std::vector<NmrObject>& objects) {
  std::vector<std::string> classes;
  std::vector<std::vector<const NmrObject*>> by_class;
  for (const auto& o : objects) {
    const auto it = std::find(classes.begin(), classes.end(), o.class_id);
    if (it == classes.end()) {
      classes.push_back(o.class_id);
      by_class.push_back({&o});
    } else {
      by_class[static_cast<size_t>(it - classes.begin())].push_back(&o);
    }
  }
  std::vector<NmrObject> ordered;
  for (size_t k = 0; ordered.size() < objects.size(); ++k)
    for (const auto& members : by_class)
      if (k < members.size()) ordered.push_back(*members[k]);
  return ordered;
}

PreviewSet select_preview_set(const Dataset& dataset, int count, int image_size, const std::vector<std::string>& ids) {
  PreviewSet set;
  const auto source = classes_in_turn(dataset.val.objects.empty() ? dataset.train.objects : dataset.val.objects);
  std::vector<NmrObject> chosen;
  for (const auto& id : ids)
    if (const NmrObject* o = dataset.find(id)) chosen.push_back(*o);
  const bool by_id = !chosen.empty();
  std::vector<at::Tensor> images, masks, mats, focals, points;
  for (size_t k = 0; k < (by_id ? chosen.size() : source.size()); ++k) {
    if (!by_id && set.count() >= count) break;
    const NmrObject& object = by_id ? chosen[k] : source[k];
    try {
      ViewData view = load_view(object, 0, image_size);
      at::Tensor cloud = evenly_spaced_points(load_pointcloud(object).points);
      images.push_back(view.image);
      masks.push_back(view.mask.squeeze(0));
      mats.push_back(view.world_mat);
      focals.push_back(view.camera_mat[0][0].reshape({1}));
      points.push_back(cloud);
    } catch (const std::exception& e) {
      set.problems.push_back({object.path, std::string("preview object skipped: ") + error_text(e)});
      continue;
    }
    set.ids.push_back(object.id());
    set.objects.push_back(object);
  }
  if (set.ids.empty()) return set;
  set.images = torch::stack(images);
  set.masks = torch::stack(masks);
  set.world_mats = torch::stack(mats);
  set.focals = torch::cat(focals);
  set.gt_points = torch::stack(points);
  return set;
}

}  // namespace dibr
