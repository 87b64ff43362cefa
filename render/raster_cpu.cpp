// CPU DIB-R rasterizer: the coarse pass bins each image's faces into tiles (tile_bins.h), then the fine pass
// (raster_tile.h) runs tile by tile in at::parallel_for, forward and backward. The unbinned loops (every pixel
// visits every face, the reference kernel's design) stay as the baseline for tests and bench/.
#include <ATen/Parallel.h>

#include <memory>
#include <vector>

#include "render/plain_accumulate.h"
#include "render/raster_kernels.h"
#include "render/raster_pixel.h"
#include "render/raster_tile.h"
#include "render/tile_bins.h"

namespace dibr::raster {

struct BatchTileBins {
  std::vector<TileBins> images;
};
void delete_batch_tile_bins(BatchTileBins* bins) { delete bins; }

namespace {

template <typename T>
std::vector<TileBins> bin_images(const RasterSizes& s, const T* face_vertices_image) {
  std::vector<TileBins> bins(s.batch);
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      build_tile_bins(face_vertices_image + b * s.num_faces * 6, s.num_faces, s.height, s.width, s.boxlen, bins[b],
                      kRasterTile, BinBox::Exact);
  });
  return bins;
}

}  // namespace

template <typename scalar_t>
void rasterize_forward_cpu(const RasterForwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  auto kept = std::make_unique<BatchTileBins>();
  kept->images = bin_images(s, p.face_vertices_image);
  const std::vector<TileBins>& bins = kept->images;
  const int64_t tiles = raster_grid(s).count();
  at::parallel_for(0, s.batch * tiles, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      forward_tile(p, i / tiles, i % tiles, bins[i / tiles].faces_of(i % tiles), bins[i / tiles].boxes.data());
  });
  if (p.keep_bins) *p.keep_bins = kept.release();
}

template <typename scalar_t>
void rasterize_backward_cpu(const RasterBackwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  std::vector<TileBins> rebuilt;
  if (!p.bins) rebuilt = bin_images(s, p.face_vertices_image);
  const std::vector<TileBins>& bins = p.bins ? p.bins->images : rebuilt;
  const int64_t tiles = raster_grid(s).count(), slots_per_entry = 6 + 3 * s.feature_dim;
  std::vector<int64_t> image_entries(s.batch + 1, 0);  // where each image's entries start
  for (int64_t b = 0; b < s.batch; ++b) image_entries[b + 1] = image_entries[b] + int64_t(bins[b].ids.size());
  // Not zero-filled: each tile zeroes its own slots, where they are about to be used.
  std::unique_ptr<scalar_t[]> entry_corners(new scalar_t[image_entries[s.batch] * 6]);
  std::unique_ptr<scalar_t[]> entry_features(new scalar_t[image_entries[s.batch] * (slots_per_entry - 6)]);
  at::parallel_for(0, s.batch * tiles, 1, [&](int64_t begin, int64_t end) {
    std::vector<int> slots(kRasterTilePixels * s.knum);
    std::vector<SoftTerm<scalar_t>> slot_terms(kRasterTilePixels * s.knum);
    for (int64_t i = begin; i < end; ++i) {
      const int64_t b = i / tiles, t = i % tiles, first = image_entries[b] + bins[b].start[t];
      EntryGrads<scalar_t> out{entry_corners.get() + first * 6, entry_features.get() + first * 3 * s.feature_dim};
      backward_tile(p, b, t, bins[b].faces_of(t), bins[b].boxes.data(), out, slots.data(), slot_terms.data());
    }
  });
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const int64_t first = image_entries[b];
      gather_entries(p, b, image_entries[b + 1] - first, bins[b].ids.data(), entry_corners.get() + first * 6,
                     entry_features.get() + first * 3 * s.feature_dim);
    }
  });
}

template <typename scalar_t>
void rasterize_forward_cpu_unbinned(const RasterForwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  at::parallel_for(0, s.batch * s.height * s.width, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) forward_pixel(p, i, AllFaces{s.num_faces});
  });
}

template <typename scalar_t>
void rasterize_backward_cpu_unbinned(const RasterBackwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  // Images scatter into their own faces only: parallel over the batch needs no atomics.
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      for (int64_t r = 0; r < pixels_per_image; ++r)
        backward_pixel(p, b * pixels_per_image + r, AllFaces{s.num_faces}, PlainAdd{});
  });
}

size_t deterministic_scratch_bytes(const RasterSizes& sizes, size_t scalar_bytes) {
  return scalar_bytes == sizeof(double) ? DeterministicScratch<double>::bytes(sizes) : DeterministicScratch<float>::bytes(sizes);
}

template void rasterize_forward_cpu<float>(const RasterForwardParams<float>&);
template void rasterize_forward_cpu<double>(const RasterForwardParams<double>&);
template void rasterize_forward_cpu_unbinned<float>(const RasterForwardParams<float>&);
template void rasterize_forward_cpu_unbinned<double>(const RasterForwardParams<double>&);
template void rasterize_backward_cpu<float>(const RasterBackwardParams<float>&);
template void rasterize_backward_cpu<double>(const RasterBackwardParams<double>&);
template void rasterize_backward_cpu_unbinned<float>(const RasterBackwardParams<float>&);
template void rasterize_backward_cpu_unbinned<double>(const RasterBackwardParams<double>&);

}  // namespace dibr::raster
