// CPU reference of the DIB-R rasterizer: the per-pixel work of raster_pixel.h in at::parallel_for loops.
// Faces are first binned into pixel tiles so that a pixel only visits faces whose grown box may hold it;
// the per-pixel code still applies the exact box test, so the result equals visiting every face.
#include <ATen/Parallel.h>

#include <vector>

#include "render/plain_accumulate.h"
#include "render/raster_kernels.h"
#include "render/raster_pixel.h"
#include "render/tile_bins.h"

namespace dibr::raster {
template <typename scalar_t>
void rasterize_forward_cpu(const RasterForwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  std::vector<TileBins> bins(s.batch);
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      build_tile_bins(p.face_vertices_image + b * s.num_faces * 6, s.num_faces, s.height, s.width, s.boxlen, bins[b]);
  });
  at::parallel_for(0, s.batch * pixels_per_image, 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t r = i % pixels_per_image;
      forward_pixel(p, i, bins[i / pixels_per_image].faces_at(int(r / s.width), int(r % s.width)));
    }
  });
}

template <typename scalar_t>
void rasterize_backward_cpu(const RasterBackwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  // Pixels scatter into their image's faces only, so images are independent: parallel over the batch
  // needs no atomics and sums in a fixed order (deterministic gradients).
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    TileBins bins;
    for (int64_t b = begin; b < end; ++b) {
      build_tile_bins(p.face_vertices_image + b * s.num_faces * 6, s.num_faces, s.height, s.width, s.boxlen, bins);
      for (int64_t r = 0; r < pixels_per_image; ++r)
        backward_pixel(p, b * pixels_per_image + r, bins.faces_at(int(r / s.width), int(r % s.width)), PlainAdd{});
    }
  });
}

// Visits every face for every pixel, without bins: the plain definition, kept to test the binned path.
template <typename scalar_t>
void rasterize_forward_cpu_unbinned(const RasterForwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  at::parallel_for(0, s.batch * s.height * s.width, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) forward_pixel(p, i, AllFaces{s.num_faces});
  });
}

template void rasterize_forward_cpu<float>(const RasterForwardParams<float>&);
template void rasterize_forward_cpu<double>(const RasterForwardParams<double>&);
template void rasterize_forward_cpu_unbinned<float>(const RasterForwardParams<float>&);
template void rasterize_forward_cpu_unbinned<double>(const RasterForwardParams<double>&);
template void rasterize_backward_cpu<float>(const RasterBackwardParams<float>&);
template void rasterize_backward_cpu<double>(const RasterBackwardParams<double>&);

}  // namespace dibr::raster
