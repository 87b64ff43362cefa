// Kato's voxel IoU: voxelisation with the interior filled in Kato's transform and axis order, IoU of a mesh with
// itself and with a shifted copy, the voxel files (missing, malformed, written by make-sample) and the chamfer
// report's voxel column.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "nmr_fixture.h"
#include "render/icosphere.h"
#include "trainer/npz.h"
#include "trainer/voxel_iou.h"

namespace dibr {
namespace {

// An axis-aligned box [lo, hi] (per axis) as 12 triangles.
TriangleMesh box(const std::array<double, 3>& lo, const std::array<double, 3>& hi) {
  TriangleMesh m;
  m.vertices = torch::empty({8, 3});
  for (int i = 0; i < 8; ++i)
    for (int d = 0; d < 3; ++d) m.vertices[i][d] = (i >> d & 1) ? hi[d] : lo[d];
  m.faces = torch::tensor({0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, 0, 4, 5, 0, 5, 1,
                           2, 3, 7, 2, 7, 6, 0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3}, torch::kLong)
                .view({12, 3});
  return m;
}

TEST(VoxelIou, ABoxFillsExactlyTheVoxelsOfKatosTransform) {
  // floor(31 v + 16): -0.25 -> 8, 0.25 -> 23, so 16 voxels a side, interior included.
  const TriangleMesh b = box({-0.25, -0.25, -0.25}, {0.25, 0.25, 0.25});
  const at::Tensor grid = voxelize_kato(b.vertices, b.faces);
  EXPECT_EQ(grid.sizes(), (std::vector<int64_t>{32, 32, 32}));
  EXPECT_EQ(grid.sum().item<int64_t>(), 16 * 16 * 16);
  EXPECT_TRUE(grid[16][16][16].item<bool>()) << "the interior is not filled";
  EXPECT_DOUBLE_EQ(voxel_iou(grid, grid), 1.0);
}

TEST(VoxelIou, AShiftedCopyGivesTheExpectedOverlap) {
  const TriangleMesh a = box({-0.25, -0.25, -0.25}, {0.25, 0.25, 0.25});
  const double shift = 4.0 / 31.0;  // exactly four voxels along x
  const TriangleMesh b = box({-0.25 + shift, -0.25, -0.25}, {0.25 + shift, 0.25, 0.25});
  // Overlap 12 of 16 voxels along x: 12 / (16 + 4).
  EXPECT_NEAR(voxel_iou(voxelize_kato(a.vertices, a.faces), voxelize_kato(b.vertices, b.faces)), 0.6, 1e-12);
}

TEST(VoxelIou, AxesFollowKatosTransposeAndFlip) {
  // A slab at x in [0.1, 0.4] (vertex axis X), y, z near 0: in GT order X is axis 1; Z is reversed on axis 2.
  const TriangleMesh slab = box({0.1, -0.05, 0.2}, {0.4, 0.05, 0.4});
  const at::Tensor grid = voxelize_kato(slab.vertices, slab.faces);
  const at::Tensor filled = grid.nonzero();
  EXPECT_EQ(filled.select(1, 1).min().item<int64_t>(), 19);  // floor(31 * 0.1 + 16)
  EXPECT_EQ(filled.select(1, 1).max().item<int64_t>(), 28);  // floor(31 * 0.4 + 16)
  EXPECT_EQ(filled.select(1, 0).min().item<int64_t>(), 14);  // Y on axis 0: floor(-1.55 + 16)
  EXPECT_EQ(filled.select(1, 2).max().item<int64_t>(), 31 - 22);  // Z = 0.2 -> 22, reversed
  EXPECT_EQ(filled.select(1, 2).min().item<int64_t>(), 31 - 28);
}

TEST(VoxelIou, ASphereIsSolidAndItsVolumeIsRight) {
  const TriangleMesh s = make_icosphere(3, 0.4);
  const at::Tensor grid = voxelize_kato(s.vertices, s.faces);
  // Every voxel the surface touches is solid: between the ball of radius R and the one grown by half a voxel
  // diagonal (R = 0.4 * 31 voxels).
  const double r = 0.4 * 31, count = grid.sum().item<double>();
  EXPECT_GT(count, 4.0 / 3.0 * M_PI * std::pow(r, 3));
  EXPECT_LT(count, 4.0 / 3.0 * M_PI * std::pow(r + std::sqrt(3.0) / 2, 3));
  EXPECT_TRUE(grid[16][16][16].item<bool>());
  EXPECT_FALSE(grid[0][0][0].item<bool>());
}

TEST(VoxelIou, VoxelFilesRoundTripAndBadOnesAreNamed) {
  test::TempDir dir("voxels");
  const TriangleMesh b = box({-0.25, -0.25, -0.25}, {0.25, 0.25, 0.25});
  const at::Tensor grids = torch::stack({voxelize_kato(b.vertices, b.faces), torch::zeros({32, 32, 32}, torch::kBool)});
  write_kato_voxels((dir.path / "02691156_test_voxels.npz").string(), grids);
  EXPECT_TRUE(torch::equal(read_kato_voxels(dir.str(), "02691156", "test"), grids));
  // The sample's layout: <dir>/<class>/<class>_<split>_voxels.npz.
  std::filesystem::create_directories(dir.path / "cls");
  write_kato_voxels((dir.path / "cls" / "cls_val_voxels.npz").string(), grids);
  EXPECT_EQ(read_kato_voxels(dir.str(), "cls", "val").size(0), 2);
  try {
    read_kato_voxels(dir.str(), "02691156", "val");
    ADD_FAILURE() << "a missing voxel file was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("02691156_val_voxels.npz"), std::string::npos) << e.what();
  }
  write_npz((dir.path / "bad_test_voxels.npz").string(), {{"arr_0", torch::zeros({2, 16, 16, 16}, torch::kBool)}});
  EXPECT_THROW(read_kato_voxels(dir.str(), "bad", "test"), std::runtime_error);
}

TEST(VoxelIou, SplitListRowsCountNonEmptyLines) {
  test::TempDir dir("voxel_rows");
  std::filesystem::create_directories(dir.path / "c");
  std::ofstream(dir.path / "c" / "softras_test.lst") << "\xEF\xBB\xBF" << "a\n\n  b \nc\n";
  const auto rows = split_list_rows(dir.str(), "c", "test");
  EXPECT_EQ(rows.at("a"), 0);
  EXPECT_EQ(rows.at("b"), 1);
  EXPECT_EQ(rows.at("c"), 2);
  EXPECT_THROW(split_list_rows(dir.str(), "c", "train"), std::runtime_error);
}

}  // namespace
}  // namespace dibr
