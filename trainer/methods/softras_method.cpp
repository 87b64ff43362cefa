#include "trainer/methods/softras_method.h"

#include <torch/torch.h>

#include "render/icosphere.h"
#include "render/mesh_ops.h"
#include "render/render_mesh.h"
#include "trainer/losses.h"
#include "trainer/methods/kato_networks.h"
#include "trainer/methods/preview_shading.h"
#include "trainer/methods/view_pairs.h"
#include "trainer/step_profile.h"

namespace dibr {
namespace {

class SoftRasMethod final : public Method {
 public:
  explicit SoftRasMethod(const TrainConfig& config) : config_(config), sigma_(config.softras.sigma) {
    const TriangleMesh sphere = make_icosphere(3, 1.0);  // Kato's sphere_642 template has unit radius
    net_ = KatoNet(sphere.vertices, config.data.image_size, /*batch_norm=*/true,
                   frozen_coordinates_from(config.model.frozen_coordinates));
    faces_ = sphere.faces;
    laplacian_ = uniform_laplacian(sphere.vertices.size(0), sphere.faces);
    adjacency_ = edge_face_adjacency(sphere.faces);
  }

  torch::nn::Module& network() override { return *net_; }

  void to(const c10::Device& device) override {
    net_->to(device);
    faces_ = faces_.to(device);
    laplacian_ = laplacian_.to(device);
    adjacency_.edges = adjacency_.edges.to(device);
    adjacency_.opposite = adjacency_.opposite.to(device);
  }

  // SoftRas multiplies sigma by the lr decay whenever the lr decays (examples/recon/train.py).
  void begin_step(int64_t /*step*/, double learning_rate) override {
    sigma_ = config_.softras.sigma * learning_rate / config_.optim.learning_rate;
  }

  Prediction predict(const at::Tensor& images) override {
    Prediction p;
    p.kind = PredictionKind::Mesh;
    p.vertices = net_->forward(images);
    p.faces = faces_;
    return p;
  }

  StepLosses step_losses(const Prediction& prediction, const Batch& batch) override {
    const ViewPairs pairs = cross_view_pairs(prediction.vertices.size(0), config_.data.views_per_object,
                                             prediction.vertices.device(), "softras step");
    const int image_size = static_cast<int>(batch.images.size(-1));
    const auto render = in_phase(Phase::Renders, [&] {
      return render_mesh_soft(prediction.vertices.index_select(0, pairs.mesh), faces_, at::Tensor(),
                              batch.world_mats.index_select(0, pairs.camera), batch.focals.index_select(0, pairs.camera),
                              at::Tensor(), settings(image_size));
    });
    // iou_loss averages over renders: SoftRas's multiview_iou_loss, the mean of its four cross-view terms.
    const at::Tensor iou = iou_loss(render.silhouette, batch.masks.index_select(0, pairs.camera));
    // SoftRas's LaplacianLoss sums |Lx|^2 over a mesh's vertices (ours averages them) and averages over meshes.
    const at::Tensor laplacian = laplacian_loss(prediction.vertices, laplacian_) * double(prediction.vertices.size(1));
    const at::Tensor flatten = flatten_loss(prediction.vertices, adjacency_);
    const SoftRasConfig& w = config_.softras;
    StepLosses l;
    l.total = iou + w.laplacian * laplacian + w.flatten * flatten;
    l.terms = {iou, laplacian, flatten};
    return l;
  }

  RenderedViews render(const Prediction& prediction, const at::Tensor& world_mats, const at::Tensor& focals,
                       int image_size) override {
    const at::Tensor shading = vertex_preview_shading(prediction.vertices, prediction.faces);
    const at::Tensor white = torch::ones({3}, prediction.vertices.options());
    const auto r = render_mesh_soft(prediction.vertices, prediction.faces, shading, world_mats, focals, white,
                                    settings(image_size));
    return {r.silhouette, r.image.permute({0, 3, 1, 2}).contiguous()};
  }

 private:
  SoftRasterizeSettings settings(int image_size) const {
    SoftRasterizeSettings s;
    s.height = s.width = image_size;
    s.sigma = sigma_;
    s.dist_eps = config_.softras.dist_eps;
    return s;
  }

  TrainConfig config_;
  double sigma_;
  KatoNet net_{nullptr};
  at::Tensor faces_, laplacian_;
  EdgeAdjacency adjacency_;
};

}  // namespace

MethodInfo softras_method_info() {
  MethodInfo info;
  info.name = "softras";
  info.title = "SoftRas (Liu et al., ICCV 2019)";
  info.prediction = PredictionKind::Mesh;
  info.own_settings = {"softras.", "model.frozen_coordinates"};
  info.loss_terms = {"iou", "laplacian", "flatten"};
  info.presets.push_back({"softras-quick", "softras", "SoftRas sized for a 2-core CPU: 32^2, 4x2 batch, sigma 3e-4",
                          {{"run.out_dir", "runs/softras-quick"},
                           {"data.image_size", "32"},
                           {"data.batch_objects", "4"},
                           {"data.views_per_object", "2"},
                           {"optim.learning_rate", "3e-4"},
                           {"optim.lr_decay_step", "600"},
                           {"optim.lr_decay", "0.3"},
                           {"optim.max_steps", "1000"},
                           {"softras.sigma", "3e-4"},
                           {"run.checkpoint_every", "100"},
                           {"run.keep_every", "200"},
                           {"run.snapshot_every", "10"},
                           {"system.loader_workers", "1"}}});
  // examples/recon/train.py: 64^2, batch 64 objects x 2 views, Adam 1e-4, 250k steps, lr and sigma x0.3 at 150k.
  info.presets.push_back({"softras-paper", "softras", "the SoftRas reference: 64^2, 64x2 batch, Adam 1e-4, 250k steps, lr and sigma x0.3 at 150k",
                          {{"run.out_dir", "runs/softras-paper"},
                           {"data.image_size", "64"},
                           {"data.batch_objects", "64"},
                           {"data.views_per_object", "2"},
                           {"optim.learning_rate", "1e-4"},
                           {"optim.lr_decay_step", "150000"},
                           {"optim.lr_decay", "0.3"},
                           {"optim.max_steps", "250000"},
                           {"softras.sigma", "1e-4"},
                           {"run.checkpoint_every", "1000"},
                           {"run.keep_every", "50000"},
                           {"run.snapshot_every", "50"},
                           {"system.loader_workers", "4"}}});
  info.create = [](const TrainConfig& config) -> std::unique_ptr<Method> {
    return std::make_unique<SoftRasMethod>(config);
  };
  return info;
}

}  // namespace dibr
