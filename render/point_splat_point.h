#pragma once
// The per-point work of the Gaussian point splat (point_splat_kernels.h), shared by the CPU reference and the
// CUDA kernels. `add(dst, value)` is a plain add on the CPU and an atomic add on CUDA.
#include <math.h>

#include "render/point_splat_kernels.h"
#include "render/point_window.h"

namespace dibr::points {

template <typename T>
DIBR_HD T splat_gaussian(T offset, T sigma_sq) {
  return exp(-offset * offset / (T(2) * sigma_sq));
}

// Point `index` (over B*N) adds its Gaussian to its image's density.
template <typename T, typename Add>
DIBR_HD void splat_forward_point(const SplatForwardParams<T>& p, int64_t index, Add add) {
  const SplatSizes& s = p.sizes;
  const T x = p.points[2 * index], y = p.points[2 * index + 1];
  const T radius = T(s.radius), sigma_sq = T(s.sigma_sq);
  const PixelSpan cols = pixel_span(x, radius, s.width), rows = pixel_span(y, radius, s.height);
  T* image = p.density + (index / s.num_points) * s.height * s.width;
  for (int r = rows.lo; r <= rows.hi; ++r) {
    const T gy = splat_gaussian(y - T(r), sigma_sq);
    for (int c = cols.lo; c <= cols.hi; ++c) add(image + int64_t(r) * s.width + c, gy * splat_gaussian(x - T(c), sigma_sq));
  }
}

// d(loss)/d(x, y) of point `index`: sum over its pixels of grad_density * G * (-(offset) / sigma^2).
template <typename T>
DIBR_HD void splat_backward_point(const SplatBackwardParams<T>& p, int64_t index) {
  const SplatSizes& s = p.sizes;
  const T x = p.points[2 * index], y = p.points[2 * index + 1];
  const T radius = T(s.radius), sigma_sq = T(s.sigma_sq);
  const PixelSpan cols = pixel_span(x, radius, s.width), rows = pixel_span(y, radius, s.height);
  const T* grad = p.grad_density + (index / s.num_points) * s.height * s.width;
  T gx = 0, gy = 0;
  for (int r = rows.lo; r <= rows.hi; ++r) {
    const T wy = splat_gaussian(y - T(r), sigma_sq);
    for (int c = cols.lo; c <= cols.hi; ++c) {
      const T g = grad[int64_t(r) * s.width + c] * wy * splat_gaussian(x - T(c), sigma_sq);
      gx -= g * (x - T(c)) / sigma_sq;
      gy -= g * (y - T(r)) / sigma_sq;
    }
  }
  p.grad_points[2 * index] = gx;
  p.grad_points[2 * index + 1] = gy;
}

}  // namespace dibr::points
