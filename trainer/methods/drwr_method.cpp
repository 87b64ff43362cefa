#include "trainer/methods/drwr_method.h"

#include <torch/torch.h>

#include "render/nearest_2d.h"
#include "render/point_repulsion.h"
#include "trainer/methods/point_networks.h"
#include "trainer/methods/point_projection.h"
#include "trainer/methods/view_pairs.h"
#include "trainer/step_profile.h"

namespace dibr {
namespace {

constexpr double kPreviewSigmaSq = 0.5;  // the silhouettes panel shows CAPNet's splat of the points
constexpr int kRings = 5;                // bilinear_sampler(n=5): rings 0..4 around the point

// The network and everything but the loss, shared by DRWR and 2DPM.
class DrwrFamilyMethod : public Method {
 public:
  DrwrFamilyMethod(const TrainConfig& config, const char* who) : config_(config), who_(who) {
    net_ = DrwrNet(config.data.image_size, config.points.count);
  }
  torch::nn::Module& network() override { return *net_; }
  void to(const c10::Device& device) override { net_->to(device); }

  Prediction predict(const at::Tensor& images) override {
    Prediction p;
    p.kind = PredictionKind::PointCloud;
    p.vertices = net_->forward(images).points;
    return p;
  }

  RenderedViews render(const Prediction& prediction, const at::Tensor& world_mats, const at::Tensor& focals,
                       int image_size) override {
    return {point_silhouettes(prediction.vertices, world_mats, focals, image_size, kPreviewSigmaSq), {}};
  }

 protected:
  // Each prediction seen from every view of its object; `camera` picks, per render, its batch view (whose masks
  // are prepared once per view and then selected).
  struct Views {
    at::Tensor points, world_mats, focals, camera;
  };
  Views cross_views(const Prediction& prediction, const Batch& batch) const {
    const ViewPairs pairs = cross_view_pairs(prediction.vertices.size(0), config_.data.views_per_object,
                                             prediction.vertices.device(), who_);
    return {prediction.vertices.index_select(0, pairs.mesh), batch.world_mats.index_select(0, pairs.camera),
            batch.focals.index_select(0, pairs.camera), pairs.camera};
  }

  TrainConfig config_;
  const char* who_;
  DrwrNet net_{nullptr};
};

class DrwrMethod final : public DrwrFamilyMethod {
 public:
  explicit DrwrMethod(const TrainConfig& config) : DrwrFamilyMethod(config, "drwr step") {}

  StepLosses step_losses(const Prediction& prediction, const Batch& batch) override {
    const DrwrConfig& c = config_.drwr;
    const Views v = cross_views(prediction, batch);
    // DRWR clips the projection to the image before it reads the grids (translate_coord).
    const at::Tensor p = in_phase(Phase::Renders, [&] {
      return project_points_to_grid(v.points, v.world_mats, v.focals, c.grid).pixels.clamp(0, c.grid - 1);
    });
    const at::Tensor mask = resize_masks(batch.masks, c.grid).index_select(0, v.camera);
    const at::Tensor field = resize_masks(mask_distance_field(batch.masks), c.grid).index_select(0, v.camera);
    const at::Tensor interior = (1 - bilinear_read(field, p)).abs().mean();
    const at::Tensor weight = bilinear_read(mask, p);
    at::Tensor rings = torch::zeros_like(weight);
    for (int k = 0; k < kRings; ++k) rings = rings + bilinear_read(mask, p, k);
    const at::Tensor bias = c.gauss_bias + rings / double(kRings);
    const bool detached = c.weight_gradient == "detached";
    const at::Tensor potential =
        point_repulsion(p, detached ? weight.detach() : weight, detached ? bias.detach() : bias, c.gauss_threshold).mean();
    StepLosses l;
    l.total = c.coord_weight * interior + c.potential_weight * potential;
    l.terms = {interior, potential};
    return l;
  }
};

class TwoDpmMethod final : public DrwrFamilyMethod {
 public:
  explicit TwoDpmMethod(const TrainConfig& config) : DrwrFamilyMethod(config, "2dpm step") {}

  StepLosses step_losses(const Prediction& prediction, const Batch& batch) override {
    const TwoDpmConfig& c = config_.twodpm;
    const Views v = cross_views(prediction, batch);
    const at::Tensor p = in_phase(Phase::Renders, [&] {
      return project_points_to_grid(v.points, v.world_mats, v.focals, c.grid).pixels.clamp(0, c.grid - 1);
    });
    const SilhouetteSamples s = silhouette_samples(resize_masks(batch.masks, c.grid), c.samples, c.mask_threshold);
    const at::Tensor targets = s.points.index_select(0, v.camera).to(p.dtype());
    const at::Tensor valid = s.valid.index_select(0, v.camera);
    // 2DPM measures in pixels of a 128^2 image (coord * 128 / vox_size).
    const double unit = 128.0 / c.grid;
    const Nearest2d to_targets = nearest_2d(p, targets);
    const Nearest2d to_points = nearest_2d(targets, p);
    auto gather = [](const at::Tensor& pts, const at::Tensor& index) {
      return pts.gather(1, index.unsqueeze(-1).expand({-1, -1, 2}));
    };
    const at::Tensor forward = (p - gather(targets, to_targets.index)).pow(2).sum(-1).mean(1);
    const at::Tensor backward = (targets - gather(p, to_points.index)).pow(2).sum(-1).mean(1);
    const at::Tensor chamfer = ((forward + backward) * valid).mean() * (unit * unit);
    StepLosses l;
    l.total = chamfer;
    l.terms = {chamfer};
    return l;
  }
};

std::vector<std::pair<std::string, std::string>> with_run_values(std::vector<std::pair<std::string, std::string>> v,
                                                                  const std::string& out_dir) {
  v.insert(v.begin(), {"run.out_dir", out_dir});
  return v;
}

}  // namespace

MethodInfo drwr_method_info() {
  MethodInfo info;
  info.name = "drwr";
  info.title = "DRWR (Han et al., ICML 2020)";
  info.prediction = PredictionKind::PointCloud;
  info.own_settings = {"points.", "drwr."};
  info.loss_terms = {"interior", "potential"};
  // The released weights (interior 1, repulsion 3) push the points out of the sample's silhouettes and the chamfer
  // rises (docs/methods.md); at repulsion 0.03 the interior term holds them.
  info.presets.push_back({"drwr-quick", "drwr", "DRWR sized for a 2-core CPU: 64^2 input, 500 points, 4x4 batch, lr 1e-4, 600 steps, repulsion weight 0.03",
                          with_run_values({{"data.image_size", "64"},
                                           {"drwr.potential_weight", "0.03"},
                                           {"data.batch_objects", "4"},
                                           {"data.views_per_object", "4"},
                                           {"points.count", "500"},
                                           {"optim.learning_rate", "1e-4"},
                                           {"optim.lr_decay_step", "1000000"},
                                           {"optim.lr_decay", "1"},
                                           {"optim.max_steps", "600"},
                                           {"run.checkpoint_every", "100"},
                                           {"run.keep_every", "200"},
                                           {"run.snapshot_every", "10"},
                                           {"system.loader_workers", "1"}},
                                          "runs/drwr-quick")});
  // scripts/train.py with config.yaml: 2000 points, 1 object x 4 views, Adam 1e-4 constant, 1e6 steps.
  info.presets.push_back({"drwr-paper", "drwr", "the DRWR reference: 2000 points, 1x4 batch, Adam 1e-4 constant, 1M steps",
                          with_run_values({{"data.image_size", "64"},
                                           {"data.batch_objects", "1"},
                                           {"data.views_per_object", "4"},
                                           {"points.count", "2000"},
                                           {"optim.learning_rate", "1e-4"},
                                           {"optim.lr_decay_step", "1000000"},
                                           {"optim.lr_decay", "1"},
                                           {"optim.max_steps", "1000000"},
                                           {"run.checkpoint_every", "1000"},
                                           {"run.keep_every", "50000"},
                                           {"run.snapshot_every", "50"},
                                           {"system.loader_workers", "2"}},
                                          "runs/drwr-paper")});
  info.create = [](const TrainConfig& config) -> std::unique_ptr<Method> { return std::make_unique<DrwrMethod>(config); };
  return info;
}

MethodInfo twodpm_method_info() {
  MethodInfo info;
  info.name = "2dpm";
  info.title = "2DPM (Han et al., ICCV 2021)";
  info.prediction = PredictionKind::PointCloud;
  info.own_settings = {"points.", "twodpm."};
  info.loss_terms = {"chamfer_2d"};
  info.presets.push_back({"2dpm-quick", "2dpm", "2DPM sized for a 2-core CPU: 64^2, 1000 points, 1000 samples, 4x4 batch",
                          with_run_values({{"data.image_size", "64"},
                                           {"data.batch_objects", "4"},
                                           {"data.views_per_object", "4"},
                                           {"points.count", "1000"},
                                           {"twodpm.grid", "64"},
                                           {"twodpm.samples", "1000"},
                                           {"optim.learning_rate", "1e-4"},
                                           {"optim.lr_decay_step", "1000000"},
                                           {"optim.lr_decay", "1"},
                                           {"optim.max_steps", "800"},
                                           {"run.checkpoint_every", "100"},
                                           {"run.keep_every", "200"},
                                           {"run.snapshot_every", "10"},
                                           {"system.loader_workers", "1"}},
                                          "runs/2dpm-quick")});
  // 2Dpm's configuration: 8000 points, vox_size 64, 5000 samples per view, lr 1e-4, 600k steps, random views.
  info.presets.push_back({"2dpm-paper", "2dpm", "the 2DPM reference: 8000 points, 64^2 grid, 5000 samples, 1x4 batch, Adam 1e-4, 600k steps",
                          with_run_values({{"data.image_size", "64"},
                                           {"data.batch_objects", "1"},
                                           {"data.views_per_object", "4"},
                                           {"points.count", "8000"},
                                           {"twodpm.grid", "64"},
                                           {"twodpm.samples", "5000"},
                                           {"optim.learning_rate", "1e-4"},
                                           {"optim.lr_decay_step", "1000000"},
                                           {"optim.lr_decay", "1"},
                                           {"optim.max_steps", "600000"},
                                           {"run.checkpoint_every", "1000"},
                                           {"run.keep_every", "50000"},
                                           {"run.snapshot_every", "50"},
                                           {"system.loader_workers", "2"}},
                                          "runs/2dpm-paper")});
  info.create = [](const TrainConfig& config) -> std::unique_ptr<Method> { return std::make_unique<TwoDpmMethod>(config); };
  return info;
}

}  // namespace dibr
