#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <set>
#include <utility>

#include "render/icosphere.h"
#include "render/mesh_ops.h"

namespace {

TEST(Icosphere, TemplateCountsAndRadius) {
  auto mesh = dibr::make_icosphere(3, 0.5);
  ASSERT_EQ(mesh.vertices.sizes(), (at::IntArrayRef{642, 3}));
  ASSERT_EQ(mesh.faces.sizes(), (at::IntArrayRef{1280, 3}));
  EXPECT_EQ(mesh.vertices.scalar_type(), torch::kFloat32);
  EXPECT_EQ(mesh.faces.scalar_type(), torch::kInt64);
  auto radii = mesh.vertices.norm(2, 1);
  EXPECT_TRUE(torch::allclose(radii, torch::full_like(radii, 0.5), 1e-5, 1e-6));
  EXPECT_GE(mesh.faces.min().item<int64_t>(), 0);
  EXPECT_LT(mesh.faces.max().item<int64_t>(), 642);
  // Default arguments give the DIB-R template too.
  EXPECT_TRUE(torch::equal(dibr::make_icosphere().faces, mesh.faces));
}

TEST(Icosphere, CountsPerSubdivisionLevel) {
  for (int s = 0; s <= 4; ++s) {
    auto mesh = dibr::make_icosphere(s, 1.0);
    const int64_t faces = 20 * (int64_t{1} << (2 * s));
    EXPECT_EQ(mesh.faces.size(0), faces) << s;
    EXPECT_EQ(mesh.vertices.size(0), faces / 2 + 2) << s;
  }
  EXPECT_THROW(dibr::make_icosphere(-1), std::invalid_argument);
  EXPECT_THROW(dibr::make_icosphere(3, 0.0), std::invalid_argument);
}

TEST(Icosphere, ClosedManifoldWithEulerCharacteristicTwo) {
  auto mesh = dibr::make_icosphere(3, 0.5);
  auto f = mesh.faces.contiguous();
  auto a = f.accessor<int64_t, 2>();
  std::map<std::pair<int64_t, int64_t>, int> undirected;
  std::set<std::pair<int64_t, int64_t>> directed;
  for (int64_t i = 0; i < f.size(0); ++i) {
    for (int k = 0; k < 3; ++k) {
      const int64_t u = a[i][k], v = a[i][(k + 1) % 3];
      ASSERT_NE(u, v) << "degenerate face " << i;
      ++undirected[{std::min(u, v), std::max(u, v)}];
      // Consistent orientation: each directed edge appears once (its twin runs the other way).
      EXPECT_TRUE(directed.insert({u, v}).second) << "directed edge repeated: " << u << "->" << v;
    }
  }
  for (const auto& [edge, count] : undirected) EXPECT_EQ(count, 2) << edge.first << "-" << edge.second;
  const int64_t V = mesh.vertices.size(0), E = static_cast<int64_t>(undirected.size()), F = f.size(0);
  EXPECT_EQ(E, 1920);
  EXPECT_EQ(V - E + F, 2);
  // No duplicated vertices.
  auto d = torch::cdist(mesh.vertices, mesh.vertices) + torch::eye(V) * 10;
  EXPECT_GT(d.min().item<float>(), 1e-3f);
}

TEST(Icosphere, OutwardCounterClockwiseWinding) {
  auto mesh = dibr::make_icosphere(3, 0.5);
  auto corners = dibr::gather_face_values(mesh.vertices.unsqueeze(0), mesh.faces)[0];  // (F,3,3)
  auto normals = dibr::face_normals(corners);
  auto centroids = corners.mean(1);
  auto outward = (normals * centroids).sum(1);
  EXPECT_GT(outward.min().item<float>(), 0.0f) << "every face normal must point away from the centre";
  // Divergence theorem: signed volume of an outward-wound closed mesh is positive, close to the ball's.
  auto v0 = corners.select(1, 0), v1 = corners.select(1, 1), v2 = corners.select(1, 2);
  const double volume = (torch::cross(v1, v2, 1) * v0).sum().item<double>() / 6.0;
  EXPECT_GT(volume, 0.0);
  EXPECT_NEAR(volume, 4.0 / 3.0 * 3.14159265358979 * 0.125, 0.02);
}

}  // namespace
