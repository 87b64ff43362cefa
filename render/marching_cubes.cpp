#include "render/marching_cubes.h"

#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <unordered_map>

namespace dibr {
namespace {

using Vec3 = std::array<double, 3>;

Vec3 corner_position(int c) { return {double(c & 1), double(c >> 1 & 1), double(c >> 2 & 1)}; }
Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

// Edges in a fixed order: 4 along x, 4 along y, 4 along z.
const std::array<std::array<int, 2>, 12>& edges() {
  static const std::array<std::array<int, 2>, 12> e = [] {
    std::array<std::array<int, 2>, 12> out{};
    int n = 0;
    for (int axis = 0; axis < 3; ++axis)
      for (int c = 0; c < 8; ++c)
        if (!(c >> axis & 1)) out[n++] = {c, c | 1 << axis};
    return out;
  }();
  return e;
}

int edge_of(int a, int b) {
  for (int e = 0; e < 12; ++e)
    if ((edges()[e][0] == a && edges()[e][1] == b) || (edges()[e][0] == b && edges()[e][1] == a)) return e;
  throw std::logic_error("marching cubes: corners " + std::to_string(a) + " and " + std::to_string(b) + " share no edge");
}

Vec3 edge_midpoint(int e) {
  const Vec3 a = corner_position(edges()[e][0]), b = corner_position(edges()[e][1]);
  return {(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2};
}

struct Face {
  std::array<int, 4> corners;  // cyclic
  Vec3 outward;
};

std::array<Face, 6> faces() {
  std::array<Face, 6> out{};
  int n = 0;
  for (int axis = 0; axis < 3; ++axis) {
    const int u = (axis + 1) % 3, v = (axis + 2) % 3;
    for (int side = 0; side < 2; ++side) {
      const int base = side << axis;
      out[n].corners = {base, base | 1 << u, base | 1 << u | 1 << v, base | 1 << v};
      out[n].outward = {0, 0, 0};
      out[n].outward[axis] = side ? 1.0 : -1.0;
      ++n;
    }
  }
  return out;
}

bool edges_share_face(int a, int b) {
  for (const Face& f : faces()) {
    auto on = [&f](int corner) { return std::find(f.corners.begin(), f.corners.end(), corner) != f.corners.end(); };
    if (on(edges()[a][0]) && on(edges()[a][1]) && on(edges()[b][0]) && on(edges()[b][1])) return true;
  }
  return false;
}

// Segments on the cube's faces, each oriented so that the occupied side lies to its left seen from outside
// (n x direction points into the occupied part); chained, they are closed loops around the surface patches.
CubeCase make_case(int index) {
  auto occupied = [index](int c) { return (index >> c & 1) != 0; };
  std::map<int, int> next;  // edge -> the edge its segment leads to
  for (const Face& f : faces()) {
    std::vector<std::array<int, 2>> segments;
    std::vector<int> crossing;
    for (int k = 0; k < 4; ++k) {
      const int a = f.corners[k], b = f.corners[(k + 1) % 4];
      if (occupied(a) != occupied(b)) crossing.push_back(edge_of(a, b));
    }
    if (crossing.size() == 2) {
      segments.push_back({crossing[0], crossing[1]});
    } else if (crossing.size() == 4) {
      // Ambiguous face: cut off each occupied corner on its own.
      for (int k = 0; k < 4; ++k) {
        const int c = f.corners[k];
        if (!occupied(c)) continue;
        segments.push_back({edge_of(f.corners[(k + 3) % 4], c), edge_of(c, f.corners[(k + 1) % 4])});
      }
    }
    for (auto s : segments) {
      const Vec3 ma = edge_midpoint(s[0]), mb = edge_midpoint(s[1]);
      const int inside = occupied(edges()[s[0]][0]) ? edges()[s[0]][0] : edges()[s[0]][1];
      if (dot(cross(f.outward, sub(mb, ma)), sub(corner_position(inside), ma)) < 0) std::swap(s[0], s[1]);
      if (next.count(s[0])) throw std::logic_error("marching cubes: case " + std::to_string(index) + " is not a loop");
      next[s[0]] = s[1];
    }
  }
  CubeCase out;
  while (!next.empty()) {
    std::vector<int> loop;
    int e = next.begin()->first;
    while (next.count(e)) {
      loop.push_back(e);
      const int n = next[e];
      next.erase(e);
      e = n;
    }
    // A fan whose diagonal joined two edges of one cube face would put an edge on that face, where the
    // neighbouring cube can put the same one: the apex is chosen so that every diagonal crosses the cube's inside.
    const size_t n = loop.size();
    size_t apex = n;
    for (size_t a = 0; a < n && apex == n; ++a) {
      bool ok = true;
      for (size_t j = 2; j + 1 < n && ok; ++j) ok = !edges_share_face(loop[a], loop[(a + j) % n]);
      if (ok) apex = a;
    }
    if (apex == n) throw std::logic_error("marching cubes: case " + std::to_string(index) + " has no inner fan");
    for (size_t k = 1; k + 1 < n; ++k) out.triangles.push_back({loop[apex], loop[(apex + k) % n], loop[(apex + k + 1) % n]});
  }
  return out;
}

// The loops run with the occupied side on their left, which makes fans that face the occupied side: flip them
// once, after checking the orientation on the one-corner case.
std::array<CubeCase, 256> make_table() {
  std::array<CubeCase, 256> table;
  for (int i = 0; i < 256; ++i) table[i] = make_case(i);
  const auto& t = table[1].triangles.at(0);
  const Vec3 n = cross(sub(edge_midpoint(t[1]), edge_midpoint(t[0])), sub(edge_midpoint(t[2]), edge_midpoint(t[0])));
  const bool faces_occupied = dot(n, sub(corner_position(0), edge_midpoint(t[0]))) > 0;
  if (faces_occupied)
    for (auto& c : table)
      for (auto& tri : c.triangles) std::swap(tri[1], tri[2]);
  return table;
}

}  // namespace

const std::array<CubeCase, 256>& marching_cubes_table() {
  static const std::array<CubeCase, 256> table = make_table();
  return table;
}

std::array<int, 2> cube_edge_corners(int e) { return edges().at(e); }

MarchingCubesMesh marching_cubes(const at::Tensor& values_in, double iso, bool close_at_border) {
  TORCH_CHECK(values_in.dim() == 3, "marching_cubes: values must be (X,Y,Z), got ", values_in.sizes());
  at::Tensor values = values_in.to(torch::kCPU, torch::kFloat32);
  if (close_at_border) values = torch::constant_pad_nd(values, {1, 1, 1, 1, 1, 1}, -1e30);
  values = values.contiguous();
  const int64_t X = values.size(0), Y = values.size(1), Z = values.size(2);
  const double shift = close_at_border ? 1.0 : 0.0;
  const float* v = values.data_ptr<float>();
  auto at_point = [&](int64_t i, int64_t j, int64_t k) { return v[(i * Y + j) * Z + k]; };
  const auto& table = marching_cubes_table();

  std::vector<float> positions;
  std::vector<int64_t> triangles;
  std::unordered_map<int64_t, int64_t> vertex_of_edge;  // (point index * 3 + axis) -> vertex
  auto vertex = [&](int64_t i, int64_t j, int64_t k, int e) -> int64_t {
    const auto ends = edges()[e];
    const int a = ends[0], b = ends[1];
    const int64_t ai = i + (a & 1), aj = j + (a >> 1 & 1), ak = k + (a >> 2 & 1);
    const int axis = (b ^ a) == 1 ? 0 : (b ^ a) == 2 ? 1 : 2;
    const int64_t key = ((ai * Y + aj) * Z + ak) * 3 + axis;
    const auto found = vertex_of_edge.find(key);
    if (found != vertex_of_edge.end()) return found->second;
    const double fa = at_point(ai, aj, ak);
    const double fb = at_point(ai + (axis == 0), aj + (axis == 1), ak + (axis == 2));
    // Clamped so that a huge padding value still puts the vertex on its edge.
    double t = (iso - fa) / (fb - fa);
    t = std::min(1.0, std::max(0.0, t));
    double p[3] = {double(ai), double(aj), double(ak)};
    p[axis] += t;
    const int64_t id = static_cast<int64_t>(positions.size() / 3);
    for (double c : p) positions.push_back(static_cast<float>(c - shift));
    vertex_of_edge.emplace(key, id);
    return id;
  };
  for (int64_t i = 0; i + 1 < X; ++i)
    for (int64_t j = 0; j + 1 < Y; ++j)
      for (int64_t k = 0; k + 1 < Z; ++k) {
        int index = 0;
        for (int c = 0; c < 8; ++c)
          if (at_point(i + (c & 1), j + (c >> 1 & 1), k + (c >> 2 & 1)) > iso) index |= 1 << c;
        if (index == 0 || index == 255) continue;
        for (const auto& tri : table[index].triangles)
          for (int e : tri) triangles.push_back(vertex(i, j, k, e));
      }
  MarchingCubesMesh out;
  const int64_t V = static_cast<int64_t>(positions.size() / 3), F = static_cast<int64_t>(triangles.size() / 3);
  out.vertices = torch::from_blob(positions.data(), {V, 3}, torch::kFloat32).clone();
  out.faces = torch::from_blob(triangles.data(), {F, 3}, torch::kInt64).clone();
  return out;
}

}  // namespace dibr
