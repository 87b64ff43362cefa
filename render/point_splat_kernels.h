#pragma once
// Raw-pointer entry points of CAPNet's Gaussian point splat (the mask projection, seed_methods.md §3.3), before
// its tanh: density_ij = sum_n exp(-(x_n - j)^2 / 2 sigma^2) exp(-(y_n - i)^2 / 2 sigma^2) over the pixels within
// `radius` of each point on both axes. The CPU reference (point_splat_cpu.cpp) and the CUDA kernels
// (point_splat_cuda.cu) run the same per-point code (point_splat_point.h). Arrays are dense and row-major.
#include <cstdint>

namespace dibr::points {

struct SplatSizes {
  int64_t batch = 0;       // B
  int64_t num_points = 0;  // N
  int height = 0, width = 0;
  double sigma_sq = 0.4;   // variance of the Gaussian, pixels^2
  double radius = 3.0;     // a point reaches the pixels within this many pixels on both axes
};

template <typename scalar_t>
struct SplatForwardParams {
  SplatSizes sizes;
  const scalar_t* points = nullptr;  // (B,N,2) x (column), y (row) in pixels
  scalar_t* density = nullptr;       // (B,H,W) accumulated into: caller zero-fills
};

template <typename scalar_t>
struct SplatBackwardParams {
  SplatSizes sizes;
  const scalar_t* points = nullptr;        // (B,N,2)
  const scalar_t* grad_density = nullptr;  // (B,H,W)
  scalar_t* grad_points = nullptr;         // (B,N,2) written
};

// Each image's points are added in index order (deterministic); the backward gathers per point.
template <typename scalar_t>
void point_splat_forward_cpu(const SplatForwardParams<scalar_t>& p);
template <typename scalar_t>
void point_splat_backward_cpu(const SplatBackwardParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only. Only defined in CUDA builds. The forward
// adds with atomics (the sum's order varies in the last bits); the backward is deterministic.
template <typename scalar_t>
void point_splat_forward_cuda(const SplatForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void point_splat_backward_cuda(const SplatBackwardParams<scalar_t>& p, void* stream);

}  // namespace dibr::points
