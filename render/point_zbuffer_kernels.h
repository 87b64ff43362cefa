#pragma once
// Raw-pointer entry points of DIFFER's soft z-buffer (seed_methods.md §3.4): each pixel's feature is the
// softmax over the points whose well covers it (|x_n - j| <= r and |y_n - i| <= r) of beta / depth_n, applied to
// the points' features; 0 where no well covers the pixel. The CPU reference (point_zbuffer_cpu.cpp) and the CUDA
// kernels (point_zbuffer_cuda.cu) run the same per-point code (point_zbuffer_point.h).
#include <cstdint>

namespace dibr::points {

struct ZbufferSizes {
  int64_t batch = 0;        // B
  int64_t num_points = 0;   // N
  int64_t feature_dim = 0;  // D
  int height = 0, width = 0;
  double well_radius = 1.0;  // pixels
  double beta = 100.0;       // softmax sharpness over beta / depth
};

template <typename scalar_t>
struct ZbufferForwardParams {
  ZbufferSizes sizes;
  const scalar_t* points = nullptr;    // (B,N,2) x (column), y (row) in pixels
  const scalar_t* depth = nullptr;     // (B,N) > 0
  const scalar_t* features = nullptr;  // (B,N,D)
  scalar_t* logit_max = nullptr;       // (B,H,W) max of beta/depth over the pixel's points: caller fills with -inf
  scalar_t* weight_sum = nullptr;      // (B,H,W) sum of exp(beta/depth - max): caller zero-fills
  scalar_t* image = nullptr;           // (B,H,W,D) the softmax-weighted features: caller zero-fills
};

template <typename scalar_t>
struct ZbufferBackwardParams {
  ZbufferSizes sizes;
  const scalar_t* points = nullptr;      // (B,N,2)
  const scalar_t* depth = nullptr;       // (B,N)
  const scalar_t* features = nullptr;    // (B,N,D)
  const scalar_t* logit_max = nullptr;   // (B,H,W) from the forward
  const scalar_t* weight_sum = nullptr;  // (B,H,W) from the forward
  const scalar_t* image = nullptr;       // (B,H,W,D) from the forward
  const scalar_t* grad_image = nullptr;  // (B,H,W,D)
  scalar_t* grad_depth = nullptr;        // (B,N) written
  scalar_t* grad_features = nullptr;     // (B,N,D) written
};

// Three passes: per-point max, per-point weighted sums, per-pixel normalisation. Deterministic on the CPU.
template <typename scalar_t>
void point_zbuffer_forward_cpu(const ZbufferForwardParams<scalar_t>& p);
// Per point, gathering over its well: deterministic on both back ends.
template <typename scalar_t>
void point_zbuffer_backward_cpu(const ZbufferBackwardParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only. Only defined in CUDA builds.
template <typename scalar_t>
void point_zbuffer_forward_cuda(const ZbufferForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void point_zbuffer_backward_cuda(const ZbufferBackwardParams<scalar_t>& p, void* stream);

}  // namespace dibr::points
