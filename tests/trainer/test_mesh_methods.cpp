// What every mesh method without colours (SoftRas, NMR) must do, checked for each: shaded previews, a clear
// error for a batch that is not whole objects, a short learning check (the one CI runs; DIB-R's has its own
// target), and a run through the trainer whose checkpoints inference reads back.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "mesh_method_fixture.h"
#include "nmr_fixture.h"
#include "render/camera.h"
#include "trainer/inference.h"
#include "trainer/method.h"
#include "tiny_run.h"
#include "trainer/training_run.h"

namespace dibr {
namespace {

struct MeshMethodCase {
  std::string method, preset, csv_header;
};

class MeshMethod : public ::testing::TestWithParam<MeshMethodCase> {};

TEST_P(MeshMethod, RendersShadedPreviewsAndRefusesAnIncompleteBatch) {
  test::MethodFixture f = test::make_method_fixture(GetParam().method, GetParam().preset);
  torch::NoGradGuard no_grad;
  const Prediction p = f.method->predict(f.batch.images);
  EXPECT_EQ(p.vertices.sizes(), (std::vector<int64_t>{4, 642, 3}));
  EXPECT_FALSE(p.colors.defined());
  const RenderedViews r = f.method->render(p, f.batch.world_mats, f.batch.focals, 32);
  ASSERT_TRUE(r.images.defined());
  EXPECT_EQ(r.images.sizes(), (std::vector<int64_t>{4, 3, 32, 32}));
  EXPECT_EQ(r.silhouettes.sizes(), (std::vector<int64_t>{4, 32, 32}));
  EXPECT_GT(r.silhouettes.sum().item<double>(), 10.0) << "the predicted mesh is not visible";
  // Where the mesh covers a pixel it is shaded (not the white background), and it differs across the mesh.
  const at::Tensor inside = r.images.select(1, 0).masked_select(r.silhouettes > 0.99);
  ASSERT_GT(inside.numel(), 0);
  EXPECT_LT(inside.max().item<double>(), 0.9);
  EXPECT_GT(inside.max().item<double>() - inside.min().item<double>(), 0.05);
  Batch odd = f.batch;
  odd.images = odd.images.slice(0, 0, 3);
  EXPECT_THROW(f.method->step_losses(f.method->predict(odd.images), odd), c10::Error);
}

// Adam (the method's own) for 60 steps on one batch with the given masks; the IoU term must fall well below its
// start. A broken renderer gradient, decoder or optimiser fails this: the short learning check CI runs.
void expect_fits(test::MethodFixture& f, const std::string& method, const at::Tensor& masks) {
  f.batch.masks = masks;
  const auto& terms = find_method(method).loss_terms;
  const size_t iou = std::find(terms.begin(), terms.end(), "iou") - terms.begin();
  ASSERT_LT(iou, terms.size());
  const double lr = 3e-4;
  auto adam = f.method->make_optimizer(lr);
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    f.method->begin_step(step, lr);
    adam->zero_grad();
    const StepLosses l = f.method->step_losses(f.method->predict(f.batch.images), f.batch);
    (step == 0 ? first : last) = l.terms[iou].item<double>();
    l.total.backward();
    adam->step();
  }
  EXPECT_GT(first, 0.5) << "the start already fits: the case tests nothing";
  EXPECT_LT(last, 0.5 * first) << "IoU loss " << first << " -> " << last;
}

// A small disc from every view: a small sphere.
TEST_P(MeshMethod, FitsASmallSphereSilhouette) {
  test::MethodFixture f = test::make_method_fixture(GetParam().method, GetParam().preset);
  expect_fits(f, GetParam().method, test::disc_masks(4, 0.03));
}

// DIB-R's meshes are always rescaled to half-extent 0.5, so its target is a flat disc (an ellipse from the
// 30-degree elevated cameras) rather than a small sphere.
TEST(DibrMethod, ResumingAnotherPresetsCheckpointSaysWhichPresetItHolds) {
  test::TempDir dir("resume_other_preset");
  test::write_tiny_dataset(dir.path / "nmr", "c1", 3, {0, 1}, {2}, {});
  TrainConfig quick = test::tiny_run_config("quick", dir.path / "nmr", dir.path / "run", 1);
  quick.data.image_size = 32;
  ASSERT_TRUE(test::train_to_end(quick));
  TrainConfig paper = test::tiny_run_config("paper", dir.path / "nmr", dir.path / "run", 2);
  paper.data.image_size = 32;
  ASSERT_NE(paper.model.decoder_hidden, quick.model.decoder_hidden) << "the presets' networks differ";
  TrainingRun run;
  ASSERT_TRUE(run.start(paper, open_dataset(paper.data.root), true));
  run.wait();
  EXPECT_EQ(run.state(), RunState::Failed);
  EXPECT_NE(run.error().find("this folder holds a quick-preset checkpoint at step 1 and this run uses the paper preset: "
                             "choose another --out folder, or --preset quick"),
            std::string::npos)
      << run.error();
}

TEST(DibrMethod, FitsAFlatDiscSilhouette) {
  test::MethodFixture f = test::make_method_fixture("dibr", "quick");
  const at::Tensor y = torch::linspace(-1, 1, 32).view({32, 1}), x = torch::linspace(-1, 1, 32).view({1, 32});
  expect_fits(f, "dibr", ((x * x / 0.45 + y * y / 0.0625) < 1).to(torch::kFloat32).expand({4, 1, 32, 32}).contiguous());
}

TEST_P(MeshMethod, TrainsAndItsCheckpointsLoadForInference) {
  test::TempDir dir(GetParam().method + "_run");
  const auto root = dir.path / "nmr";
  test::write_tiny_dataset(root, "02691156", 3, {0, 1}, {2}, {2});
  TrainConfig c = test::tiny_run_config(GetParam().preset, root, dir.path / "run", 3);
  c.run.checkpoint_every = 2;
  ASSERT_TRUE(test::train_to_end(c));
  std::ifstream csv(dir.path / "run" / "metrics.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, GetParam().csv_header);

  InferenceModel model((dir.path / "run" / "latest.pt").string(), "cpu");
  EXPECT_EQ(model.method().name, GetParam().method);
  EXPECT_EQ(model.step(), 3);
  const auto out = model.predict(torch::rand({1, 3, 32, 32}), nmr_world_mat(45),
                                 torch::full({1}, focal_from_fovy(kNmrFovyDegrees)));
  EXPECT_EQ(out.prediction.vertices.sizes(), (std::vector<int64_t>{1, 642, 3}));
  EXPECT_EQ(out.silhouettes.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_EQ(out.renders.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));

  // Resuming restores the method's optimiser state and goes on.
  c.optim.max_steps = 4;
  ASSERT_TRUE(test::train_to_end(c, /*resume=*/true));
  EXPECT_EQ(InferenceModel((dir.path / "run" / "latest.pt").string(), "cpu").step(), 4);
}

INSTANTIATE_TEST_SUITE_P(
    Methods, MeshMethod,
    ::testing::Values(MeshMethodCase{"softras", "softras-quick", "step,seconds,total,iou,laplacian,flatten,lr"},
                      MeshMethodCase{"nmr", "nmr-quick", "step,seconds,total,iou,smoothness,lr"}),
    [](const ::testing::TestParamInfo<MeshMethodCase>& info) { return info.param.method; });

}  // namespace
}  // namespace dibr
