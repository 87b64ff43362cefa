// The prediction types of the method seam: export and scoring by kind, PLY round trip.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "nmr_fixture.h"
#include "render/icosphere.h"
#include "trainer/obj_io.h"
#include "trainer/ply_io.h"
#include "trainer/prediction.h"

namespace dibr {
namespace {

TEST(Prediction, MeshExportsAsObjAndSamplesItsSurface) {
  test::TempDir dir("prediction_mesh");
  const TriangleMesh sphere = make_icosphere(2, 0.5);
  Prediction p;
  p.kind = PredictionKind::Mesh;
  p.vertices = torch::stack({sphere.vertices, sphere.vertices * 2});
  p.colors = torch::rand({2, sphere.vertices.size(0), 3});
  p.faces = sphere.faces;
  EXPECT_EQ(p.count(), 2);
  EXPECT_STREQ(export_extension(p.kind), ".obj");
  const auto path = (dir.path / "m.obj").string();
  write_prediction(p, 1, path);
  const ObjMesh back = read_obj(path);
  EXPECT_TRUE(torch::allclose(back.vertices, sphere.vertices * 2, 0, 1e-6));
  EXPECT_TRUE(torch::allclose(back.colors, p.colors[1], 0, 1e-5));
  const at::Tensor samples = sample_prediction_points(p, 1, 500, 7);
  EXPECT_EQ(samples.sizes(), (std::vector<int64_t>{500, 3}));
  EXPECT_NEAR(samples.norm(2, 1).mean().item<double>(), 1.0, 0.05) << "samples lie on the radius-1 sphere";
}

TEST(Prediction, PointCloudExportsAsPlyAndIsScoredOnItsPoints) {
  test::TempDir dir("prediction_points");
  Prediction p;
  p.kind = PredictionKind::PointCloud;
  p.vertices = torch::rand({1, 300, 3}) - 0.5;
  p.colors = torch::rand({1, 300, 3});
  EXPECT_STREQ(export_extension(p.kind), ".ply");
  EXPECT_THROW(p.mesh(0), std::logic_error);
  const auto path = (dir.path / "p.ply").string();
  write_prediction(p, 0, path);
  const PlyPoints back = read_ply_points(path);
  EXPECT_TRUE(torch::equal(back.points, p.vertices[0]));
  EXPECT_LE((back.colors - p.colors[0]).abs().max().item<double>(), 0.5 / 255 + 1e-6);
  EXPECT_EQ(sample_prediction_points(p, 0, 100, 1).size(0), 100);
  EXPECT_EQ(sample_prediction_points(p, 0, 1000, 1).size(0), 300) << "all points when fewer than asked";
  std::ifstream header(path);
  std::string first;
  std::getline(header, first);
  EXPECT_EQ(first, "ply");
}

// The ASCII form MeshLab, Blender and CloudCompare also read: the standard header and one "x y z r g b" line per
// point; it reads back to the same points (printed with 9 significant digits: float32 exact).
TEST(Prediction, PointCloudExportsAsAsciiPlyToo) {
  test::TempDir dir("prediction_points_ascii");
  Prediction p;
  p.kind = PredictionKind::PointCloud;
  p.vertices = torch::rand({1, 40, 3}) - 0.5;
  p.colors = torch::rand({1, 40, 3});
  const auto path = (dir.path / "p.ply").string();
  write_prediction(p, 0, path, PlyEncoding::Ascii);
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 11u + 40u);
  EXPECT_EQ(lines[0], "ply");
  EXPECT_EQ(lines[1], "format ascii 1.0");
  EXPECT_EQ(lines[3], "element vertex 40");
  EXPECT_EQ(lines[7], "property uchar red");
  EXPECT_EQ(lines[10], "end_header");
  EXPECT_EQ(std::count(lines[11].begin(), lines[11].end(), ' '), 5) << lines[11];
  const PlyPoints back = read_ply_points(path);
  EXPECT_TRUE(torch::equal(back.points, p.vertices[0]));
  EXPECT_LE((back.colors - p.colors[0]).abs().max().item<double>(), 0.5 / 255 + 1e-6);
  // Without colours, three numbers a line.
  p.colors = at::Tensor();
  write_prediction(p, 0, path, PlyEncoding::Ascii);
  EXPECT_FALSE(read_ply_points(path).colors.defined());
  EXPECT_EQ(ply_encoding_from("ascii"), PlyEncoding::Ascii);
  EXPECT_THROW(ply_encoding_from("text"), std::invalid_argument);
}

TEST(Prediction, TruncatedPlyIsAClearError) {
  test::TempDir dir("prediction_ply_bad");
  const auto path = (dir.path / "p.ply").string();
  write_ply_points(path, torch::rand({50, 3}));
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 10);
  try {
    read_ply_points(path);
    FAIL() << "a truncated PLY was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dibr
