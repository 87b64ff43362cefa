#pragma once
// The per-point work of DRWR's fused repulsion (point_repulsion_kernels.h), shared by the CPU reference and the
// CUDA kernels. With K_ij = exp(-d_ij / tau) and c_j = g_j w_j exp(b_j) / N (g = dloss/dE):
//   dE-loss/dw_k = g_k exp(b_k)/N sum_j w_j K_kj + sum_j c_j K_jk
//   dE-loss/db_k = g_k E_k
//   dE-loss/dp_k = -(2/tau) sum_j (c_k w_j + c_j w_k) K_kj (p_k - p_j)
#include <math.h>

#include "render/point_repulsion_kernels.h"
#include "render/raster_math.h"

namespace dibr::points {

template <typename T>
DIBR_HD void repulsion_forward_point(const RepulsionForwardParams<T>& p, int64_t index) {
  const RepulsionSizes& s = p.sizes;
  const int64_t first = (index / s.num_points) * s.num_points;
  const T x = p.points[2 * index], y = p.points[2 * index + 1];
  const T inv_tau = T(1) / T(s.threshold);
  T sum = 0;
  for (int64_t j = first; j < first + s.num_points; ++j) {
    const T dx = x - p.points[2 * j], dy = y - p.points[2 * j + 1];
    sum += p.weights[j] * exp(-(dx * dx + dy * dy) * inv_tau);
  }
  p.energy[index] = p.weights[index] * exp(p.bias[index]) * sum / T(s.num_points);
}

template <typename T>
DIBR_HD void repulsion_backward_point(const RepulsionBackwardParams<T>& p, int64_t k) {
  const RepulsionSizes& s = p.sizes;
  const int64_t first = (k / s.num_points) * s.num_points;
  const T x = p.points[2 * k], y = p.points[2 * k + 1];
  const T inv_tau = T(1) / T(s.threshold);
  const T w_k = p.weights[k], c_k = p.pair_scale[k];
  T weighted = 0, scaled = 0, gx = 0, gy = 0;
  for (int64_t j = first; j < first + s.num_points; ++j) {
    const T dx = x - p.points[2 * j], dy = y - p.points[2 * j + 1];
    const T kernel = exp(-(dx * dx + dy * dy) * inv_tau);
    weighted += p.weights[j] * kernel;
    scaled += p.pair_scale[j] * kernel;
    const T pair = (c_k * p.weights[j] + p.pair_scale[j] * w_k) * kernel;
    gx += pair * dx;
    gy += pair * dy;
  }
  p.grad_weights[k] = p.grad_energy[k] * exp(p.bias[k]) / T(s.num_points) * weighted + scaled;
  p.grad_bias[k] = p.grad_energy[k] * p.energy[k];
  p.grad_points[2 * k] = T(-2) * inv_tau * gx;
  p.grad_points[2 * k + 1] = T(-2) * inv_tau * gy;
}

}  // namespace dibr::points
