// CPU reference of the Gaussian point splat: images in parallel, each image's points in index order.
#include <ATen/Parallel.h>

#include "render/plain_accumulate.h"
#include "render/point_splat_kernels.h"
#include "render/point_splat_point.h"

namespace dibr::points {
template <typename scalar_t>
void point_splat_forward_cpu(const SplatForwardParams<scalar_t>& p) {
  const SplatSizes& s = p.sizes;
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      for (int64_t n = 0; n < s.num_points; ++n) splat_forward_point(p, b * s.num_points + n, PlainAdd{});
  });
}

template <typename scalar_t>
void point_splat_backward_cpu(const SplatBackwardParams<scalar_t>& p) {
  at::parallel_for(0, p.sizes.batch * p.sizes.num_points, 256, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) splat_backward_point(p, i);
  });
}

template void point_splat_forward_cpu<float>(const SplatForwardParams<float>&);
template void point_splat_forward_cpu<double>(const SplatForwardParams<double>&);
template void point_splat_backward_cpu<float>(const SplatBackwardParams<float>&);
template void point_splat_backward_cpu<double>(const SplatBackwardParams<double>&);

}  // namespace dibr::points
