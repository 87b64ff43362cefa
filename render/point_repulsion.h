#pragma once
// DRWR's mask-weighted Gaussian repulsion ("potential", Han et al., ICML 2020; seed_methods.md §2.3), fused:
//   E_i = w_i (1/N) sum_j w_j exp(-|p_i - p_j|^2 / tau + b_i),  j over the same view's points, i = j included.
// O(N^2) per view in time, O(N) in memory: the pairs are recomputed in the backward.
#include <ATen/core/Tensor.h>

namespace dibr {

// points (B,N,2) grid coordinates; weights, bias (B,N); tau > 0. One dtype (float32 or float64) and one device.
// Returns E (B,N), differentiable w.r.t. points, weights and bias. Bad input throws c10::Error naming the argument.
at::Tensor point_repulsion(const at::Tensor& points, const at::Tensor& weights, const at::Tensor& bias, double tau);

}  // namespace dibr
