#include "trainer/training_step.h"

#include "render/render_mesh.h"
#include "trainer/losses.h"

namespace dibr {

TrainingGeometry make_training_geometry(const TriangleMesh& template_mesh, const at::Device& device) {
  TrainingGeometry g;
  g.faces = template_mesh.faces.to(device);
  g.laplacian = uniform_laplacian(template_mesh.vertices.size(0), template_mesh.faces).to(device);
  auto adjacency = edge_face_adjacency(template_mesh.faces);
  g.adjacency.edges = adjacency.edges.to(device);
  g.adjacency.opposite = adjacency.opposite.to(device);
  return g;
}

RasterizeSettings rasterize_settings(const TrainConfig& config, int image_size) {
  RasterizeSettings s;
  s.height = s.width = image_size;
  s.sigmainv = config.sigmainv;
  s.boxlen = config.boxlen;
  s.knum = config.knum;
  return s;
}

LossTerms StepLosses::values() const {
  LossTerms t;
  auto get = [](const at::Tensor& x) { return x.defined() ? x.item<double>() : 0.0; };
  t.total = get(total);
  t.color = get(color);
  t.iou = get(iou);
  t.laplacian = get(laplacian);
  t.flatten = get(flatten);
  return t;
}

StepLosses compute_step_losses(const MeshPrediction& prediction, const Batch& batch, const TrainConfig& config,
                               const TrainingGeometry& geometry) {
  const int64_t n = prediction.vertices.size(0);
  const int64_t views = config.views_per_object;
  TORCH_CHECK(views >= 1 && n % views == 0, "compute_step_losses: batch of ", n,
              " images is not a whole number of objects x views_per_object=", views);
  const auto device = prediction.vertices.device();
  auto long_opts = torch::TensorOptions().dtype(torch::kInt64).device(device);

  // Render r = n * views + j shows mesh n from view j of n's object, i.e. camera (n / views) * views + j.
  auto mesh_index = torch::arange(n, long_opts).repeat_interleave(views);
  auto camera_index = torch::arange(n / views, long_opts).repeat_interleave(views * views) * views +
                      torch::arange(views, long_opts).repeat({n});

  const int image_size = static_cast<int>(batch.images.size(-1));
  auto render = render_mesh(prediction.vertices.index_select(0, mesh_index), geometry.faces,
                            prediction.colors.index_select(0, mesh_index), batch.world_mats.index_select(0, camera_index),
                            batch.focals.index_select(0, camera_index), rasterize_settings(config, image_size));

  auto gt_images = batch.images.index_select(0, camera_index);
  auto gt_masks = batch.masks.index_select(0, camera_index);

  StepLosses l;
  l.color = masked_color_l1_loss(render.image.permute({0, 3, 1, 2}), gt_images, gt_masks);
  l.iou = iou_loss(render.silhouette, gt_masks);
  l.laplacian = laplacian_loss(prediction.vertices, geometry.laplacian);
  l.flatten = flatten_loss(prediction.vertices, geometry.adjacency);
  l.total = config.weight_color * l.color + config.weight_iou * l.iou + config.weight_laplacian * l.laplacian +
            config.weight_flatten * l.flatten;
  return l;
}

}  // namespace dibr
