#pragma once
// Random soft-rasterizer inputs shared by the SoftRas tests: triangles in NDC with per-corner depths inside
// [near, far] and per-corner colours.
#include <torch/torch.h>

#include "render/soft_rasterize.h"

namespace dibr::test {

struct SoftInputs {
  at::Tensor image;     // (B,F,3,2)
  at::Tensor depth;     // (B,F,3)
  at::Tensor features;  // (B,F,3,D)
};

inline SoftInputs random_soft_inputs(int64_t B, int64_t F, int64_t D, double size, uint64_t seed,
                                     torch::Dtype dtype = torch::kFloat64) {
  torch::manual_seed(seed);
  auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  SoftInputs in;
  const at::Tensor centre = torch::rand({B, F, 1, 2}, opts) * 1.4 - 0.7;
  in.image = (centre + (torch::rand({B, F, 3, 2}, opts) - 0.5) * size).to(dtype);
  in.depth = (torch::rand({B, F, 1}, opts) * 3.0 + 2.0 + torch::rand({B, F, 3}, opts) * 0.5).to(dtype);
  in.features = torch::rand({B, F, 3, D}, opts).to(dtype);
  return in;
}

}  // namespace dibr::test
