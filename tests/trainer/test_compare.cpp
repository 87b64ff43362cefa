// `dibr compare` end to end on a tiny dataset: two runs of different methods scored on the same objects, with
// voxel IoU, steps/s and parameter counts, written as Markdown, CSV, JSON and a picture grid.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nmr_fixture.h"
#include "trainer/compare_report.h"
#include "trainer/image_io.h"
#include "trainer/npz.h"
#include "tiny_run.h"
#include "trainer/training_run.h"
#include "trainer/voxel_iou.h"

namespace dibr {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kClass = "02691156";

// <dir>/nmr: one class, two training and two test objects, and beside it the test objects' GT voxels (a solid centre
// block and nothing). Returns the data root.
fs::path write_compare_data(const test::TempDir& dir) {
  const auto root = dir.path / "nmr";
  test::write_tiny_dataset(root, kClass, 4, {0, 1}, {2}, {2, 3});
  at::Tensor voxels = torch::zeros({2, 32, 32, 32}, torch::kBool);
  voxels[0].slice(0, 8, 24).slice(1, 8, 24).slice(2, 8, 24).fill_(true);
  write_kato_voxels((dir.path / (kClass + "_test_voxels.npz")).string(), voxels);
  return root;
}

TEST(Compare, TwoMethodsOnTheSameObjectsWithEveryMetricAndTheGrid) {
  test::TempDir dir("compare");
  const auto root = write_compare_data(dir);

  std::vector<std::string> runs;
  for (const std::string preset : {"quick", "softras-quick"}) {
    const TrainConfig c = test::tiny_run_config(preset, root, dir.path / preset, 2);
    ASSERT_TRUE(test::train_to_end(c));
    runs.push_back(c.run.out_dir);
  }

  CompareOptions o;
  o.runs = runs;
  o.dataset = open_dataset(root.string());
  o.out_dir = (dir.path / "cmp").string();
  o.voxels_dir = dir.str();
  o.grid_objects = 2;
  std::vector<std::string> stages;
  o.stage = [&](const std::string& s) { stages.push_back(s); };
  const CompareReport report = run_compare(o);
  ASSERT_EQ(report.runs.size(), 2u);
  EXPECT_EQ(report.runs[0].method, "dibr");
  EXPECT_EQ(report.runs[1].method, "softras");
  EXPECT_EQ(report.runs[0].label, "dibr · quick");
  EXPECT_EQ(report.runs[1].label, "softras · softras-quick");
  for (const auto& r : report.runs) {
    EXPECT_EQ(r.step, 2);
    EXPECT_GT(r.parameters, 100000);
    EXPECT_GT(r.steps_per_second, 0.0);
    ASSERT_EQ(r.reference.objects.size(), 2u) << r.label;
    ASSERT_EQ(r.dvr.objects.size(), 2u) << r.label;
    EXPECT_GT(r.reference.mean_of_class_means, 0.0);
    EXPECT_GE(r.reference.mean_voxel_iou, 0.0);
    EXPECT_LE(r.reference.mean_voxel_iou, 1.0);
    // The empty GT grid gives IoU 0 against any solid prediction.
    EXPECT_EQ(r.reference.objects[1].voxel_iou, 0.0);
  }
  EXPECT_NE(report.runs[0].parameters, report.runs[1].parameters);
  // The studio names overlays the same way, from the folder alone.
  EXPECT_EQ(run_label(run_method(runs[1]), runs[1]), "softras · softras-quick");
  fs::remove(fs::path(runs[0]) / "config.json");  // then the newest checkpoint tells
  EXPECT_EQ(run_method(runs[0]), "dibr");
  EXPECT_EQ(run_method((dir.path / "nowhere").string()), "");
  EXPECT_FALSE(stages.empty());

  const std::string md = read_all(fs::path(o.out_dir) / "compare.md");
  EXPECT_NE(md.find("dibr · quick"), std::string::npos);
  EXPECT_NE(md.find("softras · softras-quick"), std::string::npos);
  EXPECT_NE(md.find("Chamfer-L1"), std::string::npos);
  const std::string csv = read_all(fs::path(o.out_dir) / "compare.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 2);  // header + (class + mean) per run
  EXPECT_NE(read_all(fs::path(o.out_dir) / "compare.json").find("\"voxel_iou\""), std::string::npos);
  const at::Tensor grid = read_png((fs::path(o.out_dir) / "compare_grid.png").string());
  EXPECT_EQ(grid.size(0), 2 * 64);            // two objects
  EXPECT_EQ(grid.size(1), (1 + 2 * 2) * 64);  // input | 2 renders | 2 novel views
}

// A point method beside a mesh method (seed_methods.md §5): each run's point count and sampling floor, every run
// also scored at the point method's N, voxel IoU marked as not applying to the points, never blank.
TEST(Compare, PointCloudsAndMeshesShareTheMatchedPointCount) {
  test::TempDir dir("compare_points");
  const auto root = write_compare_data(dir);
  // GT clouds larger than every sample, so that the sampling floors are measured (100 points would give 0).
  for (const char* id : {"obj2", "obj3"})
    write_npz((root / kClass / id / "pointcloud.npz").string(),
              {{"points", torch::rand({5000, 3}) - 0.5}, {"normals", torch::zeros({5000, 3})},
               {"loc", torch::zeros({3})}, {"scale", torch::ones({})}});
  std::vector<std::string> runs;
  for (const std::string preset : {"softras-quick", "differ-quick"}) {
    TrainConfig c = test::tiny_run_config(preset, root, dir.path / preset, 2);
    c.data.image_size = 32;
    c.data.views_per_object = 2;
    c.points.count = 300;
    ASSERT_TRUE(test::train_to_end(c));
    runs.push_back(c.run.out_dir);
  }
  CompareOptions o;
  o.runs = runs;
  o.dataset = open_dataset(root.string());
  o.out_dir = (dir.path / "cmp").string();
  o.voxels_dir = dir.str();
  o.grid_objects = 1;
  const CompareReport report = run_compare(o);
  ASSERT_EQ(report.runs.size(), 2u);
  EXPECT_TRUE(report.problems.empty()) << report.problems.front();
  EXPECT_EQ(report.matched_points, 300);
  const CompareRun& mesh = report.runs[0];
  const CompareRun& cloud = report.runs[1];
  EXPECT_EQ(mesh.prediction, "mesh");
  EXPECT_EQ(mesh.points, 0);
  EXPECT_EQ(cloud.prediction, "point cloud");
  EXPECT_EQ(cloud.points, 300);
  // The cloud is scored with its own 300 points under both protocols; the mesh is sampled at 2500, then at 300.
  EXPECT_EQ(cloud.reference.points_scored, 300);
  EXPECT_EQ(mesh.reference.points_scored, 2500);
  EXPECT_EQ(mesh.matched.points_scored, 300);
  EXPECT_EQ(cloud.matched.points_scored, 300);
  // Floors: fewer points, a higher floor; the two runs share the matched floor's protocol.
  EXPECT_GT(cloud.reference.mean_floor, mesh.reference.mean_floor);
  EXPECT_GT(mesh.matched.mean_floor, mesh.reference.mean_floor);
  EXPECT_NEAR(mesh.matched.mean_floor, cloud.matched.mean_floor, 1e-12);
  EXPECT_GT(cloud.reference.mean_of_class_means, cloud.reference.mean_floor);
  EXPECT_GE(mesh.reference.mean_voxel_iou, 0.0);
  EXPECT_LT(cloud.reference.mean_voxel_iou, 0.0);
  const std::string md = read_all(fs::path(o.out_dir) / "compare.md");
  EXPECT_NE(md.find("n/a (points)"), std::string::npos);
  EXPECT_NE(md.find("chamfer ×100 (300 pts)"), std::string::npos);
  EXPECT_NE(md.find("its sampling floor"), std::string::npos);
  EXPECT_NE(md.find("| point cloud | 300 |"), std::string::npos);
  EXPECT_EQ(md.find("|  |"), std::string::npos) << "a blank cell:\n" << md;
  const std::string json = read_all(fs::path(o.out_dir) / "compare.json");
  EXPECT_NE(json.find("\"matched_points\": 300"), std::string::npos);
  EXPECT_NE(json.find("\"voxel_iou\": \"n/a\""), std::string::npos);
}

TEST(Compare, ARunWithoutACheckpointIsAClearError) {
  test::TempDir dir("compare_missing");
  CompareOptions o;
  o.runs = {(dir.path / "nothing").string()};
  o.dataset = nullptr;
  o.out_dir = (dir.path / "cmp").string();
  EXPECT_THROW(run_compare(o), std::runtime_error);
  fs::create_directories(dir.path / "empty_run");
  o.runs = {(dir.path / "empty_run").string()};
  torch::manual_seed(5);
  test::write_fake_object(dir.path / "nmr" / "c" / "o", 0, 32);
  test::write_list(dir.path / "nmr" / "c" / "softras_train.lst", {"o"});
  test::write_list(dir.path / "nmr" / "c" / "softras_test.lst", {"o"});
  o.dataset = open_dataset((dir.path / "nmr").string());
  try {
    run_compare(o);
    ADD_FAILURE() << "a run folder without a checkpoint was compared";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no readable checkpoint"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dibr
