#pragma once
// Raw-pointer entry points of the 2D nearest-neighbour search of 2DPM's chamfer (seed_methods.md §2.6): for each
// query point, the squared distance to and the index of the nearest target point of the same image. The CUDA
// kernel and the CPU brute force share nearest_2d_query.h; the CPU's fast path is a k-d tree (nanoflann).
#include <cstdint>

namespace dibr::points {

struct NearestSizes {
  int64_t batch = 0;        // B
  int64_t num_queries = 0;  // N
  int64_t num_targets = 0;  // K >= 1
};

template <typename scalar_t>
struct NearestParams {
  NearestSizes sizes;
  const scalar_t* queries = nullptr;  // (B,N,2)
  const scalar_t* targets = nullptr;  // (B,K,2)
  scalar_t* distance_sq = nullptr;    // (B,N) written
  int64_t* index = nullptr;           // (B,N) written: index into the image's K targets
};

// k-d tree per image; equal to the brute force in distance (ties may pick another index of the same distance).
template <typename scalar_t>
void nearest_2d_cpu(const NearestParams<scalar_t>& p);
// Every query visits every target; the lowest index wins ties. For tests and the bench baseline.
template <typename scalar_t>
void nearest_2d_cpu_brute_force(const NearestParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only. Only defined in CUDA builds.
template <typename scalar_t>
void nearest_2d_cuda(const NearestParams<scalar_t>& p, void* stream);

}  // namespace dibr::points
