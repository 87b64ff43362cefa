// CPU reference of the NMR silhouette rasterizer: the per-pixel forward of nmr_raster_pixel.h over tile-binned
// faces, and the per-face backward in at::parallel_for (each face writes its own slot: deterministic).
#include <ATen/Parallel.h>

#include <vector>

#include "render/nmr_raster_kernels.h"
#include "render/nmr_raster_pixel.h"
#include "render/tile_bins.h"

namespace dibr::nmr {

template <typename scalar_t>
void nmr_rasterize_forward_cpu(const NmrForwardParams<scalar_t>& p) {
  const NmrRasterSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  std::vector<raster::TileBins> bins(s.batch);
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      raster::build_tile_bins(p.face_vertices_image + b * s.num_faces * 6, s.num_faces, s.height, s.width, 0.0, bins[b]);
  });
  at::parallel_for(0, s.batch * pixels_per_image, 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t r = i % pixels_per_image;
      nmr_forward_pixel(p, i, bins[i / pixels_per_image].faces_at(int(r / s.width), int(r % s.width)));
    }
  });
}

template <typename scalar_t>
void nmr_rasterize_forward_cpu_unbinned(const NmrForwardParams<scalar_t>& p) {
  const NmrRasterSizes& s = p.sizes;
  at::parallel_for(0, s.batch * s.height * s.width, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) nmr_forward_pixel(p, i, raster::AllFaces{s.num_faces});
  });
}

template <typename scalar_t>
void nmr_rasterize_backward_cpu(const NmrBackwardParams<scalar_t>& p) {
  at::parallel_for(0, p.sizes.batch * p.sizes.num_faces, 8, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) nmr_backward_face(p, i);
  });
}

#define DIBR_NMR_INSTANTIATE(T)                                                        \
  template void nmr_rasterize_forward_cpu<T>(const NmrForwardParams<T>&);              \
  template void nmr_rasterize_forward_cpu_unbinned<T>(const NmrForwardParams<T>&);     \
  template void nmr_rasterize_backward_cpu<T>(const NmrBackwardParams<T>&);
DIBR_NMR_INSTANTIATE(float)
DIBR_NMR_INSTANTIATE(double)
#undef DIBR_NMR_INSTANTIATE

}  // namespace dibr::nmr
