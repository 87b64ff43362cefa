// Exports that open everywhere (trainer/mesh_export.h): meshes as OBJ or PLY with colours, normals and a provenance
// header, point clouds as PLY, read back bit for bit (binary) or to print precision (ASCII).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "nmr_fixture.h"
#include "render/icosphere.h"
#include "trainer/mesh_export.h"
#include "trainer/obj_io.h"

namespace dibr {
namespace {

namespace fs = std::filesystem;

Prediction sphere_prediction() {
  const TriangleMesh sphere = make_icosphere(2, 0.5);
  Prediction p;
  p.kind = PredictionKind::Mesh;
  p.vertices = sphere.vertices.unsqueeze(0);
  p.faces = sphere.faces;
  p.colors = torch::rand({1, sphere.vertices.size(0), 3});
  return p;
}

bool has_line(const std::vector<std::string>& lines, const std::string& prefix) {
  for (const auto& l : lines)
    if (l.rfind(prefix, 0) == 0) return true;
  return false;
}

TEST(MeshExport, AMeshAsBinaryPlyReadsBackWithColoursNormalsAndProvenance) {
  test::TempDir dir("mesh_export_ply");
  const Prediction p = sphere_prediction();
  ExportOptions o;
  o.normals = true;
  o.provenance = {"runs/quick/step_400.pt", 400, "dibr", "02691156/abc view 0"};
  const std::string path = (dir.path / "chair.ply").string();
  export_prediction(p, 0, path, o);
  const PlyMesh m = read_ply_mesh(path);
  EXPECT_TRUE(torch::equal(m.vertices, p.vertices[0].to(torch::kFloat32)));
  EXPECT_TRUE(torch::equal(m.faces, p.faces));
  EXPECT_LE((m.colors - p.colors[0]).abs().max().item<float>(), 0.5f / 255 + 1e-6f);
  ASSERT_TRUE(m.normals.defined());
  EXPECT_NEAR((m.normals.norm(2, 1) - 1).abs().max().item<float>(), 0.f, 1e-5f);
  // On a sphere the vertex normal is the radial direction.
  const at::Tensor radial = m.vertices / m.vertices.norm(2, 1, true);
  EXPECT_GT((m.normals * radial).sum(1).min().item<float>(), 0.99f);
  EXPECT_TRUE(has_line(m.comments, "source: runs/quick/step_400.pt"));
  EXPECT_TRUE(has_line(m.comments, "step: 400"));
  EXPECT_TRUE(has_line(m.comments, "object: 02691156/abc view 0"));
  EXPECT_TRUE(has_line(m.comments, "frame: "));
  EXPECT_TRUE(has_line(m.comments, "colour space: sRGB"));
}

TEST(MeshExport, AsciiPlyAndObjCarryTheSameMesh) {
  test::TempDir dir("mesh_export_ascii");
  const Prediction p = sphere_prediction();
  ExportOptions o;
  o.ply = PlyEncoding::Ascii;
  o.normals = true;
  o.provenance.step = 7;
  export_prediction(p, 0, (dir.path / "a.ply").string(), o);
  export_prediction(p, 0, (dir.path / "a.obj").string(), o);
  const PlyMesh ply = read_ply_mesh((dir.path / "a.ply").string());
  const ObjMesh obj = read_obj((dir.path / "a.obj").string());
  EXPECT_TRUE(torch::allclose(ply.vertices, obj.vertices, 0, 1e-6));
  EXPECT_TRUE(torch::equal(ply.faces, obj.faces)) << "OBJ faces written as a//a read back as a";
  std::ifstream in(dir.path / "a.obj");
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "# written by DIB-R Studio");
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("# step: 7\n"), std::string::npos);
  EXPECT_NE(text.find("\nvn "), std::string::npos);
}

TEST(MeshExport, APointCloudIsPlyOnlyAndAnUnknownExtensionIsRefused) {
  test::TempDir dir("mesh_export_points");
  Prediction cloud;
  cloud.kind = PredictionKind::PointCloud;
  cloud.vertices = torch::rand({1, 50, 3});
  export_prediction(cloud, 0, (dir.path / "c.ply").string(), {});
  const PlyPoints back = read_ply_points((dir.path / "c.ply").string());
  EXPECT_TRUE(torch::equal(back.points, cloud.vertices[0])) << "point readers still read it (comments in the header)";
  try {
    export_prediction(cloud, 0, (dir.path / "c.obj").string(), {});
    FAIL() << "a cloud as OBJ";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("c.ply"), std::string::npos) << "suggests the .ply name: " << e.what();
  }
  EXPECT_THROW(export_prediction(sphere_prediction(), 0, (dir.path / "m.stl").string(), {}), std::invalid_argument);
  EXPECT_FALSE(fs::exists(dir.path / "c.obj"));
  EXPECT_FALSE(fs::exists(dir.path / "m.stl"));
}

TEST(MeshExport, APathWithoutExtensionGetsTheKindsOne) {
  EXPECT_EQ(with_export_extension("out/chair400", PredictionKind::Mesh), "out/chair400.obj");
  EXPECT_EQ(with_export_extension("out/chair400", PredictionKind::Mesh, ".ply"), "out/chair400.ply");
  EXPECT_EQ(with_export_extension("out/chair400", PredictionKind::PointCloud), "out/chair400.ply");
  EXPECT_EQ(with_export_extension("out/chair.obj", PredictionKind::Mesh, ".ply"), "out/chair.obj");
  EXPECT_EQ(with_export_extension("", PredictionKind::Mesh), "");
}

TEST(MeshExport, ADamagedPlyIsAnErrorNamingTheFileNotAHugeAllocation) {
  test::TempDir dir("mesh_export_bad");
  const std::string path = (dir.path / "bad.ply").string();
  std::ofstream(path) << "ply\nformat binary_little_endian 1.0\nelement vertex 1000000000000\nproperty float x\n"
                         "property float y\nproperty float z\nend_header\nabc";
  try {
    read_ply_mesh(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.ply"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("claims"), std::string::npos) << e.what();
  }
  export_prediction(sphere_prediction(), 0, path, {});
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() - 5);
  EXPECT_THROW(read_ply_mesh(path), std::runtime_error) << "a truncated face list";
}

TEST(MeshExport, VertexNormalsAreAreaWeighted) {
  // Two faces at a vertex: a large one facing +z and a small one facing +x.
  const at::Tensor v = torch::tensor({0.f, 0.f, 0.f, 2.f, 0.f, 0.f, 0.f, 2.f, 0.f, 0.f, 0.f, -0.1f, 0.f, 0.1f, 0.f}).view({5, 3});
  const at::Tensor f = torch::tensor({0, 1, 2, 0, 3, 4}, torch::kLong).view({2, 3});
  const at::Tensor n = vertex_normals(v, f);
  EXPECT_GT(n[0][2].item<float>(), 0.99f);
  EXPECT_GT(n[0][0].item<float>(), 0.f);
  EXPECT_NEAR(n[0].norm().item<float>(), 1.f, 1e-6f);
}

}  // namespace
}  // namespace dibr
