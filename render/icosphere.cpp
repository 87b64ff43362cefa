#include "render/icosphere.h"

#include <torch/torch.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dibr {
namespace {

using Vec3 = std::array<double, 3>;
using Face = std::array<int64_t, 3>;

Vec3 normalized(const Vec3& v) {
  const double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  return {v[0] / n, v[1] / n, v[2] / n};
}

// Twelve vertices on the golden-ratio rectangles; faces counter-clockwise seen from outside.
void icosahedron(std::vector<Vec3>& vertices, std::vector<Face>& faces) {
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  vertices = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0}, {0, -1, t}, {0, 1, t},
              {0, -1, -t}, {0, 1, -t}, {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  for (auto& v : vertices) v = normalized(v);
  faces = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
           {11, 10, 2}, {10, 7, 6}, {7, 1, 8},  {3, 9, 4},  {3, 4, 2},   {3, 2, 6}, {3, 6, 8},
           {3, 8, 9},  {4, 9, 5},  {2, 4, 11}, {6, 2, 10}, {8, 6, 7},   {9, 8, 1}};
}

// Splits every triangle into four; midpoints are shared between neighbours so the mesh stays closed.
void subdivide(std::vector<Vec3>& vertices, std::vector<Face>& faces) {
  std::map<std::pair<int64_t, int64_t>, int64_t> midpoint_of;
  auto midpoint = [&](int64_t a, int64_t b) {
    const auto key = std::make_pair(std::min(a, b), std::max(a, b));
    const auto it = midpoint_of.find(key);
    if (it != midpoint_of.end()) return it->second;
    const Vec3& p = vertices[a];
    const Vec3& q = vertices[b];
    vertices.push_back(normalized({(p[0] + q[0]) / 2, (p[1] + q[1]) / 2, (p[2] + q[2]) / 2}));
    const int64_t id = static_cast<int64_t>(vertices.size()) - 1;
    midpoint_of.emplace(key, id);
    return id;
  };
  std::vector<Face> finer;
  finer.reserve(faces.size() * 4);
  for (const Face& f : faces) {
    const int64_t ab = midpoint(f[0], f[1]), bc = midpoint(f[1], f[2]), ca = midpoint(f[2], f[0]);
    finer.push_back({f[0], ab, ca});
    finer.push_back({f[1], bc, ab});
    finer.push_back({f[2], ca, bc});
    finer.push_back({ab, bc, ca});
  }
  faces = std::move(finer);
}

}  // namespace

TriangleMesh make_icosphere(int subdivisions, double radius) {
  if (subdivisions < 0 || subdivisions > 8)
    throw std::invalid_argument("make_icosphere: subdivisions must be in [0,8], got " +
                                std::to_string(subdivisions));
  if (!(radius > 0.0)) throw std::invalid_argument("make_icosphere: radius must be > 0, got " + std::to_string(radius));
  std::vector<Vec3> vertices;
  std::vector<Face> faces;
  icosahedron(vertices, faces);
  for (int i = 0; i < subdivisions; ++i) subdivide(vertices, faces);

  auto v = torch::empty({static_cast<int64_t>(vertices.size()), 3}, torch::kFloat32);
  auto va = v.accessor<float, 2>();
  for (size_t i = 0; i < vertices.size(); ++i)
    for (int c = 0; c < 3; ++c) va[i][c] = static_cast<float>(vertices[i][c] * radius);
  auto f = torch::empty({static_cast<int64_t>(faces.size()), 3}, torch::kInt64);
  auto fa = f.accessor<int64_t, 2>();
  for (size_t i = 0; i < faces.size(); ++i)
    for (int c = 0; c < 3; ++c) fa[i][c] = faces[i][c];
  return {v, f};
}

}  // namespace dibr
