#pragma once
// 2D nearest neighbours between point sets of the same image (2DPM's chamfer, seed_methods.md §2.6). The search
// is not differentiable; gather the targets at `index` and the distance becomes differentiable by autograd.
#include <ATen/core/Tensor.h>

namespace dibr {

struct Nearest2d {
  at::Tensor distance_sq;  // (B,N) squared distance to the nearest target
  at::Tensor index;        // (B,N) int64 index of that target in its image's K
};

enum class Nearest2dAlgorithm { Auto, BruteForce };

// queries (B,N,2), targets (B,K,2) with K >= 1, one dtype (float32 or float64) and one device. Auto is a k-d tree
// on the CPU and the brute force on CUDA. Bad input throws c10::Error naming the argument.
Nearest2d nearest_2d(const at::Tensor& queries, const at::Tensor& targets,
                     Nearest2dAlgorithm algorithm = Nearest2dAlgorithm::Auto);

}  // namespace dibr
