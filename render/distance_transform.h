#pragma once
// Exact squared Euclidean distance transform of masks, in pixels, O(H*W) per image: the mask distance field of
// DRWR (seed_methods.md §2.3) and the chamfer form of CAPNet's affinity loss (§3.5). Not differentiable.
#include <ATen/core/Tensor.h>

namespace dibr {

// masks (B,H,W) float32/float64, CPU or CUDA. Returns (B,H,W) of the same dtype: the squared distance from each
// pixel centre to the nearest pixel with mask >= threshold (0 there), or `empty_value` in an image without one.
at::Tensor squared_distance_transform(const at::Tensor& masks, double threshold, double empty_value);

}  // namespace dibr
