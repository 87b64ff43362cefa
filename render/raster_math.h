#pragma once
// Per-pixel geometry shared by the CPU reference (raster_cpu.cpp) and the CUDA kernels (raster_cuda.cu):
// barycentric coverage, point-to-triangle distance and their derivatives w.r.t. the 2D corners.
// Plain C++ (no torch, no CUDA headers) so both compilers see the same arithmetic.
#include <math.h>
#ifdef __CUDACC__
#define DIBR_HD __host__ __device__ __forceinline__
#else
#define DIBR_HD inline
#endif

namespace dibr::raster {

// Triangles whose doubled screen area is below this (NDC^2) are treated as zero-area: they never cover a
// pixel, so 1/area stays bounded (a 224^2 pixel is ~1e-4 NDC^2, far above it).
constexpr double kMinDoubleArea = 1e-10;

// Pixel (h,w) has its centre at NDC ((2w+1-W)/W, (H-2h-1)/H): row 0 is the top, y is up.
template <typename T>
DIBR_HD T pixel_ndc_x(int w, int width) {
  return T(2 * w + 1 - width) / T(width);
}
template <typename T>
DIBR_HD T pixel_ndc_y(int h, int height) {
  return T(height - 2 * h - 1) / T(height);
}

template <typename T>
DIBR_HD T min2(T a, T b) {
  return b < a ? b : a;
}
template <typename T>
DIBR_HD T max2(T a, T b) {
  return a < b ? b : a;
}
template <typename T>
DIBR_HD T abs1(T a) {
  return a < T(0) ? -a : a;
}

DIBR_HD float exp1(float a) {
  return expf(a);
}
DIBR_HD double exp1(double a) {
  return exp(a);
}

template <typename T>
DIBR_HD T cross2(T ax, T ay, T bx, T by) {
  return ax * by - ay * bx;
}

// Corners of one face: v[0..5] = x0,y0,x1,y1,x2,y2.
template <typename T>
struct Tri {
  T x[3], y[3];
  DIBR_HD static Tri load(const T* v) {
    Tri t;
    for (int i = 0; i < 3; ++i) {
      t.x[i] = v[2 * i];
      t.y[i] = v[2 * i + 1];
    }
    return t;
  }
  DIBR_HD T min_x() const { return min2(x[0], min2(x[1], x[2])); }
  DIBR_HD T max_x() const { return max2(x[0], max2(x[1], x[2])); }
  DIBR_HD T min_y() const { return min2(y[0], min2(y[1], y[2])); }
  DIBR_HD T max_y() const { return max2(y[0], max2(y[1], y[2])); }
  // The face's box grown by margin on every side contains (px,py).
  DIBR_HD bool box_contains(T px, T py, T margin) const {
    return px >= min_x() - margin && px <= max_x() + margin && py >= min_y() - margin && py <= max_y() + margin;
  }
};

// Unnormalised barycentrics c[i] (c[i] = doubled signed area of the sub-triangle opposite corner i) and
// the doubled signed area c0+c1+c2. w[i] = c[i]/area.
template <typename T>
DIBR_HD T sub_areas(const Tri<T>& t, T px, T py, T c[3]) {
  for (int i = 0; i < 3; ++i) {
    const int j = (i + 1) % 3, k = (i + 2) % 3;
    c[i] = cross2(t.x[j] - px, t.y[j] - py, t.x[k] - px, t.y[k] - py);
  }
  return c[0] + c[1] + c[2];
}

// Screen-space barycentrics of (px,py). Returns false for zero-area faces or points outside the face.
// Edges are inclusive (w >= 0): a pixel centre exactly on an edge shared by two faces is covered by both
// and the depth test (then the lower face index) picks one, so shared edges never leave holes.
template <typename T>
DIBR_HD bool barycentric_inside(const Tri<T>& t, T px, T py, T w[3]) {
  T c[3];
  const T area = sub_areas(t, px, py, c);
  if (!(abs1(area) > T(kMinDoubleArea))) return false;
  // Exact early reject, sparing the division: w_i = c_i / area is negative (not an underflowed -0) when c_i
  // and area have opposite signs and |c_i| is not vanishingly small against |area|. Huge areas, whose
  // reciprocal may underflow to 0 (every w_i = 0: inside), take the full path.
  if (abs1(area) < T(1e30)) {
    const T tiny = abs1(area) * T(1e-20);
    for (int i = 0; i < 3; ++i)
      if (area > T(0) ? c[i] < -tiny : c[i] > tiny) return false;
  }
  const T inv = T(1) / area;
  for (int i = 0; i < 3; ++i) w[i] = c[i] * inv;
  return w[0] >= T(0) && w[1] >= T(0) && w[2] >= T(0);
}

// Gradient of sum_i gw[i]*w[i] w.r.t. the corners, given w = c/area for a covered pixel.
// dL/dc_j = (gw_j - sum_i gw_i w_i) / area, then the chain through c_j = cross(v_j+1 - p, v_j+2 - p).
// c and area as sub_areas(t, px, py, c) returned them.
template <typename T>
DIBR_HD void barycentric_backward(const Tri<T>& t, T px, T py, const T c[3], T area, const T gw[3], T gx[3], T gy[3]) {
  for (int i = 0; i < 3; ++i) gx[i] = gy[i] = T(0);
  if (!(abs1(area) > T(kMinDoubleArea))) return;
  const T inv = T(1) / area;
  const T mean = (gw[0] * c[0] + gw[1] * c[1] + gw[2] * c[2]) * inv;
  for (int i = 0; i < 3; ++i) {
    const int j = (i + 1) % 3, k = (i + 2) % 3;
    const T gc = (gw[i] - mean) * inv;
    // c_i = (xj-px)(yk-py) - (yj-py)(xk-px)
    gx[j] += gc * (t.y[k] - py);
    gy[j] -= gc * (t.x[k] - px);
    gx[k] -= gc * (t.y[j] - py);
    gy[k] += gc * (t.x[j] - px);
  }
}

template <typename T>
DIBR_HD void barycentric_backward(const Tri<T>& t, T px, T py, const T gw[3], T gx[3], T gy[3]) {
  T c[3];
  const T area = sub_areas(t, px, py, c);
  barycentric_backward(t, px, py, c, area, gw, gx, gy);
}

// Closest point of segment a-b to p: parameter s in [0,1]; zero-length segments give s = 0.
template <typename T>
DIBR_HD T segment_param(T ax, T ay, T bx, T by, T px, T py) {
  const T ex = bx - ax, ey = by - ay;
  const T len2 = ex * ex + ey * ey;
  if (!(len2 > T(0))) return T(0);
  const T s = ((px - ax) * ex + (py - ay) * ey) / len2;
  return min2(max2(s, T(0)), T(1));
}

// Squared Euclidean distance from p to the triangle (0 inside, inclusive edges), and which edge is
// nearest (-1 when inside). to_boundary: the distance to the nearest edge also inside (Kaolin's soft mask).
// Edge e runs from corner e to corner (e+1)%3.
template <typename T>
DIBR_HD T point_triangle_dist2(const Tri<T>& t, T px, T py, int* edge, T* param, bool to_boundary = false) {
  T c[3];
  const T area = sub_areas(t, px, py, c);
  const bool inside = !to_boundary && abs1(area) > T(kMinDoubleArea) &&
                      (area > T(0) ? (c[0] >= T(0) && c[1] >= T(0) && c[2] >= T(0))
                                   : (c[0] <= T(0) && c[1] <= T(0) && c[2] <= T(0)));
  if (inside) {
    *edge = -1;
    *param = T(0);
    return T(0);
  }
  T best = T(0);
  for (int e = 0; e < 3; ++e) {
    const int n = (e + 1) % 3;
    const T s = segment_param(t.x[e], t.y[e], t.x[n], t.y[n], px, py);
    const T dx = px - (t.x[e] + s * (t.x[n] - t.x[e]));
    const T dy = py - (t.y[e] + s * (t.y[n] - t.y[e]));
    const T d2 = dx * dx + dy * dy;
    if (e == 0 || d2 < best) {
      best = d2;
      *edge = e;
      *param = s;
    }
  }
  return best;
}

// A face's edge vectors and reciprocal squared lengths, computed once per face for the many pixels of a tile.
// Edge e runs from corner e to corner (e+1)%3; inv_len2 is 0 for a zero-length edge (its parameter is then 0).
template <typename T>
struct TriEdges {
  T ex[3], ey[3], inv_len2[3];
};
template <typename T>
DIBR_HD TriEdges<T> tri_edges(const Tri<T>& t) {
  TriEdges<T> e;
  for (int i = 0; i < 3; ++i) {
    const int n = (i + 1) % 3;
    e.ex[i] = t.x[n] - t.x[i];
    e.ey[i] = t.y[n] - t.y[i];
    const T len2 = e.ex[i] * e.ex[i] + e.ey[i] * e.ey[i];
    e.inv_len2[i] = len2 > T(0) ? T(1) / len2 : T(0);
  }
  return e;
}

// point_triangle_dist2 to the boundary (to_boundary = true), with the edges precomputed: the segment parameter
// is a product with inv_len2 instead of a quotient (so its last bit may differ from point_triangle_dist2's).
template <typename T>
DIBR_HD T point_boundary_dist2(const Tri<T>& t, const TriEdges<T>& e, T px, T py, int* edge, T* param) {
  T best = T(0);
  for (int i = 0; i < 3; ++i) {
    const T s = min2(max2(((px - t.x[i]) * e.ex[i] + (py - t.y[i]) * e.ey[i]) * e.inv_len2[i], T(0)), T(1));
    const T dx = px - (t.x[i] + s * e.ex[i]);
    const T dy = py - (t.y[i] + s * e.ey[i]);
    const T d2 = dx * dx + dy * dy;
    if (i == 0 || d2 < best) {
      best = d2;
      *edge = i;
      *param = s;
    }
  }
  return best;
}

// Adds g * d(dist2)/d(corners) to gx/gy. At the minimising s the derivative of |p - q(s)|^2 w.r.t. s
// vanishes or s sits at a bound, so only q's explicit dependence on the corners remains:
// d/da = -2(1-s)(p-q), d/db = -2 s (p-q).
template <typename T>
DIBR_HD void point_triangle_dist2_backward(const Tri<T>& t, T px, T py, int edge, T s, T g, T gx[3], T gy[3]) {
  if (edge < 0) return;
  const int n = (edge + 1) % 3;
  const T dx = px - (t.x[edge] + s * (t.x[n] - t.x[edge]));
  const T dy = py - (t.y[edge] + s * (t.y[n] - t.y[edge]));
  gx[edge] -= T(2) * g * (T(1) - s) * dx;
  gy[edge] -= T(2) * g * (T(1) - s) * dy;
  gx[n] -= T(2) * g * s * dx;
  gy[n] -= T(2) * g * s * dy;
}

}  // namespace dibr::raster
