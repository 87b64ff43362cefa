// CPU reference of the SoftRas soft rasterizer: the per-pixel work of soft_raster_pixel.h in at::parallel_for
// loops over tile-binned faces (a face reaches a tile when its box grown by sqrt(threshold) touches it; the
// per-pixel code still applies the exact tests, so the result equals visiting every face).
#include <ATen/Parallel.h>

#include <cmath>
#include <vector>

#include "render/plain_accumulate.h"
#include "render/soft_raster_kernels.h"
#include "render/soft_raster_pixel.h"
#include "render/tile_bins.h"

namespace dibr::softras {
namespace {

using raster::AllFaces;
using raster::TileBins;

double bin_margin(const SoftRasSizes& s) {
  return std::sqrt(s.threshold);
}

}  // namespace

template <typename scalar_t>
void soft_rasterize_forward_cpu(const SoftRasForwardParams<scalar_t>& p) {
  const SoftRasSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  std::vector<TileBins> bins(s.batch);
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      raster::build_tile_bins(p.face_vertices_image + b * s.num_faces * 6, s.num_faces, s.height, s.width,
                              bin_margin(s), bins[b]);
  });
  at::parallel_for(0, s.batch * pixels_per_image, 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t r = i % pixels_per_image;
      soft_forward_pixel(p, i, bins[i / pixels_per_image].faces_at(int(r / s.width), int(r % s.width)));
    }
  });
}

template <typename scalar_t>
void soft_rasterize_backward_cpu(const SoftRasBackwardParams<scalar_t>& p) {
  const SoftRasSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  // Pixels scatter into their own image's faces only: parallel over images needs no atomics and sums in a
  // fixed order (deterministic gradients).
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    TileBins bins;
    for (int64_t b = begin; b < end; ++b) {
      raster::build_tile_bins(p.face_vertices_image + b * s.num_faces * 6, s.num_faces, s.height, s.width,
                              bin_margin(s), bins);
      for (int64_t r = 0; r < pixels_per_image; ++r)
        soft_backward_pixel(p, b * pixels_per_image + r, bins.faces_at(int(r / s.width), int(r % s.width)), PlainAdd{});
    }
  });
}

template <typename scalar_t>
void soft_rasterize_forward_cpu_unbinned(const SoftRasForwardParams<scalar_t>& p) {
  const SoftRasSizes& s = p.sizes;
  at::parallel_for(0, s.batch * s.height * s.width, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) soft_forward_pixel(p, i, AllFaces{s.num_faces});
  });
}

template <typename scalar_t>
void soft_rasterize_backward_cpu_unbinned(const SoftRasBackwardParams<scalar_t>& p) {
  const SoftRasSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      for (int64_t r = 0; r < pixels_per_image; ++r)
        soft_backward_pixel(p, b * pixels_per_image + r, AllFaces{s.num_faces}, PlainAdd{});
  });
}

#define DIBR_SOFTRAS_INSTANTIATE(T)                                                     \
  template void soft_rasterize_forward_cpu<T>(const SoftRasForwardParams<T>&);          \
  template void soft_rasterize_backward_cpu<T>(const SoftRasBackwardParams<T>&);        \
  template void soft_rasterize_forward_cpu_unbinned<T>(const SoftRasForwardParams<T>&); \
  template void soft_rasterize_backward_cpu_unbinned<T>(const SoftRasBackwardParams<T>&);
DIBR_SOFTRAS_INSTANTIATE(float)
DIBR_SOFTRAS_INSTANTIATE(double)
#undef DIBR_SOFTRAS_INSTANTIATE

}  // namespace dibr::softras
