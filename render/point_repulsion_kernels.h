#pragma once
// Raw-pointer entry points of DRWR's mask-weighted Gaussian repulsion (seed_methods.md §2.3), fused: per point i,
//   E_i = w_i exp(b_i) (1/N) sum_j w_j exp(-|p_i - p_j|^2 / tau)   (j = i included),
// computed on the fly over j and recomputed in the backward, so no B x N x N array exists. The CPU reference
// (point_repulsion_cpu.cpp) and the CUDA kernels (point_repulsion_cuda.cu) run point_repulsion_point.h.
#include <cstdint>

namespace dibr::points {

struct RepulsionSizes {
  int64_t batch = 0;       // B
  int64_t num_points = 0;  // N
  double threshold = 5.0;  // tau (gauss_threshold), grid pixels^2
};

template <typename scalar_t>
struct RepulsionForwardParams {
  RepulsionSizes sizes;
  const scalar_t* points = nullptr;   // (B,N,2) grid coordinates
  const scalar_t* weights = nullptr;  // (B,N) w
  const scalar_t* bias = nullptr;     // (B,N) b
  scalar_t* energy = nullptr;         // (B,N) written
};

template <typename scalar_t>
struct RepulsionBackwardParams {
  RepulsionSizes sizes;
  const scalar_t* points = nullptr;       // (B,N,2)
  const scalar_t* weights = nullptr;      // (B,N)
  const scalar_t* bias = nullptr;         // (B,N)
  const scalar_t* energy = nullptr;       // (B,N) from the forward
  const scalar_t* grad_energy = nullptr;  // (B,N)
  const scalar_t* pair_scale = nullptr;   // (B,N) c_j = grad_energy_j w_j exp(b_j) / N, precomputed by the caller
  scalar_t* grad_points = nullptr;        // (B,N,2) written
  scalar_t* grad_weights = nullptr;       // (B,N) written
  scalar_t* grad_bias = nullptr;          // (B,N) written
};

// Every point writes only its own outputs: deterministic on both back ends.
template <typename scalar_t>
void point_repulsion_forward_cpu(const RepulsionForwardParams<scalar_t>& p);
template <typename scalar_t>
void point_repulsion_backward_cpu(const RepulsionBackwardParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only. Only defined in CUDA builds.
template <typename scalar_t>
void point_repulsion_forward_cuda(const RepulsionForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void point_repulsion_backward_cuda(const RepulsionBackwardParams<scalar_t>& p, void* stream);

}  // namespace dibr::points
