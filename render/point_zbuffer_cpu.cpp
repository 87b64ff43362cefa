// CPU reference of DIFFER's soft z-buffer: images in parallel, each image's points in index order.
#include <ATen/Parallel.h>

#include "render/plain_accumulate.h"
#include "render/point_zbuffer_kernels.h"
#include "render/point_zbuffer_point.h"

namespace dibr::points {
template <typename scalar_t>
void point_zbuffer_forward_cpu(const ZbufferForwardParams<scalar_t>& p) {
  const ZbufferSizes& s = p.sizes;
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t n = 0; n < s.num_points; ++n) zbuffer_max_point(p, b * s.num_points + n, PlainMax{});
      for (int64_t n = 0; n < s.num_points; ++n) zbuffer_accumulate_point(p, b * s.num_points + n, PlainAdd{});
      const int64_t pixels = int64_t(s.height) * s.width;
      for (int64_t i = 0; i < pixels; ++i) zbuffer_normalize_pixel(p, b * pixels + i);
    }
  });
}

template <typename scalar_t>
void point_zbuffer_backward_cpu(const ZbufferBackwardParams<scalar_t>& p) {
  at::parallel_for(0, p.sizes.batch * p.sizes.num_points, 256, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) zbuffer_backward_point(p, i);
  });
}

template void point_zbuffer_forward_cpu<float>(const ZbufferForwardParams<float>&);
template void point_zbuffer_forward_cpu<double>(const ZbufferForwardParams<double>&);
template void point_zbuffer_backward_cpu<float>(const ZbufferBackwardParams<float>&);
template void point_zbuffer_backward_cpu<double>(const ZbufferBackwardParams<double>&);

}  // namespace dibr::points
