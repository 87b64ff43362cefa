#include "trainer/sample_shapes.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <random>
#include <stdexcept>

namespace dibr {
namespace {

constexpr double kPi = 3.14159265358979323846;
using Vec3 = std::array<double, 3>;

Vec3 add(const Vec3& a, const Vec3& b) { return {a[0] + b[0], a[1] + b[1], a[2] + b[2]}; }
Vec3 sub(const Vec3& a, const Vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
Vec3 scale(const Vec3& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

struct Rng {
  std::mt19937_64 engine;
  explicit Rng(uint64_t seed) : engine(seed) {}
  // Our own mapping to [lo,hi): std::uniform_real_distribution differs between standard libraries.
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * static_cast<double>(engine() >> 11) * (1.0 / 9007199254740992.0);
  }
  bool chance(double p) { return uniform(0, 1) < p; }
};

Vec3 hsv_to_rgb(double h, double s, double v) {
  const double c = v * s, hp = std::fmod(h, 1.0) * 6.0, x = c * (1 - std::abs(std::fmod(hp, 2.0) - 1)), m = v - c;
  Vec3 rgb = hp < 1 ? Vec3{c, x, 0} : hp < 2 ? Vec3{x, c, 0} : hp < 3 ? Vec3{0, c, x}
           : hp < 4 ? Vec3{0, x, c} : hp < 5 ? Vec3{x, 0, c} : Vec3{c, 0, x};
  return add(rgb, {m, m, m});
}

// Accumulates parts; each part gets two random colours blended smoothly along a random direction.
class MeshBuilder {
 public:
  explicit MeshBuilder(Rng& rng) : rng_(rng) {}

  // A (nu x nv)-cell grid over P(u,v), u,v in [0,1]. Triangles are wound so that dP/du x dP/dv is the
  // outward normal (flip reverses it). Rows/columns of the grid are separate vertices per surface.
  void surface(const std::function<Vec3(double, double)>& P, int nu, int nv, bool flip = false) {
    const int64_t base = static_cast<int64_t>(vertices_.size());
    for (int j = 0; j <= nv; ++j)
      for (int i = 0; i <= nu; ++i) vertices_.push_back(P(double(i) / nu, double(j) / nv));
    auto id = [&](int i, int j) { return base + j * (nu + 1) + i; };
    for (int j = 0; j < nv; ++j)
      for (int i = 0; i < nu; ++i) {
        std::array<int64_t, 3> t1 = {id(i, j), id(i + 1, j), id(i + 1, j + 1)};
        std::array<int64_t, 3> t2 = {id(i, j), id(i + 1, j + 1), id(i, j + 1)};
        if (flip) std::swap(t1[1], t1[2]), std::swap(t2[1], t2[2]);
        faces_.push_back(t1);
        faces_.push_back(t2);
      }
  }

  void box(const Vec3& center, const Vec3& half, int cells = 1) {
    for (int k = 0; k < 3; ++k)
      for (double s : {1.0, -1.0}) {
        // e_i x e_j = e_k for cyclic (i,j,k); the negative face swaps the edge order.
        int i = (k + 1) % 3, j = (k + 2) % 3;
        if (s < 0) std::swap(i, j);
        Vec3 corner = center, e1{}, e2{};
        corner[k] += s * half[k];
        corner[i] -= half[i];
        corner[j] -= half[j];
        e1[i] = 2 * half[i];
        e2[j] = 2 * half[j];
        surface([&](double u, double v) { return add(corner, add(scale(e1, u), scale(e2, v))); }, cells, cells);
      }
    end_part(center, std::max({half[0], half[1], half[2]}));
  }

  // Vertical (y) cylinder or cone frustum: radius r0 at y0, r1 at y1 (r1 = 0 gives a cone).
  void frustum(const Vec3& base, double height, double r0, double r1, int segments) {
    auto ring = [&](double u, double r, double y) {
      return add(base, {r * std::sin(2 * kPi * u), y, r * std::cos(2 * kPi * u)});
    };
    surface([&](double u, double v) { return ring(u, r0 + (r1 - r0) * v, v * height); }, segments, 1);
    surface([&](double u, double v) { return ring(u, r0 * v, 0.0); }, segments, 1);  // bottom cap, normal -y
    if (r1 > 0) surface([&](double u, double v) { return ring(u, r1 * v, height); }, segments, 1, true);
    end_part(add(base, {0, height / 2, 0}), std::max({r0, r1, height / 2}));
  }

  // Torus around the y axis: ring radius R, tube radius r.
  void torus(const Vec3& center, double R, double r, int nu, int nv) {
    surface(
        [&](double u, double v) {
          const double a = 2 * kPi * u, b = 2 * kPi * v, w = R + r * std::cos(b);
          return add(center, {w * std::sin(a), r * std::sin(b), w * std::cos(a)});
        },
        nu, nv);
    end_part(center, R + r);
  }

  SampleShape finish(double target_half_extent) {
    Vec3 lo = vertices_[0], hi = vertices_[0];
    for (const auto& v : vertices_)
      for (int k = 0; k < 3; ++k) lo[k] = std::min(lo[k], v[k]), hi[k] = std::max(hi[k], v[k]);
    const Vec3 mid = scale(add(lo, hi), 0.5);
    const double half = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}) / 2;
    const double s = target_half_extent / half;

    std::vector<float> v, c;
    for (size_t i = 0; i < vertices_.size(); ++i)
      for (int k = 0; k < 3; ++k) {
        v.push_back(static_cast<float>((vertices_[i][k] - mid[k]) * s));
        c.push_back(static_cast<float>(std::clamp(colors_[i][k], 0.0, 1.0)));
      }
    // Drop zero-area triangles (cone apex, cap centres): they add nothing but can upset sampling.
    std::vector<int64_t> f;
    for (const auto& t : faces_) {
      const Vec3 e1 = sub(vertices_[t[1]], vertices_[t[0]]), e2 = sub(vertices_[t[2]], vertices_[t[0]]);
      const Vec3 n = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2], e1[0] * e2[1] - e1[1] * e2[0]};
      if (dot(n, n) > 1e-20) f.insert(f.end(), t.begin(), t.end());
    }
    const int64_t V = static_cast<int64_t>(vertices_.size()), F = static_cast<int64_t>(f.size() / 3);
    SampleShape out;
    out.vertices = torch::tensor(at::ArrayRef<float>(v), torch::kFloat32).view({V, 3});
    out.colors = torch::tensor(at::ArrayRef<float>(c), torch::kFloat32).view({V, 3});
    out.faces = torch::tensor(at::ArrayRef<int64_t>(f), torch::kLong).view({F, 3});
    return out;
  }

  Rng& rng() { return rng_; }

 private:
  void end_part(const Vec3& center, double radius) {
    const double hue = rng_.uniform(0, 1);
    const Vec3 c1 = hsv_to_rgb(hue, rng_.uniform(0.35, 0.9), rng_.uniform(0.45, 0.95));
    const Vec3 c2 = hsv_to_rgb(hue + rng_.uniform(-0.15, 0.15) + 1.0, rng_.uniform(0.35, 0.9), rng_.uniform(0.45, 0.95));
    Vec3 dir = {rng_.uniform(-1, 1), rng_.uniform(-1, 1), rng_.uniform(-1, 1)};
    const double n = std::sqrt(dot(dir, dir)) + 1e-9;
    dir = scale(dir, 1.0 / n);
    for (size_t i = colors_.size(); i < vertices_.size(); ++i) {
      const double t = std::clamp(0.5 + 0.5 * dot(sub(vertices_[i], center), dir) / radius, 0.0, 1.0);
      const double w = t * t * (3 - 2 * t);  // smoothstep
      colors_.push_back(add(scale(c1, 1 - w), scale(c2, w)));
    }
  }

  Rng& rng_;
  std::vector<Vec3> vertices_, colors_;
  std::vector<std::array<int64_t, 3>> faces_;
};

void make_box(MeshBuilder& m) {
  auto& r = m.rng();
  m.box({0, 0, 0}, {r.uniform(0.2, 0.5), r.uniform(0.2, 0.5), r.uniform(0.2, 0.5)}, 2);
}

void make_cylinder(MeshBuilder& m) {
  auto& r = m.rng();
  const double h = r.uniform(0.3, 1.0);
  const double radius = r.uniform(0.15, 0.5);
  m.frustum({0, -h / 2, 0}, h, radius, radius, 20);
}

void make_cone(MeshBuilder& m) {
  auto& r = m.rng();
  const double h = r.uniform(0.4, 1.0);
  m.frustum({0, -h / 2, 0}, h, r.uniform(0.2, 0.5), 0.0, 20);
}

void make_torus(MeshBuilder& m) {
  auto& r = m.rng();
  m.torus({0, 0, 0}, r.uniform(0.3, 0.45), r.uniform(0.06, 0.18), 20, 10);
}

void make_chair(MeshBuilder& m) {
  auto& r = m.rng();
  const double w = r.uniform(0.35, 0.5), d = r.uniform(0.35, 0.5), seat_h = r.uniform(0.35, 0.6);
  const double seat_t = r.uniform(0.04, 0.08), back_h = r.uniform(0.35, 0.7), back_t = r.uniform(0.04, 0.08);
  const double leg = r.uniform(0.025, 0.05);
  m.box({0, seat_h, 0}, {w / 2, seat_t / 2, d / 2});
  m.box({0, seat_h + seat_t / 2 + back_h / 2, -d / 2 + back_t / 2}, {w / 2, back_h / 2, back_t / 2});
  for (double sx : {-1.0, 1.0})
    for (double sz : {-1.0, 1.0})
      m.box({sx * (w / 2 - leg), seat_h / 2, sz * (d / 2 - leg)}, {leg, seat_h / 2, leg});
}

void make_table(MeshBuilder& m) {
  auto& r = m.rng();
  const double w = r.uniform(0.6, 1.0), d = r.uniform(0.4, 0.8), h = r.uniform(0.35, 0.7), top_t = r.uniform(0.03, 0.07);
  m.box({0, h, 0}, {w / 2, top_t / 2, d / 2});
  if (r.chance(0.3)) {
    m.frustum({0, 0, 0}, h, r.uniform(0.03, 0.06), r.uniform(0.03, 0.06), 12);  // pedestal
    m.frustum({0, 0, 0}, 0.03, std::min(w, d) * 0.35, std::min(w, d) * 0.35, 16);
  } else {
    const double leg = r.uniform(0.025, 0.05);
    for (double sx : {-1.0, 1.0})
      for (double sz : {-1.0, 1.0})
        m.box({sx * (w / 2 - 1.5 * leg), h / 2, sz * (d / 2 - 1.5 * leg)}, {leg, h / 2, leg});
  }
}

}  // namespace

const std::vector<std::string>& sample_shape_kinds() {
  static const std::vector<std::string> kinds = {"box", "cylinder", "cone", "torus", "chair", "table"};
  return kinds;
}

SampleShape make_sample_shape(const std::string& kind, uint64_t seed) {
  Rng rng(seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull);
  MeshBuilder m(rng);
  if (kind == "box") make_box(m);
  else if (kind == "cylinder") make_cylinder(m);
  else if (kind == "cone") make_cone(m);
  else if (kind == "torus") make_torus(m);
  else if (kind == "chair") make_chair(m);
  else if (kind == "table") make_table(m);
  else throw std::invalid_argument("make_sample_shape: unknown kind '" + kind + "' (box, cylinder, cone, torus, chair, table)");
  return m.finish(rng.uniform(0.45, 0.5));
}

}  // namespace dibr
