#pragma once
#include <ATen/core/Tensor.h>

#include <array>

namespace dibr {

constexpr std::array<double, 5> kFscoreThresholds = {0.01, 0.02, 0.03, 0.04, 0.05};

struct ChamferResult {
  double pred_to_gt = 0;  // mean Euclidean distance from each predicted point to its nearest GT point
  double gt_to_pred = 0;
  double chamfer = 0;     // (pred_to_gt + gt_to_pred) / 2, not scaled
  std::array<double, 5> fscore{};  // at kFscoreThresholds
};

// pred (N,3), gt (M,3) float32. KD-tree on the CPU; a batched brute-force path on CUDA tensors.
ChamferResult chamfer_distance(const at::Tensor& pred, const at::Tensor& gt);
// The brute-force (chunked exact cdist) path on any device; chamfer_distance uses it for CUDA tensors.
ChamferResult chamfer_distance_bruteforce(const at::Tensor& pred, const at::Tensor& gt);

// Each query point's distance to its nearest reference point, the terms chamfer_distance averages: query (N,3),
// reference (M,3), any device -> (N) float32 on the CPU. Throws std::invalid_argument for a bad shape or no points.
at::Tensor nearest_point_distances(const at::Tensor& query, const at::Tensor& reference);

}  // namespace dibr
