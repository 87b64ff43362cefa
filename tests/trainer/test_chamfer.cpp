#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "nmr_fixture.h"
#include "render/mesh_ops.h"
#include "trainer/chamfer.h"
#include "trainer/chamfer_report.h"
#include "trainer/obj_io.h"

namespace {

namespace fs = std::filesystem;
using dibr::test::TempDir;

// The unit square in the z = 0 plane, two triangles.
const at::Tensor kSquare = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 1.f, 1.f, 0.f, 0.f, 1.f, 0.f}).view({4, 3});
const at::Tensor kSquareFaces = torch::tensor({0, 1, 2, 0, 2, 3}, torch::kLong).view({2, 3});

TEST(Chamfer, IdenticalCloudsGiveZeroAndPerfectFscore) {
  const auto p = torch::rand({500, 3});
  const auto r = dibr::chamfer_distance(p, p);
  EXPECT_EQ(r.chamfer, 0.0);
  EXPECT_EQ(r.pred_to_gt, 0.0);
  for (double f : r.fscore) EXPECT_EQ(f, 1.0);
}

TEST(Chamfer, NearestPointDistancesAreTheTermsTheChamferAverages) {
  torch::manual_seed(3);
  const auto pred = torch::rand({300, 3}), gt = torch::rand({200, 3});
  const at::Tensor d = dibr::nearest_point_distances(pred, gt);
  ASSERT_EQ(d.sizes(), (std::vector<int64_t>{300}));
  EXPECT_EQ(d.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::allclose(d, torch::cdist(pred, gt, 2, 2).amin(1), 1e-5, 1e-6));
  EXPECT_NEAR(d.mean().item<double>(), dibr::chamfer_distance(pred, gt).pred_to_gt, 1e-6);
  EXPECT_THROW(dibr::nearest_point_distances(torch::zeros({0, 3}), gt), std::invalid_argument);
  EXPECT_THROW(dibr::nearest_point_distances(pred, torch::zeros({5, 2})), std::invalid_argument);
}

TEST(Chamfer, TwoPointExampleByHand) {
  const auto pred = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 0.f}).view({2, 3});
  const auto gt = torch::tensor({0.f, 0.f, 0.015f}).view({1, 3});
  const auto r = dibr::chamfer_distance(pred, gt);
  const double far = std::sqrt(1.0 + 0.015 * 0.015);
  EXPECT_NEAR(r.pred_to_gt, (0.015 + far) / 2, 1e-6);
  EXPECT_NEAR(r.gt_to_pred, 0.015, 1e-6);
  EXPECT_NEAR(r.chamfer, ((0.015 + far) / 2 + 0.015) / 2, 1e-6);
  EXPECT_EQ(r.fscore[0], 0.0);                   // nothing within 0.01
  for (int t = 1; t < 5; ++t) EXPECT_NEAR(r.fscore[t], 2.0 / 3.0, 1e-12);  // P = 1/2, R = 1
}

TEST(Chamfer, SelfSampledSurfaceIsNearTheFloorAndShiftGrowsByDelta) {
  const auto a = dibr::sample_surface_points(kSquare, kSquareFaces, 20000, 1);
  const auto b = dibr::sample_surface_points(kSquare, kSquareFaces, 20000, 2);
  const auto same = dibr::chamfer_distance(a, b);
  EXPECT_GT(same.chamfer, 0.0);
  EXPECT_LT(same.chamfer, 0.006);
  EXPECT_GT(same.fscore[1], 0.95);
  for (double delta : {0.02, 0.05, 0.1}) {
    const auto shifted = b + torch::tensor({0.f, 0.f, static_cast<float>(delta)});
    const auto r = dibr::chamfer_distance(a, shifted);
    EXPECT_GE(r.chamfer, delta - 1e-6) << delta;
    EXPECT_LT(r.chamfer, delta + 0.003) << delta;
  }
}

TEST(Chamfer, KdTreeMatchesBruteForce) {
  const auto pred = torch::rand({700, 3}), gt = torch::rand({900, 3});
  const auto kd = dibr::chamfer_distance(pred, gt);
  const auto bf = dibr::chamfer_distance_bruteforce(pred, gt);
  EXPECT_NEAR(kd.pred_to_gt, bf.pred_to_gt, 1e-6);
  EXPECT_NEAR(kd.gt_to_pred, bf.gt_to_pred, 1e-6);
  for (int t = 0; t < 5; ++t) EXPECT_NEAR(kd.fscore[t], bf.fscore[t], 0.01);
  EXPECT_THROW(dibr::chamfer_distance(torch::zeros({0, 3}), gt), std::invalid_argument);
}

TEST(Chamfer, CudaTensorsMatchCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  const auto pred = torch::rand({3000, 3}), gt = torch::rand({2000, 3});
  const auto cpu = dibr::chamfer_distance(pred, gt);
  const auto gpu = dibr::chamfer_distance(pred.cuda(), gt.cuda());
  EXPECT_NEAR(cpu.chamfer, gpu.chamfer, 1e-5);
  for (int t = 0; t < 5; ++t) EXPECT_NEAR(cpu.fscore[t], gpu.fscore[t], 0.01);
}

// Class "cls" with objects o0.. whose GT clouds lie on the unit square, all in the test list.
void write_square_objects(const fs::path& data, int count) {
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    const auto obj = data / "cls" / ("o" + std::to_string(i));
    dibr::test::write_fake_object(obj, i, 8);
    dibr::write_npz((obj / "pointcloud.npz").string(),
                    {{"points", dibr::sample_surface_points(kSquare, kSquareFaces, 5000, 10 + i)}});
    ids.push_back("o" + std::to_string(i));
  }
  dibr::test::write_list(data / "cls" / "softras_test.lst", ids);
}

TEST(ChamferReport, ScoresPredictionsAndRecordsMissingOnes) {
  TempDir dir("chamfer_report");
  const auto data = dir.path / "data";
  const auto preds = dir.path / "pred";
  write_square_objects(data, 3);
  fs::create_directories(preds / "cls");
  dibr::write_obj((preds / "cls" / "o0_0.obj").string(), kSquare, kSquareFaces);
  dibr::write_obj((preds / "cls" / "o1_0.obj").string(), kSquare + torch::tensor({0.f, 0.f, 0.1f}), kSquareFaces);

  dibr::ChamferReportOptions options;
  options.predictions_dir = preds.string();
  options.dataset = dibr::open_dataset(data.string());
  int last_done = 0, last_total = 0;
  options.progress = [&](int d, int t) { last_done = d, last_total = t; };
  const auto report = dibr::run_chamfer_report(options);
  ASSERT_EQ(report.objects.size(), 2u);
  EXPECT_EQ(last_done, 3);
  EXPECT_EQ(last_total, 3);
  EXPECT_LT(report.objects[0].chamfer, 0.02);
  EXPECT_GT(report.objects[1].chamfer, 0.1);
  ASSERT_EQ(report.classes.size(), 1u);
  EXPECT_EQ(report.classes[0].objects, 2);
  EXPECT_NEAR(report.mean_of_class_means, (report.objects[0].chamfer + report.objects[1].chamfer) / 2, 1e-12);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("o2_0.obj"), std::string::npos) << report.problems[0];

  // Same seed, same numbers.
  const auto again = dibr::run_chamfer_report(options);
  EXPECT_EQ(again.objects[1].chamfer, report.objects[1].chamfer);

  const auto md = report.markdown();
  EXPECT_NE(md.find("| cls | 2 |"), std::string::npos) << md;
  const auto prefix = (dir.path / "out" / "report").string();
  report.save(prefix);
  for (const char* ext : {".md", ".csv", ".json"}) EXPECT_GT(fs::file_size(prefix + ext), 0u) << ext;

  std::atomic<bool> cancel{true};
  options.cancel = &cancel;
  EXPECT_TRUE(dibr::run_chamfer_report(options).objects.empty());
}

TEST(ChamferReport, AnEmptyPredictionCountsWithTheCubesDiagonalNotDropped) {
  TempDir dir("chamfer_empty");
  const auto data = dir.path / "data";
  const auto preds = dir.path / "pred";
  write_square_objects(data, 2);
  fs::create_directories(preds / "cls");
  dibr::write_obj((preds / "cls" / "o0_0.obj").string(), kSquare, kSquareFaces);
  dibr::write_obj((preds / "cls" / "o1_0.obj").string(), torch::zeros({0, 3}), torch::zeros({0, 3}, torch::kLong));
  dibr::ChamferReportOptions options;
  options.predictions_dir = preds.string();
  options.dataset = dibr::open_dataset(data.string());
  options.sampling_floor = true;
  const auto report = dibr::run_chamfer_report(options);
  ASSERT_EQ(report.objects.size(), 2u);
  EXPECT_TRUE(report.objects[1].empty);
  EXPECT_DOUBLE_EQ(report.objects[1].chamfer, std::sqrt(3.0));
  EXPECT_EQ(report.objects[1].fscore[4], 0.0);
  EXPECT_NEAR(report.mean_of_class_means, (report.objects[0].chamfer + std::sqrt(3.0)) / 2, 1e-12);
  EXPECT_NEAR(report.mean_floor, report.objects[0].floor, 1e-12) << "an empty prediction has no floor";
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("empty prediction"), std::string::npos) << report.problems[0];
}

TEST(ChamferReport, NonUtf8NamesDoNotStopTheReport) {
  dibr::test::TempDir dir("chamfer_utf8");
  dibr::ChamferReport report;
  report.objects.push_back({"cls", "obj\xff\xfe", 0.01, 0.01, 0.01, {}});
  report.classes.push_back({"cls", 1, 0.01, {}});
  report.problems.push_back("/data/\xc3(bad: a file name that is not UTF-8");
  const auto prefix = (dir.path / "report").string();
  EXPECT_NO_THROW(report.save(prefix));
  EXPECT_GT(fs::file_size(prefix + ".json"), 0u);
}

}  // namespace
