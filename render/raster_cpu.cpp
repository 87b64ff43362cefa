// CPU reference of the DIB-R rasterizer: the per-pixel work of raster_pixel.h in at::parallel_for loops.
#include <ATen/Parallel.h>

#include "render/raster_kernels.h"
#include "render/raster_pixel.h"

namespace dibr::raster {

template <typename scalar_t>
void rasterize_forward_cpu(const RasterForwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  const int64_t pixels = s.batch * s.height * s.width;
  // Each pixel visits every face, so even small chunks are worth a thread.
  at::parallel_for(0, pixels, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) forward_pixel(p, i);
  });
}

struct PlainAdd {
  template <typename T>
  void operator()(T* dst, T value) const { *dst += value; }
};

template <typename scalar_t>
void rasterize_backward_cpu(const RasterBackwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  // Pixels scatter into their image's faces only, so images are independent: parallel over the batch
  // needs no atomics and sums in a fixed order (deterministic gradients).
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      for (int64_t i = b * pixels_per_image; i < (b + 1) * pixels_per_image; ++i) backward_pixel(p, i, PlainAdd{});
  });
}

template void rasterize_forward_cpu<float>(const RasterForwardParams<float>&);
template void rasterize_forward_cpu<double>(const RasterForwardParams<double>&);
template void rasterize_backward_cpu<float>(const RasterBackwardParams<float>&);
template void rasterize_backward_cpu<double>(const RasterBackwardParams<double>&);

}  // namespace dibr::raster
