#pragma once
// The brute-force 2D nearest-neighbour search (nearest_2d_kernels.h): one target against a query's best so far,
// shared by the CPU baseline (nearest_2d_query) and the CUDA kernel (which streams the targets through shared memory).
#include "render/nearest_2d_kernels.h"
#include "render/raster_math.h"

namespace dibr::points {

// Target k at (tx, ty) against the best so far; visiting targets in index order keeps the lowest index on ties.
template <typename T>
DIBR_HD void nearest_2d_consider(T x, T y, T tx, T ty, int64_t k, T& best, int64_t& best_index) {
  const T dx = x - tx, dy = y - ty;
  const T d = dx * dx + dy * dy;
  if (best_index < 0 || d < best) {
    best = d;
    best_index = k;
  }
}

template <typename T>
DIBR_HD void nearest_2d_store(const NearestParams<T>& p, int64_t index, T best, int64_t best_index) {
  p.distance_sq[index] = best;
  p.index[index] = best_index < 0 ? 0 : best_index;
}

template <typename T>
DIBR_HD void nearest_2d_query(const NearestParams<T>& p, int64_t index) {
  const NearestSizes& s = p.sizes;
  const T* targets = p.targets + (index / s.num_queries) * s.num_targets * 2;
  const T x = p.queries[2 * index], y = p.queries[2 * index + 1];
  T best = T(0);
  int64_t best_index = -1;
  for (int64_t k = 0; k < s.num_targets; ++k) nearest_2d_consider(x, y, targets[2 * k], targets[2 * k + 1], k, best, best_index);
  nearest_2d_store(p, index, best, best_index);
}

}  // namespace dibr::points
