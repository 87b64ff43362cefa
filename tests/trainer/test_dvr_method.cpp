// DVR behind the method seam: a step's losses and gradients, learning a silhouette, mesh extraction of analytic
// fields, visual-hull depth (EXR, the sample's, the loader's and the fallback), and a run whose checkpoints load.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "render/camera.h"
#include "tests/trainer/mesh_method_fixture.h"
#include "tests/trainer/nmr_fixture.h"
#include "tests/trainer/tiny_run.h"
#include "trainer/dataset.h"
#include "trainer/exr_io.h"
#include "trainer/inference.h"
#include "trainer/loader.h"
#include "trainer/methods/dvr_extraction.h"
#include "trainer/methods/dvr_marching.h"
#include "trainer/obj_io.h"
#include "trainer/trainer.h"
#include "trainer/visual_hull.h"

namespace dibr {
namespace {

TEST(DvrMethod, AStepHasFourFiniteTermsAndGradientsForEncoderAndDecoder) {
  auto f = test::make_method_fixture("dvr", "dvr-quick");
  f.method->begin_step(0, 1e-4);
  const Prediction p = f.method->predict(f.batch.images);
  EXPECT_EQ(p.kind, PredictionKind::ImplicitField);
  EXPECT_EQ(p.latent.sizes(), (std::vector<int64_t>{4, 256}));
  const StepLosses l = f.method->step_losses(p, f.batch);
  ASSERT_EQ(l.terms.size(), 4u);
  for (const auto& t : l.terms) EXPECT_TRUE(std::isfinite(t.item<double>()));
  EXPECT_TRUE(std::isfinite(l.total.item<double>()));
  l.total.backward();
  double encoder = 0, decoder = 0;
  for (const auto& item : f.method->network().named_parameters()) {
    if (!item.value().grad().defined()) continue;
    const double g = item.value().grad().abs().sum().item<double>();
    (item.key().rfind("encoder", 0) == 0 || item.key().rfind("fc.", 0) == 0 ? encoder : decoder) += g;
  }
  EXPECT_GT(encoder, 0);
  EXPECT_GT(decoder, 0);
}

TEST(DvrMethod, LearnsADiscSilhouette) {
  auto f = test::make_method_fixture("dvr", "dvr-quick");
  // The encoder at the images' own 32^2 and few rays: the field's learning is under test, not the network's size.
  f.config.dvr.input_size = 32;
  f.config.dvr.rays = 64;
  torch::manual_seed(2);
  f.method = find_method("dvr").create(f.config);
  f.batch.masks = test::disc_masks(4, 0.25);
  f.batch.images = f.batch.masks.expand({4, 3, 32, 32}).contiguous() * 0.5 + 0.25;
  auto adam = f.method->make_optimizer(1e-3);
  auto mask_error = [&] {
    torch::NoGradGuard no_grad;
    Prediction p = f.method->predict(f.batch.images);
    const RenderedViews v = f.method->render(p, f.batch.world_mats, f.batch.focals, 32);
    return (v.silhouettes - f.batch.masks.squeeze(1)).abs().mean().item<double>();
  };
  const double before = mask_error();
  for (int step = 0; step < 260; ++step) {
    f.method->begin_step(step, 1e-3);
    adam->zero_grad();
    f.method->step_losses(f.method->predict(f.batch.images), f.batch).total.backward();
    adam->step();
  }
  const double after = mask_error();
  EXPECT_LT(after, 0.6 * before) << "silhouette error " << before << " -> " << after;
  EXPECT_LT(after, 0.12);
}

TEST(DvrMethod, MaskRaysDrawTheirShareAmongTheMasksPixels) {
  auto f = test::make_method_fixture("dvr", "dvr-quick");
  f.batch.masks = test::disc_masks(4, 0.05);  // a small object: about 4 % of the pixels
  f.config.dvr.rays = 256;
  const auto freespace = [&](double share) {  // the free-space term counts the rays outside the mask
    f.config.dvr.mask_rays = share;
    torch::manual_seed(3);
    f.method = find_method("dvr").create(f.config);
    f.method->begin_step(0, 1e-4);
    return f.method->step_losses(f.method->predict(f.batch.images), f.batch).terms[1].item<double>();
  };
  const double uniform = freespace(0), half = freespace(0.5), inside = freespace(1);
  EXPECT_GT(uniform, 0);
  EXPECT_EQ(inside, 0) << "every ray in the mask: nothing is free space";
  EXPECT_GT(half, 0.3 * uniform);
  EXPECT_LT(half, 0.7 * uniform) << "half the rays in the mask halve the free-space rays";
  f.batch.masks.zero_();
  EXPECT_GT(freespace(1), 0) << "an empty mask: the rays fall back to the whole image";
}

TEST(DvrMethod, MarchStepsDoubleAtTheMilestones) {
  TrainConfig c = TrainConfig::from_preset("dvr-paper");
  EXPECT_EQ(dvr_march_milestones(c.dvr), (std::vector<int64_t>{50000, 100000, 250000}));
  c.dvr.march_milestones = {"10", "5"};
  EXPECT_THROW(validate(c), std::invalid_argument);
  c.dvr.march_milestones = {"ten"};
  EXPECT_THROW(validate(c), std::invalid_argument);
}

ObjectField sphere(double r) {
  return [r](const at::Tensor& p) { return 10 * (r - p.norm(2, 1)); };
}

TEST(DvrExtraction, MiseEvaluatesFewerPointsThanTheDenseGridAndAgreesNearTheSurface) {
  ExtractionSettings s;
  s.resolution = 8;
  s.upsampling = 2;
  s.refine_steps = 0;
  const MiseGrid grid = mise_grid(sphere(0.3), s, torch::kCPU);
  ASSERT_EQ(grid.values.size(0), 33);
  EXPECT_LT(grid.evaluations, 33 * 33 * 33 / 2);
  // Wherever MISE evaluated or interpolated, the sign is the field's within one coarse cell of the surface.
  const at::Tensor axis = torch::linspace(-0.5, 0.5, 33);
  const auto g = torch::meshgrid({axis, axis, axis}, "ij");
  const at::Tensor exact = 10 * (0.3 - torch::stack({g[0], g[1], g[2]}, 3).norm(2, 3));
  const at::Tensor far = exact.abs() > 10 * 0.125;
  EXPECT_TRUE(torch::equal((grid.values > 0).masked_select(far), (exact > 0).masked_select(far)));
}

TEST(DvrExtraction, ASphereFieldGivesAClosedMeshOnTheSphere) {
  ExtractionSettings s;
  s.resolution = 8;
  s.upsampling = 2;
  s.refine_steps = 5;
  const TriangleMesh m = extract_mesh(sphere(0.3), s, torch::kCPU);
  ASSERT_GT(m.faces.size(0), 200);
  const at::Tensor radius = m.vertices.norm(2, 1);
  EXPECT_LT((radius - 0.3).abs().max().item<double>(), 0.01);
  // Closed: every directed edge has its twin.
  const int64_t V = m.vertices.size(0);
  const at::Tensor a = m.faces, b = m.faces.roll(-1, 1);
  const at::Tensor keys = (a * V + b).reshape({-1}), twins = (b * V + a).reshape({-1});
  const at::Tensor sorted = std::get<0>(keys.sort());
  EXPECT_TRUE(torch::equal(sorted, std::get<0>(twins.sort())));
  EXPECT_EQ(std::get<0>(torch::_unique(keys)).numel(), keys.numel());
}

TEST(DvrExtraction, AFieldWithoutSurfaceGivesAnEmptyMesh) {
  ExtractionSettings s;
  s.resolution = 4;
  s.upsampling = 1;
  const TriangleMesh m = extract_mesh(sphere(-1), s, torch::kCPU);
  EXPECT_EQ(m.faces.size(0), 0);
  EXPECT_EQ(m.vertices.size(1), 3);
}

TEST(VisualHull, ExrRoundTripKeepsInfinity) {
  if (!exr_supported()) GTEST_SKIP() << "SKIPPED: this build has no OpenEXR (libopenexr-dev)";
  test::TempDir dir("exr");
  at::Tensor depth = torch::rand({7, 5});
  depth[2][3] = std::numeric_limits<float>::infinity();
  const std::string file = (dir.path / "d.exr").string();
  write_exr_channel(file, depth);
  EXPECT_TRUE(torch::equal(read_exr_channel(file), depth));
  std::ofstream((dir.path / "bad.exr").string()) << "not an exr";
  EXPECT_THROW(read_exr_channel((dir.path / "bad.exr").string()), std::runtime_error);
}

TEST(VisualHull, DepthOfASphereIsInFrontOfTheSphereAndCloseAtTheCentre) {
  // Masks of a sphere of radius 0.3 from the 24 NMR views: its hull contains it, so the hull is hit first.
  const double r = 0.3, focal = focal_from_fovy(kNmrFovyDegrees);
  const int S = 32;
  std::vector<at::Tensor> mats, masks;
  const at::Tensor i = torch::arange(S * S, torch::kLong);
  const at::Tensor pixels = torch::stack({i.div(S, "floor"), i.remainder(S)}, 1).unsqueeze(0);
  std::vector<at::Tensor> exact, central;
  for (int v = 0; v < 24; ++v) {
    const at::Tensor w = nmr_world_mat(15.0 * v).to(torch::kFloat64);
    mats.push_back(w);
    const Rays rays = pixel_rays(w, torch::full({1}, focal, torch::kFloat64), pixels, S);
    const at::Tensor b = (rays.origins * rays.directions).sum(1), a = (rays.directions * rays.directions).sum(1);
    const at::Tensor c = (rays.origins * rays.origins).sum(1) - r * r;
    const at::Tensor disc = b * b - a * c;
    masks.push_back((disc > 0).to(torch::kFloat32).view({S, S}));
    // Rays passing within 0.8 r of the centre: away from the rim, where a pixel's rounding moves the depth a lot.
    central.push_back((disc > a * 0.36 * r * r).view({S, S}));
    exact.push_back(torch::where(disc > 0, (-b - disc.clamp_min(0).sqrt()) / a, torch::full_like(b, INFINITY)).view({S, S}));
  }
  const at::Tensor hull = visual_hull_depths(torch::stack(masks), torch::cat(mats), focal);
  ASSERT_EQ(hull.sizes(), (std::vector<int64_t>{24, S, S}));
  const at::Tensor truth = torch::stack(exact).to(torch::kFloat32);
  const at::Tensor inside = torch::isfinite(truth);
  // Only mask pixels can see the hull; a few at the silhouette may pass between the carving grid's cells.
  EXPECT_FALSE((torch::isfinite(hull) & inside.logical_not()).any().item<bool>());
  EXPECT_GT((torch::isfinite(hull) & inside).sum().item<double>(), 0.95 * inside.sum().item<double>());
  const at::Tensor core = torch::stack(central);
  ASSERT_TRUE(torch::isfinite(hull.masked_select(core)).all().item<bool>());
  // Half a pixel of mask rounding (0.023 at 32^2) moves the depth by up to 1.33 times that at 0.8 r, and the carving
  // grid's cell is 0.016.
  EXPECT_LT((hull - truth).masked_select(core).max().item<double>(), 0.05) << "the hull lies in front of the sphere";
  EXPECT_LT((truth[0][S / 2][S / 2] - hull[0][S / 2][S / 2]).abs().item<double>(), 0.02);
}

TEST(VisualHull, TheLoaderReadsItAndDvrRunsWithoutItSayingSo) {
  test::TempDir dir("dvr_hull");
  const auto root = dir.path / "nmr";
  test::write_tiny_dataset(root, "02691156", 3, {0, 1}, {2}, {2});
  TrainConfig c = test::tiny_run_config("dvr-quick", root, dir.path / "run", 1);
  c.data.image_size = 32;
  {
    Trainer t(c, open_dataset(root.string()), false);
    bool said = false;
    for (const auto& p : t.dataset_problems()) said = said || p.message.find("visual_hull_depth") != std::string::npos ||
                                                               p.message.find("EXR") != std::string::npos;
    EXPECT_TRUE(said) << "a DVR run without visual-hull depth says how it samples instead";
    EXPECT_TRUE(std::isfinite(t.train_step().losses.total));
  }
  if (!exr_supported()) GTEST_SKIP() << "SKIPPED: the loader half needs OpenEXR (libopenexr-dev)";
  for (int o = 0; o < 2; ++o) {
    const auto folder = root / "02691156" / ("obj" + std::to_string(o)) / "visual_hull_depth";
    std::filesystem::create_directories(folder);
    for (int v = 0; v < 24; ++v) {
      char name[16];
      std::snprintf(name, sizeof(name), "%04d.exr", v);
      at::Tensor d = torch::full({64, 64}, 2.0f + 0.01f * v);
      d.slice(0, 0, 32).fill_(std::numeric_limits<float>::infinity());
      write_exr_channel((folder / name).string(), d);
    }
  }
  const auto data = open_dataset(root.string());
  LoaderOptions options;
  options.batch_objects = 2;
  options.views_per_object = 2;
  options.image_size = 32;
  options.workers = 1;
  options.visual_hull_depth = true;
  BatchLoader loader(data->train, options);
  const Batch b = loader.next();
  ASSERT_EQ(b.visual_hull_depth.sizes(), (std::vector<int64_t>{4, 1, 32, 32}));
  for (int64_t k = 0; k < 4; ++k) {
    const double expected = 2.0 + 0.01 * b.view_index[k].item<int64_t>();
    EXPECT_NEAR(b.visual_hull_depth[k][0][20][5].item<double>(), expected, 1e-5);
    EXPECT_TRUE(std::isinf(b.visual_hull_depth[k][0][3][5].item<double>()));
  }
  Trainer t(c, data, false);
  for (const auto& p : t.dataset_problems()) EXPECT_EQ(p.message.find("visual_hull_depth"), std::string::npos) << p.message;
}

TEST(DvrMethod, TrainsAndItsCheckpointsLoadForInferenceAndExport) {
  test::TempDir dir("dvr_run");
  const auto root = dir.path / "nmr";
  test::write_tiny_dataset(root, "02691156", 3, {0, 1}, {2}, {2});
  TrainConfig c = test::tiny_run_config("dvr-quick", root, dir.path / "run", 3);
  c.data.image_size = 32;
  c.dvr.mise_resolution = 8;
  c.dvr.mise_upsampling = 1;
  c.dvr.refine_steps = 2;
  c.run.checkpoint_every = 2;
  ASSERT_TRUE(test::train_to_end(c));
  std::ifstream csv(dir.path / "run" / "metrics.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,seconds,total,rgb,freespace,occupancy,normal,lr");

  InferenceModel model((dir.path / "run" / "latest.pt").string(), "cpu");
  EXPECT_EQ(model.method().name, "dvr");
  EXPECT_EQ(model.method().prediction, PredictionKind::ImplicitField);
  const auto out = model.predict(torch::rand({2, 3, 32, 32}), torch::cat({nmr_world_mat(45), nmr_world_mat(90)}),
                                 torch::full({2}, focal_from_fovy(kNmrFovyDegrees)));
  ASSERT_EQ(out.prediction.meshes.size(), 2u);
  EXPECT_EQ(out.prediction.count(), 2);
  EXPECT_EQ(out.silhouettes.sizes(), (std::vector<int64_t>{2, 32, 32}));
  EXPECT_EQ(out.renders.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
  const std::string obj = (dir.path / "o.obj").string();
  write_prediction(out.prediction, 0, obj);
  EXPECT_TRUE(std::filesystem::exists(obj));
  c.optim.max_steps = 4;
  ASSERT_TRUE(test::train_to_end(c, /*resume=*/true));
  EXPECT_EQ(InferenceModel((dir.path / "run" / "latest.pt").string(), "cpu").step(), 4);
}

}  // namespace
}  // namespace dibr
