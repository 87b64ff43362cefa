#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <set>

#include "render/icosphere.h"
#include "render/mesh_ops.h"

namespace {

TEST(MeshOps, GatherFaceValuesPicksCorners) {
  auto values = torch::arange(2 * 4 * 2, torch::kFloat32).view({2, 4, 2});
  auto faces = torch::tensor({0, 1, 2, 3, 2, 1}, torch::kLong).view({2, 3});
  auto g = dibr::gather_face_values(values, faces);
  ASSERT_EQ(g.sizes(), (at::IntArrayRef{2, 2, 3, 2}));
  for (int b = 0; b < 2; ++b)
    for (int f = 0; f < 2; ++f)
      for (int k = 0; k < 3; ++k)
        EXPECT_TRUE(torch::equal(g[b][f][k], values[b][faces[f][k].item<int64_t>()]));
  EXPECT_THROW(dibr::gather_face_values(values, torch::zeros({2, 4}, torch::kLong)), c10::Error);
}

TEST(MeshOps, FaceNormalsFollowRightHandRule) {
  // Counter-clockwise in the xy plane seen from +z: normal +z.
  auto tri = torch::tensor({0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 3.0, 0.0}, torch::kFloat64).view({1, 1, 3, 3});
  auto n = dibr::face_normals(tri);
  EXPECT_TRUE(torch::allclose(n, torch::tensor({0.0, 0.0, 1.0}, torch::kFloat64).view({1, 1, 3})));
  auto raw = dibr::face_normals(tri, false);
  EXPECT_NEAR(raw[0][0][2].item<double>(), 6.0, 1e-12) << "unnormalised length is twice the area";
  auto flipped = dibr::face_normals(tri.index_select(2, torch::tensor({0, 2, 1}, torch::kLong)));
  EXPECT_NEAR(flipped[0][0][2].item<double>(), -1.0, 1e-12);
  // Degenerate faces stay finite.
  auto degenerate = torch::zeros({1, 1, 3, 3}, torch::kFloat32).requires_grad_(true);
  auto dn = dibr::face_normals(degenerate);
  dn.sum().backward();
  EXPECT_TRUE(torch::isfinite(dn).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(degenerate.grad()).all().item<bool>());
}

TEST(MeshOps, ScreenNormalsZPositiveForCounterClockwise) {
  auto ccw = torch::tensor({0.0f, 0.0f, 0.5f, 0.0f, 0.0f, 0.5f}).view({1, 1, 3, 2});
  auto cw = ccw.index_select(2, torch::tensor({0, 2, 1}, torch::kLong));
  EXPECT_NEAR(dibr::screen_normals_z(ccw).item<float>(), 0.25f, 1e-7);
  EXPECT_NEAR(dibr::screen_normals_z(cw).item<float>(), -0.25f, 1e-7);
  // Same sign as the 3D normal's z for a triangle in a z = const plane.
  auto tri3 = torch::cat({ccw, torch::full({1, 1, 3, 1}, -2.0f)}, 3);
  EXPECT_GT(dibr::face_normals(tri3)[0][0][2].item<float>(), 0.0f);
}

TEST(MeshOps, LaplacianRowsSumToZeroAndVanishOnConstants) {
  auto mesh = dibr::make_icosphere(3, 0.5);
  auto L = dibr::uniform_laplacian(642, mesh.faces);
  ASSERT_EQ(L.sizes(), (at::IntArrayRef{642, 642}));
  EXPECT_EQ(L.scalar_type(), torch::kFloat32);
  EXPECT_LT(L.sum(1).abs().max().item<float>(), 1e-5f);
  EXPECT_TRUE(torch::allclose(L.diagonal(), torch::ones(642)));
  auto constant = torch::full({642, 3}, 0.7f);
  EXPECT_LT(torch::matmul(L, constant).abs().max().item<float>(), 1e-5f);
  // Icosphere vertex degrees are 5 (the 12 original corners) or 6.
  auto degree = (L < 0).sum(1);
  EXPECT_EQ((degree == 5).sum().item<int64_t>(), 12);
  EXPECT_EQ((degree == 6).sum().item<int64_t>(), 630);
  // A non-constant field is not in the kernel.
  EXPECT_GT(torch::matmul(L, mesh.vertices).abs().max().item<float>(), 1e-3f);
}

TEST(MeshOps, LaplacianOfSmallMeshByHand) {
  auto faces = torch::tensor({0, 1, 2}, torch::kLong).view({1, 3});
  auto L = dibr::uniform_laplacian(4, faces);  // vertex 3 is isolated
  auto expected = torch::tensor({1.0f, -0.5f, -0.5f, 0.0f, -0.5f, 1.0f, -0.5f, 0.0f, -0.5f, -0.5f, 1.0f, 0.0f,
                                 0.0f, 0.0f, 0.0f, 1.0f})
                      .view({4, 4});
  EXPECT_TRUE(torch::allclose(L, expected));
  EXPECT_THROW(dibr::uniform_laplacian(2, faces), c10::Error) << "face id 2 is out of range for 2 vertices";
}

TEST(MeshOps, EdgeAdjacencyOfTemplate) {
  auto mesh = dibr::make_icosphere(3, 0.5);
  auto adj = dibr::edge_face_adjacency(mesh.faces);
  ASSERT_EQ(adj.edges.sizes(), (at::IntArrayRef{1920, 2}));
  ASSERT_EQ(adj.opposite.sizes(), (at::IntArrayRef{1920, 2}));
  // Each opposite vertex forms a face with the edge, and the two opposites differ from each other and the edge.
  std::set<std::array<int64_t, 3>> face_set;
  auto fa = mesh.faces.accessor<int64_t, 2>();
  for (int64_t i = 0; i < mesh.faces.size(0); ++i) {
    std::array<int64_t, 3> f{fa[i][0], fa[i][1], fa[i][2]};
    std::sort(f.begin(), f.end());
    face_set.insert(f);
  }
  auto ea = adj.edges.accessor<int64_t, 2>();
  auto oa = adj.opposite.accessor<int64_t, 2>();
  for (int64_t e = 0; e < 1920; ++e) {
    EXPECT_NE(oa[e][0], oa[e][1]);
    for (int k = 0; k < 2; ++k) {
      std::array<int64_t, 3> f{ea[e][0], ea[e][1], oa[e][k]};
      std::sort(f.begin(), f.end());
      EXPECT_TRUE(face_set.count(f)) << "edge " << e;
    }
  }
}

TEST(MeshOps, EdgeAdjacencySkipsBoundaryAndRejectsNonManifold) {
  auto two = torch::tensor({0, 1, 2, 0, 2, 3}, torch::kLong).view({2, 3});
  auto adj = dibr::edge_face_adjacency(two);
  ASSERT_EQ(adj.edges.size(0), 1);
  EXPECT_EQ(adj.edges[0][0].item<int64_t>(), 0);
  EXPECT_EQ(adj.edges[0][1].item<int64_t>(), 2);
  EXPECT_EQ(adj.opposite[0][0].item<int64_t>(), 1);
  EXPECT_EQ(adj.opposite[0][1].item<int64_t>(), 3);
  auto fan = torch::tensor({0, 1, 2, 0, 2, 3, 0, 4, 2}, torch::kLong).view({3, 3});
  EXPECT_THROW(dibr::edge_face_adjacency(fan), c10::Error);
}

TEST(MeshOps, SampledPointsLieOnTheSurface) {
  auto mesh = dibr::make_icosphere(2, 0.5);
  auto points = dibr::sample_surface_points(mesh.vertices, mesh.faces, 2000, 7);
  ASSERT_EQ(points.sizes(), (at::IntArrayRef{2000, 3}));
  EXPECT_EQ(points.scalar_type(), torch::kFloat32);
  // On a flat triangle of the icosphere: inside the unit ball, close to radius 0.5 (chord sag is small).
  auto r = points.norm(2, 1);
  EXPECT_LE(r.max().item<float>(), 0.5f + 1e-5f);
  EXPECT_GT(r.min().item<float>(), 0.47f);
  // On an xy-plane triangle: z = 0 and inside the triangle.
  auto verts = torch::tensor({0.0f, 0.0f, 0.0f, 1.0f, 0.0f, 0.0f, 0.0f, 1.0f, 0.0f}).view({3, 3});
  auto faces = torch::tensor({0, 1, 2}, torch::kLong).view({1, 3});
  auto p = dibr::sample_surface_points(verts, faces, 500, 3);
  EXPECT_EQ(p.select(1, 2).abs().max().item<float>(), 0.0f);
  EXPECT_GE(p.select(1, 0).min().item<float>(), 0.0f);
  EXPECT_GE(p.select(1, 1).min().item<float>(), 0.0f);
  EXPECT_LE((p.select(1, 0) + p.select(1, 1)).max().item<float>(), 1.0f + 1e-6f);
  // Uniform in the triangle: the mean is the centroid.
  EXPECT_NEAR(p.select(1, 0).mean().item<float>(), 1.0f / 3.0f, 0.03f);
  EXPECT_NEAR(p.select(1, 1).mean().item<float>(), 1.0f / 3.0f, 0.03f);
}

TEST(MeshOps, SamplingIsDeterministicForASeed) {
  auto mesh = dibr::make_icosphere(1, 0.5);
  auto a = dibr::sample_surface_points(mesh.vertices, mesh.faces, 300, 42);
  auto b = dibr::sample_surface_points(mesh.vertices, mesh.faces, 300, 42);
  auto c = dibr::sample_surface_points(mesh.vertices, mesh.faces, 300, 43);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

TEST(MeshOps, SamplingIsAreaWeighted) {
  // Two disjoint triangles in the plane y = 0 with areas 3 : 1 (x < 0 is the big one).
  auto verts = torch::tensor({-3.0, 0.0, 0.0, -1.0, 0.0, 0.0, -3.0, 0.0, 3.0,  //
                              1.0, 0.0, 0.0, 2.0, 0.0, 0.0, 1.0, 0.0, 2.0},
                             torch::kFloat64)
                   .view({6, 3});
  auto faces = torch::tensor({0, 2, 1, 3, 5, 4}, torch::kLong).view({2, 3});
  const int64_t n = 8000;
  auto p = dibr::sample_surface_points(verts, faces, n, 11);
  EXPECT_EQ(p.scalar_type(), torch::kFloat64);
  const double big = (p.select(1, 0) < 0).sum().item<int64_t>();
  EXPECT_NEAR(big / (n - big), 3.0, 0.25);
}

TEST(MeshOps, SamplingIsDifferentiableWrtVertices) {
  auto mesh = dibr::make_icosphere(1, 0.5);
  auto verts = mesh.vertices.clone().requires_grad_(true);
  auto p = dibr::sample_surface_points(verts, mesh.faces, 100, 1);
  p.sum().backward();
  ASSERT_TRUE(verts.grad().defined());
  // Barycentric weights of every sample sum to 1, so d(sum of points)/d(vertices) sums to the sample count.
  EXPECT_NEAR(verts.grad().sum().item<float>(), 300.0f, 1e-3f);
}

}  // namespace
