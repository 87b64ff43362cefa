#pragma once
// One query of the brute-force 2D nearest-neighbour search (nearest_2d_kernels.h), shared by the CPU baseline
// and the CUDA kernel.
#include "render/nearest_2d_kernels.h"
#include "render/raster_math.h"

namespace dibr::points {

template <typename T>
DIBR_HD void nearest_2d_query(const NearestParams<T>& p, int64_t index) {
  const NearestSizes& s = p.sizes;
  const T* targets = p.targets + (index / s.num_queries) * s.num_targets * 2;
  const T x = p.queries[2 * index], y = p.queries[2 * index + 1];
  T best = T(0);
  int64_t best_index = -1;
  for (int64_t k = 0; k < s.num_targets; ++k) {
    const T dx = x - targets[2 * k], dy = y - targets[2 * k + 1];
    const T d = dx * dx + dy * dy;
    if (best_index < 0 || d < best) {
      best = d;
      best_index = k;
    }
  }
  p.distance_sq[index] = best;
  p.index[index] = best_index < 0 ? 0 : best_index;
}

}  // namespace dibr::points
