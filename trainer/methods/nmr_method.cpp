#include "trainer/methods/nmr_method.h"

#include <torch/torch.h>

#include "render/icosphere.h"
#include "render/mesh_ops.h"
#include "render/render_mesh.h"
#include "trainer/losses.h"
#include "trainer/methods/kato_adam.h"
#include "trainer/methods/kato_networks.h"
#include "trainer/methods/preview_shading.h"
#include "trainer/methods/view_pairs.h"
#include "trainer/step_profile.h"

namespace dibr {
namespace {

constexpr double kCentroidLrMultiplier = 0.1;  // Kato's decoder: centroid_lr

class NmrMethod final : public Method {
 public:
  explicit NmrMethod(const TrainConfig& config) : config_(config) {
    const TriangleMesh sphere = make_icosphere(3, 1.0);  // Kato's sphere_642 template has unit radius
    net_ = KatoNet(sphere.vertices, config.data.image_size, /*batch_norm=*/false,
                   frozen_coordinates_from(config.model.frozen_coordinates));
    faces_ = sphere.faces;
    adjacency_ = edge_face_adjacency(sphere.faces);
  }

  torch::nn::Module& network() override { return *net_; }

  // Kato's decoder learns its centroid at 0.1 x the lr; every other layer at 1 x.
  std::unique_ptr<torch::optim::Adam> make_optimizer(double learning_rate) override {
    std::vector<at::Tensor> centroid, rest;
    for (const auto& p : net_->named_parameters())
      (p.key().rfind("decoder.fc_centroid.", 0) == 0 ? centroid : rest).push_back(p.value());
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(rest);
    groups.emplace_back(centroid);
    return std::make_unique<KatoAdam>(std::move(groups), std::vector<double>{1.0, kCentroidLrMultiplier},
                                      torch::optim::AdamOptions(learning_rate));
  }

  void to(const c10::Device& device) override {
    net_->to(device);
    faces_ = faces_.to(device);
    adjacency_.edges = adjacency_.edges.to(device);
    adjacency_.opposite = adjacency_.opposite.to(device);
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
                                             prediction.vertices.device(), "nmr step");
    const int image_size = static_cast<int>(batch.images.size(-1));
    const auto render = in_phase(Phase::Renders, [&] {
      return render_mesh_nmr(prediction.vertices.index_select(0, pairs.mesh), faces_,
                             batch.world_mats.index_select(0, pairs.camera), batch.focals.index_select(0, pairs.camera),
                             settings(image_size));
    });
    // The mean over renders is Kato's quarter-sum of the four cross-view IoU terms.
    const at::Tensor iou = iou_loss(render.silhouette, batch.masks.index_select(0, pairs.camera));
    // Kato's smoothness loss is SoftRas's flatten loss: sum over edges of (cos + 1)^2, over the batch.
    const at::Tensor smoothness = flatten_loss(prediction.vertices, adjacency_);
    StepLosses l;
    l.total = iou + config_.nmr.smoothness * smoothness;
    l.terms = {iou, smoothness};
    return l;
  }

  RenderedViews render(const Prediction& prediction, const at::Tensor& world_mats, const at::Tensor& focals,
                       int image_size) override {
    const auto r = render_mesh_nmr(prediction.vertices, prediction.faces, world_mats, focals, settings(image_size));
    // Flat-shaded colours through the face index at the rasterized size, pooled like the silhouette.
    const at::Tensor shade = face_preview_shading(prediction.vertices, prediction.faces);  // (B,F,3)
    const int64_t B = r.face_index.size(0);
    const at::Tensor index = r.face_index.to(torch::kLong).view({B, -1});
    const at::Tensor batch_shade =
        shade.expand({B, -1, -1}).gather(1, index.clamp_min(0).unsqueeze(-1).expand({-1, -1, 3}));
    const at::Tensor covered = (index >= 0).unsqueeze(-1).to(shade.dtype());
    const at::Tensor image = (batch_shade * covered + (1 - covered)).view({B, r.face_index.size(1), r.face_index.size(2), 3});
    const at::Tensor pooled = torch::avg_pool2d(image.permute({0, 3, 1, 2}), {2, 2});
    return {r.silhouette, pooled.contiguous()};
  }

 private:
  NmrRasterizeSettings settings(int image_size) const {
    NmrRasterizeSettings s;
    s.height = s.width = image_size;
    s.eps = config_.nmr.eps;
    return s;
  }

  TrainConfig config_;
  KatoNet net_{nullptr};
  at::Tensor faces_;
  EdgeAdjacency adjacency_;
};

}  // namespace

MethodInfo nmr_method_info() {
  MethodInfo info;
  info.name = "nmr";
  info.title = "NMR (Kato et al., CVPR 2018)";
  info.prediction = PredictionKind::Mesh;
  info.own_settings = {"nmr.", "model.frozen_coordinates"};
  info.loss_terms = {"iou", "smoothness"};
  info.presets.push_back({"nmr-quick", "nmr", "NMR sized for a 2-core CPU: 32^2, 4x2 batch, lr 3e-4, 1000 steps",
                          {{"run.out_dir", "runs/nmr-quick"},
                           {"data.image_size", "32"},
                           {"data.batch_objects", "4"},
                           {"data.views_per_object", "2"},
                           {"optim.learning_rate", "3e-4"},
                           {"optim.lr_decay_step", "950"},
                           {"optim.lr_decay", "0.1"},
                           {"optim.max_steps", "1000"},
                           {"run.checkpoint_every", "100"},
                           {"run.keep_every", "200"},
                           {"run.snapshot_every", "10"},
                           {"system.loader_workers", "1"}}});
  // mesh_reconstruction/train.sh, multi-class: 64^2, batch 64 objects x 2 views, Adam 1e-4, 1M iterations,
  // lr x 0.1 at 95 %, no smoothness term.
  info.presets.push_back({"nmr-paper", "nmr", "the NMR reference: 64^2, 64x2 batch, Adam 1e-4, 1M steps, lr x0.1 at 950k",
                          {{"run.out_dir", "runs/nmr-paper"},
                           {"data.image_size", "64"},
                           {"data.batch_objects", "64"},
                           {"data.views_per_object", "2"},
                           {"optim.learning_rate", "1e-4"},
                           {"optim.lr_decay_step", "950000"},
                           {"optim.lr_decay", "0.1"},
                           {"optim.max_steps", "1000000"},
                           {"nmr.smoothness", "0"},
                           {"run.checkpoint_every", "1000"},
                           {"run.keep_every", "100000"},
                           {"run.snapshot_every", "50"},
                           {"system.loader_workers", "4"}}});
  info.create = [](const TrainConfig& config) -> std::unique_ptr<Method> { return std::make_unique<NmrMethod>(config); };
  return info;
}

}  // namespace dibr
