#pragma once
// CAPNet's mask projection (Navaneet et al., AAAI 2019; seed_methods.md §3.3): every point adds an isotropic
// Gaussian to the image and the mask is tanh of the sum, M_ij = tanh(sum_n G_n,ij). Each Gaussian is cut where
// it falls below `cutoff` along an axis, which keeps the mask within 1e-3 of the dense sum for thousands of points
// (tests/render/test_point_splat.cpp); the dense reference materialises B x N x H x W.
#include <ATen/core/Tensor.h>

namespace dibr {

struct PointSplatSettings {
  int height = 64;
  int width = 64;
  double sigma_sq = 0.4;  // pixels^2: SIGMA_SQ_MASK 0.4 (DIFFER) or SIGMA_SQ 0.5 (CAPNet)
  double cutoff = 1e-7;   // a Gaussian's factor along one axis below which pixels are skipped
};

// points (B,N,2): x (column), y (row) in pixels, pixel centres at integers (docs/conventions.md). float32 or
// float64, CPU or CUDA. Returns the density sum_n G_n (B,H,W), differentiable w.r.t. points. Bad input throws
// c10::Error naming the argument.
at::Tensor point_splat_density(const at::Tensor& points, const PointSplatSettings& settings);
// tanh(point_splat_density(points, settings)).
at::Tensor point_splat_mask(const at::Tensor& points, const PointSplatSettings& settings);
// The window half-width in pixels: sqrt(2 sigma^2 ln(1 / cutoff)).
double point_splat_radius(const PointSplatSettings& settings);

}  // namespace dibr
