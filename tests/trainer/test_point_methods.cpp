// What every point-cloud method (DRWR, 2DPM, CAPNet, DIFFER) must do, checked for each: a cloud with colours only
// where the method predicts them, its projected mask as the preview, a clear error for a batch that is not whole
// objects, a short learning check on one batch (the one CI runs), and a run through the trainer whose
// checkpoints inference reads back and resumes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <string>

#include "mesh_method_fixture.h"
#include "nmr_fixture.h"
#include "render/camera.h"
#include "render/nearest_2d.h"
#include "trainer/inference.h"
#include "trainer/method.h"
#include "trainer/methods/point_projection.h"
#include "trainer/methods/view_pairs.h"
#include "tiny_run.h"
#include "trainer/training_run.h"

namespace dibr {
namespace {

struct PointMethodCase {
  std::string method, preset, csv_header;
  bool colour;
  double fit_lr;     // Adam's lr in the short learning check
  double fit_ratio;  // the silhouette chamfer must fall below this fraction of its start
  std::string variant = "";  // "paper_affinity" (CAPNet's 2D chamfer form) or "detached" (DRWR's weights)
};

class PointMethod : public ::testing::TestWithParam<PointMethodCase> {};

test::MethodFixture small_fixture(const PointMethodCase& c) {
  test::MethodFixture f = test::make_method_fixture(c.method, c.preset);
  f.config.points.count = 256;
  f.config.twodpm.grid = 32;
  f.config.drwr.grid = 16;
  if (c.variant == "paper_affinity") f.config.capnet.affinity = "paper";
  if (c.variant == "detached") f.config.drwr.weight_gradient = "detached";
  torch::manual_seed(2);
  f.method = find_method(c.method).create(f.config);
  return f;
}

TEST_P(PointMethod, PredictsACloudRendersItsMaskAndRefusesAnIncompleteBatch) {
  test::MethodFixture f = small_fixture(GetParam());
  EXPECT_EQ(find_method(GetParam().method).prediction, PredictionKind::PointCloud);
  torch::NoGradGuard no_grad;
  const Prediction p = f.method->predict(f.batch.images);
  EXPECT_EQ(p.kind, PredictionKind::PointCloud);
  EXPECT_EQ(p.vertices.sizes(), (std::vector<int64_t>{4, 256, 3}));
  EXPECT_EQ(p.colors.defined(), GetParam().colour);
  if (GetParam().colour) {
    EXPECT_EQ(p.colors.sizes(), (std::vector<int64_t>{4, 256, 3}));
    EXPECT_GE(p.colors.min().item<double>(), 0.0);
    EXPECT_LE(p.colors.max().item<double>(), 1.0);
  }
  const RenderedViews r = f.method->render(p, f.batch.world_mats, f.batch.focals, 32);
  EXPECT_EQ(r.silhouettes.sizes(), (std::vector<int64_t>{4, 32, 32}));
  EXPECT_GT(r.silhouettes.sum().item<double>(), 3.0) << "the predicted cloud is not visible";
  EXPECT_EQ(r.images.defined(), GetParam().colour);
  Batch odd = f.batch;
  odd.images = odd.images.slice(0, 0, 3);
  EXPECT_THROW(f.method->step_losses(f.method->predict(odd.images), odd), c10::Error);
}

// Method-independent: the symmetric 2D chamfer (pixels^2) between each prediction's projection into every view of
// its object and that view's silhouette pixels.
double silhouette_chamfer(const Prediction& p, const Batch& batch, int views) {
  torch::NoGradGuard no_grad;
  const ViewPairs pairs = cross_view_pairs(p.vertices.size(0), views, p.vertices.device(), "silhouette_chamfer");
  const at::Tensor px = project_points_to_grid(p.vertices.index_select(0, pairs.mesh),
                                               batch.world_mats.index_select(0, pairs.camera),
                                               batch.focals.index_select(0, pairs.camera), 32).pixels;
  const at::Tensor targets = silhouette_samples(batch.masks.index_select(0, pairs.camera).squeeze(1), 1024, 0.5).points;
  return (nearest_2d(px, targets).distance_sq.mean() + nearest_2d(targets, px).distance_sq.mean()).item<double>();
}

// Adam for 60 steps on one batch whose silhouettes are a large disc from every view (a sphere bigger than the
// untrained cloud): the silhouette chamfer must fall well below its start (to half; DRWR, whose loss spreads the
// points evenly rather than matching pixels, to 60 %). A broken projection, kernel gradient or loss fails this.
TEST_P(PointMethod, FitsALargeSphereSilhouette) {
  test::MethodFixture f = small_fixture(GetParam());
  f.batch.masks = test::disc_masks(4, 0.35);
  const double before = silhouette_chamfer(f.method->predict(f.batch.images), f.batch, 2);
  auto adam = f.method->make_optimizer(GetParam().fit_lr);
  for (int step = 0; step < 60; ++step) {
    adam->zero_grad();
    const StepLosses l = f.method->step_losses(f.method->predict(f.batch.images), f.batch);
    ASSERT_TRUE(std::isfinite(l.total.item<double>())) << "step " << step;
    l.total.backward();
    adam->step();
  }
  const double after = silhouette_chamfer(f.method->predict(f.batch.images), f.batch, 2);
  EXPECT_GT(before, 4.0) << "the start already fits: the case tests nothing";
  EXPECT_LT(after, GetParam().fit_ratio * before) << "silhouette chamfer " << before << " -> " << after;
}

TEST_P(PointMethod, TrainsAndItsCheckpointsLoadForInference) {
  test::TempDir dir(GetParam().method + "_run");
  const auto root = dir.path / "nmr";
  test::write_tiny_dataset(root, "02691156", 3, {0, 1}, {2}, {2});
  TrainConfig c = test::tiny_run_config(GetParam().preset, root, dir.path / "run", 3);
  c.data.image_size = 32;
  c.data.views_per_object = 2;
  c.points.count = 128;
  c.run.checkpoint_every = 2;
  ASSERT_TRUE(test::train_to_end(c));
  std::ifstream csv(dir.path / "run" / "metrics.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, GetParam().csv_header);

  InferenceModel model((dir.path / "run" / "latest.pt").string(), "cpu");
  EXPECT_EQ(model.method().name, GetParam().method);
  const auto out = model.predict(torch::rand({1, 3, 32, 32}), nmr_world_mat(45),
                                 torch::full({1}, focal_from_fovy(kNmrFovyDegrees)));
  EXPECT_EQ(out.prediction.kind, PredictionKind::PointCloud);
  EXPECT_EQ(out.prediction.vertices.sizes(), (std::vector<int64_t>{1, 128, 3}));
  EXPECT_EQ(out.silhouettes.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_EQ(out.renders.defined(), GetParam().colour);

  c.optim.max_steps = 4;
  ASSERT_TRUE(test::train_to_end(c, /*resume=*/true));
  EXPECT_EQ(InferenceModel((dir.path / "run" / "latest.pt").string(), "cpu").step(), 4);
}

INSTANTIATE_TEST_SUITE_P(
    Methods, PointMethod,
    ::testing::Values(PointMethodCase{"drwr", "drwr-quick", "step,seconds,total,interior,potential,lr", false, 3e-4, 0.6},
                      PointMethodCase{"2dpm", "2dpm-quick", "step,seconds,total,chamfer_2d,lr", false, 1e-3, 0.5},
                      PointMethodCase{"capnet", "capnet-quick", "step,seconds,total,bce,affinity_fwd,affinity_bwd,lr",
                                      false, 2e-4, 0.5},
                      PointMethodCase{"differ", "differ-quick",
                                      "step,seconds,total,bce,affinity_fwd,affinity_bwd,rgb,lr", true, 2e-4, 0.5},
                      PointMethodCase{"capnet", "capnet-quick", "step,seconds,total,bce,affinity_fwd,affinity_bwd,lr",
                                      false, 2e-4, 0.5, "paper_affinity"},
                      PointMethodCase{"drwr", "drwr-quick", "step,seconds,total,interior,potential,lr", false, 3e-4, 0.6,
                                      "detached"}),
    [](const ::testing::TestParamInfo<PointMethodCase>& info) {
      const std::string name = info.param.method == "2dpm" ? std::string("twodpm") : info.param.method;
      return info.param.variant.empty() ? name : name + "_" + info.param.variant;
    });

// The two affinity forms differ (the released weighted L1 is ~1e2 x the mask error, the paper's chamfer is in
// squared image sides), and both reach the points.
TEST(PointMethodVariants, CapnetAffinityFormsDifferAndBothReachThePoints) {
  std::vector<double> forward_terms;
  for (const char* form : {"released", "paper"}) {
    test::MethodFixture f = test::make_method_fixture("capnet", "capnet-quick");
    f.config.points.count = 128;
    f.config.capnet.affinity = form;
    f.config.capnet.bce = 0;
    torch::manual_seed(2);
    f.method = find_method("capnet").create(f.config);
    const Prediction p = f.method->predict(f.batch.images);
    const StepLosses l = f.method->step_losses(p, f.batch);
    forward_terms.push_back(l.terms[1].item<double>());
    const at::Tensor g = torch::autograd::grad({l.total}, {p.vertices})[0];
    EXPECT_GT(g.abs().sum().item<double>(), 0.0) << form;
  }
  EXPECT_GT(std::abs(forward_terms[0] - forward_terms[1]), 1e-3 * std::abs(forward_terms[0]));
}

}  // namespace
}  // namespace dibr
