#include "trainer/methods/capnet_method.h"

#include <torch/torch.h>

#include "render/distance_transform.h"
#include "render/point_splat.h"
#include "render/point_zbuffer.h"
#include "trainer/methods/point_networks.h"
#include "trainer/methods/point_projection.h"
#include "trainer/methods/view_pairs.h"
#include "trainer/step_profile.h"

namespace dibr {
namespace {

constexpr double kLogEps = 1e-8;        // bce_prob's epsilon
constexpr double kAffinityFar = 1e6;    // the released affinity's weight of a pixel outside the other mask
constexpr double kAffinityScale = 1e-4; // the released affinity's factor

// get_loss_proj's 'bce_prob': -g log(M + eps) - (1 - g) log|1 - M + eps|, averaged over pixels and views.
at::Tensor bce_mask_loss(const at::Tensor& mask, const at::Tensor& gt) {
  return (-gt * torch::log(mask + kLogEps) - (1 - gt) * torch::log((1 - mask + kLogEps).abs())).mean();
}

struct Affinity {
  at::Tensor forward, backward;
};

// As both repos compute it (the min over tiled axes lands on the pixel itself): a weighted L1,
// fwd = M (g + (1 - g) 1e6), bwd = g (M + (1 - M) 1e6), each times 1e-4.
Affinity released_affinity(const at::Tensor& mask, const at::Tensor& gt) {
  return {(mask * (gt + (1 - gt) * kAffinityFar)).mean() * kAffinityScale,
          (gt * (mask + (1 - mask) * kAffinityFar)).mean() * kAffinityScale};
}

constexpr double kEmptyDistance = 2.0;  // an image without the other mask: twice the squared side, in side units

// Squared distance to the nearest pixel >= 0.5 of each (B,S,S) mask, in units of the squared image side.
at::Tensor side_distance_sq(const at::Tensor& masks) {
  const double side = double(masks.size(-1));
  return squared_distance_transform(masks.detach(), 0.5, kEmptyDistance * side * side) / (side * side);
}

// As in the paper, a 2D chamfer between the masks: each predicted pixel pays its squared distance to the
// silhouette (to_gt, side_distance_sq of the GT), each silhouette pixel the squared distance to the prediction
// (M >= 0.5). Distances of a thresholded mask carry no gradient, so it reaches M through the weights M (fwd) and
// 1 - M (bwd).
Affinity paper_affinity(const at::Tensor& mask, const at::Tensor& gt, const at::Tensor& to_gt) {
  return {(mask * to_gt).mean(), (gt * (1 - mask) * side_distance_sq(mask)).mean()};
}

class CapnetFamilyMethod : public Method {
 public:
  CapnetFamilyMethod(const TrainConfig& config, bool colour) : config_(config), colour_(colour) {
    if (colour)
      differ_ = DifferNet(config.data.image_size, config.points.count, config.capnet.input_scale);
    else
      capnet_ = CapnetNet(config.data.image_size, config.points.count, config.capnet.input_scale);
  }

  torch::nn::Module& network() override {
    if (colour_) return *differ_;
    return *capnet_;
  }
  void to(const c10::Device& device) override { network().to(device); }

  Prediction predict(const at::Tensor& images) override {
    const PointOutput out = colour_ ? differ_->forward(images) : capnet_->forward(images);
    Prediction p;
    p.kind = PredictionKind::PointCloud;
    p.vertices = out.points;
    p.colors = out.colors;
    return p;
  }

  StepLosses step_losses(const Prediction& prediction, const Batch& batch) override {
    const CapnetConfig& c = config_.capnet;
    const ViewPairs pairs = cross_view_pairs(prediction.vertices.size(0), config_.data.views_per_object,
                                             prediction.vertices.device(), colour_ ? "differ step" : "capnet step");
    const int size = static_cast<int>(batch.images.size(-1));
    const at::Tensor cameras = batch.world_mats.index_select(0, pairs.camera);
    const at::Tensor focals = batch.focals.index_select(0, pairs.camera);
    const GridPoints g = in_phase(Phase::Renders, [&] {
      return project_points_to_grid(prediction.vertices.index_select(0, pairs.mesh), cameras, focals, size);
    });
    const at::Tensor mask = in_phase(Phase::Renders, [&] { return point_splat_mask(g.pixels, splat_settings(size)); });
    const at::Tensor gt = batch.masks.index_select(0, pairs.camera).squeeze(1);
    const at::Tensor bce = bce_mask_loss(mask, gt);
    // The GT's distances are the same for every render from one view: computed once per batch view.
    const Affinity aff = c.affinity == "paper"
                             ? paper_affinity(mask, gt, side_distance_sq(batch.masks.squeeze(1)).index_select(0, pairs.camera))
                             : released_affinity(mask, gt);
    StepLosses l;
    l.total = c.bce * bce + c.affinity_fwd * aff.forward + c.affinity_bwd * aff.backward;
    l.terms = {bce, aff.forward, aff.backward};
    if (colour_) {
      // DIFFER's prediction is 0 where no point's well reaches: compared with the image inside its silhouette.
      const at::Tensor colours = prediction.colors.index_select(0, pairs.mesh);
      const at::Tensor rgb = in_phase(Phase::Renders, [&] {
        return point_zbuffer(g.pixels, g.depth.abs() + 1, colours, zbuffer_settings(size)).image;
      });
      const at::Tensor target = (batch.images.index_select(0, pairs.camera) * batch.masks.index_select(0, pairs.camera))
                                    .permute({0, 2, 3, 1});
      const at::Tensor rgb_loss = (rgb - target).pow(2).sum(-1).mean();
      l.total = l.total + config_.differ.rgb * rgb_loss;
      l.terms.push_back(rgb_loss);
    }
    return l;
  }

  RenderedViews render(const Prediction& prediction, const at::Tensor& world_mats, const at::Tensor& focals,
                       int image_size) override {
    const GridPoints g = project_points_to_grid(prediction.vertices, world_mats, focals, image_size);
    RenderedViews views;
    views.silhouettes = point_splat_mask(g.pixels, splat_settings(image_size));
    if (colour_) {
      const auto z = point_zbuffer(g.pixels, g.depth.abs() + 1, prediction.colors, zbuffer_settings(image_size));
      const at::Tensor covered = z.coverage.unsqueeze(-1);
      views.images = (z.image * covered + (1 - covered)).permute({0, 3, 1, 2}).contiguous();  // over white
    }
    return views;
  }

 private:
  PointSplatSettings splat_settings(int size) const {
    PointSplatSettings s;
    s.height = s.width = size;
    s.sigma_sq = config_.capnet.sigma_sq;
    s.cutoff = config_.capnet.splat_cutoff;
    return s;
  }
  PointZbufferSettings zbuffer_settings(int size) const {
    PointZbufferSettings s;
    s.height = s.width = size;
    s.well_radius = config_.differ.well_radius;
    s.beta = config_.differ.beta;
    return s;
  }

  TrainConfig config_;
  bool colour_;
  CapnetNet capnet_{nullptr};
  DifferNet differ_{nullptr};
};

using Values = std::vector<std::pair<std::string, std::string>>;

Values quick_values(const std::string& out_dir, const std::string& sigma_sq, const std::string& steps) {
  return {{"run.out_dir", out_dir},          {"data.image_size", "64"},     {"data.batch_objects", "4"},
          {"data.views_per_object", "4"},    {"points.count", "1024"},      {"capnet.sigma_sq", sigma_sq},
          {"optim.learning_rate", "5e-5"},   {"optim.lr_decay_step", "1000000"}, {"optim.lr_decay", "1"},
          {"optim.max_steps", steps},        {"run.checkpoint_every", "100"}, {"run.keep_every", "200"},
          {"run.snapshot_every", "10"},      {"system.loader_workers", "1"}};
}

// The run scripts: 1024 points, batch 1 object x 4 views, Adam 5e-5 (beta1 0.9), 200k iterations.
Values paper_values(const std::string& out_dir, const std::string& sigma_sq) {
  return {{"run.out_dir", out_dir},          {"data.image_size", "64"},     {"data.batch_objects", "1"},
          {"data.views_per_object", "4"},    {"points.count", "1024"},      {"capnet.sigma_sq", sigma_sq},
          {"optim.learning_rate", "5e-5"},   {"optim.lr_decay_step", "1000000"}, {"optim.lr_decay", "1"},
          {"optim.max_steps", "200000"},     {"run.checkpoint_every", "1000"}, {"run.keep_every", "50000"},
          {"run.snapshot_every", "50"},      {"system.loader_workers", "2"}};
}

}  // namespace

MethodInfo capnet_method_info() {
  MethodInfo info;
  info.name = "capnet";
  info.title = "CAPNet (Navaneet et al., AAAI 2019)";
  info.prediction = PredictionKind::PointCloud;
  info.own_settings = {"points.", "capnet."};
  info.loss_terms = {"bce", "affinity_fwd", "affinity_bwd"};
  info.presets.push_back({"capnet-quick", "capnet", "CAPNet sized for a 2-core CPU: 64^2, 1024 points, 4x4 batch, 600 steps",
                          quick_values("runs/capnet-quick", "0.5", "600")});
  info.presets.push_back({"capnet-paper", "capnet", "the CAPNet reference: 1024 points, sigma^2 0.5, 1x4 batch, Adam 5e-5, 200k steps",
                          paper_values("runs/capnet-paper", "0.5")});
  info.create = [](const TrainConfig& config) -> std::unique_ptr<Method> {
    return std::make_unique<CapnetFamilyMethod>(config, false);
  };
  return info;
}

MethodInfo differ_method_info() {
  MethodInfo info;
  info.name = "differ";
  info.title = "DIFFER (Navaneet et al., CVPRW 2019)";
  info.prediction = PredictionKind::PointCloud;
  info.own_settings = {"points.", "capnet.", "differ."};
  info.loss_terms = {"bce", "affinity_fwd", "affinity_bwd", "rgb"};
  info.presets.push_back({"differ-quick", "differ", "DIFFER sized for a 2-core CPU: 64^2, 1024 coloured points, 4x4 batch, 800 steps",
                          quick_values("runs/differ-quick", "0.4", "800")});
  info.presets.push_back({"differ-paper", "differ", "the DIFFER reference: 1024 coloured points, sigma^2 0.4, 1x4 batch, Adam 5e-5, 200k steps",
                          paper_values("runs/differ-paper", "0.4")});
  info.create = [](const TrainConfig& config) -> std::unique_ptr<Method> {
    return std::make_unique<CapnetFamilyMethod>(config, true);
  };
  return info;
}

}  // namespace dibr
