// Marching cubes: the generated table, and meshes of analytic fields that must be closed, outward and close to the
// shape.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <utility>

#include "render/marching_cubes.h"

namespace dibr {
namespace {

// Every undirected edge of the mesh appears in exactly two faces, once in each direction.
::testing::AssertionResult closed_and_consistent(const at::Tensor& faces) {
  std::map<std::pair<int64_t, int64_t>, int> directed;
  const auto f = faces.accessor<int64_t, 2>();
  for (int64_t i = 0; i < faces.size(0); ++i)
    for (int k = 0; k < 3; ++k) ++directed[{f[i][k], f[i][(k + 1) % 3]}];
  for (const auto& [edge, count] : directed) {
    if (count != 1) return ::testing::AssertionFailure() << "edge " << edge.first << "->" << edge.second << " used " << count << " times";
    if (!directed.count({edge.second, edge.first}))
      return ::testing::AssertionFailure() << "edge " << edge.first << "-" << edge.second << " is on a border";
  }
  return ::testing::AssertionSuccess();
}

double signed_volume(const MarchingCubesMesh& m) {
  const at::Tensor v = m.vertices.to(torch::kFloat64);
  const at::Tensor a = v.index_select(0, m.faces.select(1, 0)), b = v.index_select(0, m.faces.select(1, 1)),
                   c = v.index_select(0, m.faces.select(1, 2));
  return (a * torch::cross(b, c, 1)).sum().item<double>() / 6.0;
}

at::Tensor grid_coordinates(int n) {
  const at::Tensor axis = torch::arange(n, torch::kFloat32);
  const auto g = torch::meshgrid({axis, axis, axis}, "ij");
  return torch::stack({g[0], g[1], g[2]}, 3);  // (n,n,n,3) in index units
}

TEST(MarchingCubesTable, EveryCaseClosesItsLoopsAndComplementsFlipOrientation) {
  const auto& table = marching_cubes_table();
  EXPECT_TRUE(table[0].triangles.empty());
  EXPECT_TRUE(table[255].triangles.empty());
  EXPECT_EQ(table[1].triangles.size(), 1u);   // one corner: one triangle
  EXPECT_EQ(table[3].triangles.size(), 2u);   // one edge: a quad
  EXPECT_EQ(table[15].triangles.size(), 2u);  // one face: a quad
  for (int i = 1; i < 255; ++i) {
    EXPECT_FALSE(table[i].triangles.empty()) << "case " << i;
    // A triangle's edges all cross: one end occupied, the other free.
    for (const auto& t : table[i].triangles)
      for (int e : t) {
        const auto ends = cube_edge_corners(e);
        EXPECT_NE((i >> ends[0]) & 1, (i >> ends[1]) & 1) << "case " << i << " edge " << e;
      }
  }
}

TEST(MarchingCubes, SphereIsClosedOutwardAndCloseToTheRadius) {
  const int n = 24;
  const double r = 8.3, c = 11.5;
  const at::Tensor p = grid_coordinates(n) - c;
  const at::Tensor values = r - p.norm(2, 3);  // > 0 inside
  const MarchingCubesMesh m = marching_cubes(values, 0.0);
  ASSERT_GT(m.faces.size(0), 100);
  EXPECT_TRUE(closed_and_consistent(m.faces));
  const double volume = signed_volume(m), exact = 4.0 / 3.0 * M_PI * r * r * r;
  EXPECT_GT(volume, 0) << "faces must be counter-clockwise seen from outside";
  EXPECT_NEAR(volume, exact, 0.03 * exact);
  const at::Tensor radius = (m.vertices.to(torch::kFloat64) - c).norm(2, 1);
  EXPECT_LT((radius - r).abs().max().item<double>(), 0.1);
}

TEST(MarchingCubes, AFieldThatReachesTheBorderIsClosedThereOnlyWhenAsked) {
  const int n = 10;
  const at::Tensor values = torch::ones({n, n, n});  // occupied everywhere
  const MarchingCubesMesh closed = marching_cubes(values, 0.5, /*close_at_border=*/true);
  EXPECT_TRUE(closed_and_consistent(closed.faces));
  EXPECT_GT(signed_volume(closed), 0);
  const auto lo = closed.vertices.amin(0), hi = closed.vertices.amax(0);
  EXPECT_NEAR(lo.min().item<double>(), -0.0, 1e-3);
  EXPECT_NEAR(hi.max().item<double>(), n - 1.0, 1e-3);
  EXPECT_EQ(marching_cubes(values, 0.5, /*close_at_border=*/false).faces.size(0), 0);
}

TEST(MarchingCubes, TwoCubesSharingAFaceAgreeInEveryConfiguration) {
  // All 2^12 sign patterns of a 2x2x3 grid (two cubes, one shared face): the closed mesh never cracks or folds.
  for (int pattern = 0; pattern < 4096; ++pattern) {
    at::Tensor v = torch::empty({2, 2, 3});
    for (int q = 0; q < 12; ++q) v.view({-1})[q] = (pattern >> q & 1) ? 1.0f : -1.0f;
    const MarchingCubesMesh m = marching_cubes(v, 0.0);
    ASSERT_TRUE(closed_and_consistent(m.faces)) << "pattern " << pattern;
    if (pattern != 0) ASSERT_GT(signed_volume(m), 0) << "pattern " << pattern;
  }
}

TEST(MarchingCubes, SaddlesAndTunnelsStayClosed) {
  // A torus and random fields exercise the ambiguous faces; the mesh must never crack.
  const int n = 28;
  const at::Tensor p = grid_coordinates(n) - 13.5;
  const at::Tensor ring = (p.select(3, 0).pow(2) + p.select(3, 1).pow(2)).sqrt() - 8.0;
  const at::Tensor torus = 3.0 - (ring.pow(2) + p.select(3, 2).pow(2)).sqrt();
  const MarchingCubesMesh t = marching_cubes(torus, 0.0);
  EXPECT_TRUE(closed_and_consistent(t.faces));
  const double exact = 2 * M_PI * M_PI * 8.0 * 3.0 * 3.0;
  EXPECT_NEAR(signed_volume(t), exact, 0.05 * exact);
  torch::manual_seed(3);
  for (int trial = 0; trial < 3; ++trial) {
    const MarchingCubesMesh r = marching_cubes(torch::rand({9, 9, 9}), 0.5);
    EXPECT_TRUE(closed_and_consistent(r.faces)) << "random field " << trial;
    EXPECT_GT(signed_volume(r), 0);
  }
}

}  // namespace
}  // namespace dibr
