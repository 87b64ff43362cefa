#include "render/mesh_ops.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dibr {
namespace {

void check_faces(const at::Tensor& faces, const char* fn) {
  TORCH_CHECK(faces.defined() && faces.dim() == 2 && faces.size(1) == 3, fn, ": faces must be (F,3), got ",
              faces.defined() ? faces.sizes() : at::IntArrayRef{});
  TORCH_CHECK(faces.scalar_type() == at::kLong || faces.scalar_type() == at::kInt, fn,
              ": faces must be an integer tensor (int64 or int32), got ", faces.scalar_type());
}

// Faces as a flat CPU int64 vector, with every id checked against num_vertices (when >= 0).
std::vector<int64_t> faces_to_vector(const at::Tensor& faces, int64_t num_vertices, const char* fn) {
  check_faces(faces, fn);
  auto cpu = faces.to(at::kCPU, at::kLong).contiguous();
  const int64_t* p = cpu.data_ptr<int64_t>();
  std::vector<int64_t> out(p, p + cpu.numel());
  for (int64_t id : out) {
    TORCH_CHECK(id >= 0 && (num_vertices < 0 || id < num_vertices), fn, ": face vertex id ", id,
                " out of range [0,", num_vertices, ")");
  }
  return out;
}

at::Tensor component(const at::Tensor& t, int64_t i) { return t.select(-1, i); }

}  // namespace

at::Tensor gather_face_values(const at::Tensor& values, const at::Tensor& faces) {
  TORCH_CHECK(values.defined() && values.dim() == 3, "gather_face_values: values must be (B,V,C), got ",
              values.defined() ? values.sizes() : at::IntArrayRef{});
  check_faces(faces, "gather_face_values");
  const auto B = values.size(0), C = values.size(2), F = faces.size(0);
  auto idx = faces.to(values.device(), at::kLong).reshape({-1});
  return values.index_select(1, idx).view({B, F, 3, C});
}

at::Tensor face_normals(const at::Tensor& face_vertices, bool normalize) {
  TORCH_CHECK(face_vertices.defined() && face_vertices.dim() >= 2 && face_vertices.size(-1) == 3 &&
                  face_vertices.size(-2) == 3,
              "face_normals: face_vertices must be (...,3,3), got ",
              face_vertices.defined() ? face_vertices.sizes() : at::IntArrayRef{});
  auto p0 = face_vertices.select(-2, 0), p1 = face_vertices.select(-2, 1), p2 = face_vertices.select(-2, 2);
  auto e1 = p1 - p0, e2 = p2 - p0;
  auto n = at::stack({component(e1, 1) * component(e2, 2) - component(e1, 2) * component(e2, 1),
                      component(e1, 2) * component(e2, 0) - component(e1, 0) * component(e2, 2),
                      component(e1, 0) * component(e2, 1) - component(e1, 1) * component(e2, 0)},
                     -1);
  if (!normalize) return n;
  // The epsilon keeps degenerate faces finite (zero normal) instead of NaN, also in the backward pass.
  return n / (n * n).sum(-1, true).add(1e-20).sqrt();
}

at::Tensor screen_normals_z(const at::Tensor& face_vertices_image) {
  TORCH_CHECK(face_vertices_image.defined() && face_vertices_image.dim() >= 2 &&
                  face_vertices_image.size(-1) == 2 && face_vertices_image.size(-2) == 3,
              "screen_normals_z: face_vertices_image must be (...,3,2), got ",
              face_vertices_image.defined() ? face_vertices_image.sizes() : at::IntArrayRef{});
  auto p0 = face_vertices_image.select(-2, 0);
  auto e1 = face_vertices_image.select(-2, 1) - p0;
  auto e2 = face_vertices_image.select(-2, 2) - p0;
  return component(e1, 0) * component(e2, 1) - component(e1, 1) * component(e2, 0);
}

at::Tensor uniform_laplacian(int64_t num_vertices, const at::Tensor& faces) {
  TORCH_CHECK(num_vertices > 0, "uniform_laplacian: num_vertices must be > 0, got ", num_vertices);
  const auto f = faces_to_vector(faces, num_vertices, "uniform_laplacian");
  auto adjacency = torch::zeros({num_vertices, num_vertices}, torch::kFloat32);
  auto a = adjacency.accessor<float, 2>();
  for (size_t i = 0; i < f.size(); i += 3) {
    for (int k = 0; k < 3; ++k) {
      const int64_t u = f[i + k], v = f[i + (k + 1) % 3];
      if (u == v) continue;
      a[u][v] = 1.0f;
      a[v][u] = 1.0f;
    }
  }
  // Isolated vertices get an all-zero row (degree clamped to 1 avoids 0/0) and keep L[i][i] = 1.
  auto degree = adjacency.sum(1, true).clamp_min(1.0);
  auto laplacian = torch::eye(num_vertices, torch::kFloat32) - adjacency / degree;
  return laplacian.to(faces.device());
}

EdgeAdjacency edge_face_adjacency(const at::Tensor& faces) {
  const auto f = faces_to_vector(faces, -1, "edge_face_adjacency");
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> opposite_of;
  for (size_t i = 0; i < f.size(); i += 3) {
    for (int k = 0; k < 3; ++k) {
      const int64_t u = f[i + k], v = f[i + (k + 1) % 3], w = f[i + (k + 2) % 3];
      opposite_of[{std::min(u, v), std::max(u, v)}].push_back(w);
    }
  }
  std::vector<int64_t> edges, opposite;
  for (const auto& [edge, corners] : opposite_of) {
    TORCH_CHECK(corners.size() <= 2, "edge_face_adjacency: non-manifold mesh, edge (", edge.first, ",",
                edge.second, ") is shared by ", corners.size(), " faces");
    if (corners.size() != 2) continue;  // boundary edge: no second face to flatten against
    edges.insert(edges.end(), {edge.first, edge.second});
    opposite.insert(opposite.end(), {corners[0], corners[1]});
  }
  const auto E = static_cast<int64_t>(edges.size() / 2);
  auto to_tensor = [&](const std::vector<int64_t>& data) {
    return torch::tensor(at::ArrayRef<int64_t>(data), torch::kLong).view({E, 2}).to(faces.device());
  };
  return {to_tensor(edges), to_tensor(opposite)};
}

at::Tensor sample_surface_points(const at::Tensor& vertices, const at::Tensor& faces, int64_t count, uint64_t seed) {
  TORCH_CHECK(vertices.defined() && vertices.dim() == 2 && vertices.size(1) == 3,
              "sample_surface_points: vertices must be (V,3), got ",
              vertices.defined() ? vertices.sizes() : at::IntArrayRef{});
  TORCH_CHECK(vertices.is_floating_point(), "sample_surface_points: vertices must be floating point");
  TORCH_CHECK(count >= 0, "sample_surface_points: count must be >= 0, got ", count);
  const auto f = faces_to_vector(faces, vertices.size(0), "sample_surface_points");
  TORCH_CHECK(!f.empty(), "sample_surface_points: mesh has no faces");

  const auto face_ids = faces.to(vertices.device(), at::kLong);
  auto corners = vertices.index_select(0, face_ids.reshape({-1})).view({-1, 3, 3});
  auto areas = face_normals(corners.detach(), false).norm(2, -1).to(at::kCPU, at::kDouble).contiguous();
  std::vector<double> cdf(static_cast<size_t>(areas.numel()));
  const double* ap = areas.data_ptr<double>();
  double total = 0.0;
  for (size_t i = 0; i < cdf.size(); ++i) cdf[i] = (total += ap[i]);
  TORCH_CHECK(total > 0.0, "sample_surface_points: mesh has zero surface area");

  // std::mt19937_64 gives the same sequence on every platform and LibTorch version.
  std::mt19937_64 rng(seed);
  auto uniform = [&rng] { return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0); };
  std::vector<int64_t> chosen(static_cast<size_t>(count));
  std::vector<double> weights(static_cast<size_t>(count) * 3);
  for (int64_t i = 0; i < count; ++i) {
    const double u = uniform() * total;
    const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
    chosen[i] = std::min<int64_t>(it - cdf.begin(), static_cast<int64_t>(cdf.size()) - 1);
    // Uniform point in a triangle (Osada et al. 2002): sqrt warps the first coordinate.
    const double r1 = std::sqrt(uniform()), r2 = uniform();
    weights[3 * i + 0] = 1.0 - r1;
    weights[3 * i + 1] = r1 * (1.0 - r2);
    weights[3 * i + 2] = r1 * r2;
  }
  auto chosen_t = torch::tensor(at::ArrayRef<int64_t>(chosen), torch::kLong).to(vertices.device());
  auto weights_t = torch::tensor(at::ArrayRef<double>(weights), torch::kDouble)
                       .view({count, 3, 1})
                       .to(vertices.options());
  return (corners.index_select(0, chosen_t) * weights_t).sum(1);
}

}  // namespace dibr
