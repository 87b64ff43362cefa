#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "nmr_fixture.h"
#include "trainer/obj_io.h"

namespace {

using dibr::test::TempDir;

TEST(ObjIo, RoundTripsVerticesColoursAndFaces) {
  TempDir dir("obj");
  const auto vertices = torch::randn({50, 3});
  const auto colors = torch::rand({50, 3});
  const auto faces = torch::randint(0, 50, {80, 3}, torch::kLong);
  const auto file = (dir.path / "m.obj").string();
  dibr::write_obj(file, vertices, faces, colors);
  const auto mesh = dibr::read_obj(file);
  EXPECT_TRUE(torch::allclose(mesh.vertices, vertices, 0, 1e-6));
  ASSERT_TRUE(mesh.colors.defined());
  EXPECT_TRUE(torch::allclose(mesh.colors, colors, 0, 1e-5));
  EXPECT_TRUE(torch::equal(mesh.faces, faces));
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));

  dibr::write_obj(file, vertices, faces);
  const auto plain = dibr::read_obj(file);
  EXPECT_FALSE(plain.colors.defined());
  EXPECT_TRUE(torch::equal(plain.faces, faces));
}

TEST(ObjIo, ReadsSlashFormsQuadsCommentsAndNegativeIndices) {
  TempDir dir("obj_forms");
  const auto file = (dir.path / "q.obj").string();
  std::ofstream(file) << "# a quad and a triangle\n"
                         "o thing\n"
                         "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"
                         "vt 0 0\nvn 0 0 1\n"
                         "f 1/1/1 2/1/1 3/1/1 4/1/1\n"
                         "f -4//1 -2//1 -1//1\n";
  const auto mesh = dibr::read_obj(file);
  ASSERT_EQ(mesh.vertices.sizes(), torch::IntArrayRef({4, 3}));
  EXPECT_FALSE(mesh.colors.defined());
  const auto expected = torch::tensor({0, 1, 2, 0, 2, 3, 0, 2, 3}, torch::kLong).view({3, 3});
  EXPECT_TRUE(torch::equal(mesh.faces, expected)) << mesh.faces;
}

TEST(ObjIo, ErrorsNameTheFileAndLine) {
  TempDir dir("obj_errors");
  const auto file = (dir.path / "bad.obj").string();
  std::ofstream(file) << "v 0 0 0\nv 1 0 0\nf 1 2 7\n";
  try {
    dibr::read_obj(file);
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file + ":3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(dibr::read_obj((dir.path / "missing.obj").string()), std::runtime_error);
  EXPECT_ANY_THROW(dibr::write_obj(file, torch::zeros({3, 3}), torch::tensor({0, 1, 5}, torch::kLong).view({1, 3})));
}

}  // namespace
