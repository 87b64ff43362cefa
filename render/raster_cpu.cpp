// CPU reference of the DIB-R rasterizer: the per-pixel work of raster_pixel.h in at::parallel_for loops.
// Faces are first binned into pixel tiles so that a pixel only visits faces whose grown box may hold it;
// the per-pixel code still applies the exact box test, so the result equals visiting every face.
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "render/raster_kernels.h"
#include "render/raster_pixel.h"

namespace dibr::raster {
namespace {

constexpr int kTile = 8;  // pixels per tile side

// Faces of one image in CSR form per tile, each in increasing face index.
struct TileBins {
  int tiles_x = 0;
  std::vector<int64_t> start;  // tiles + 1
  std::vector<int32_t> ids;
  FaceList faces_at(int h, int w) const {
    const int64_t t = int64_t(h / kTile) * tiles_x + w / kTile;
    return {ids.data() + start[t], start[t + 1] - start[t]};
  }
};

// Inclusive range of pixel indices whose centre coordinate c(i) = sign*(2i+1-n)/n may fall in [lo,hi],
// padded by one pixel against rounding. False when empty (NaN boxes are empty).
bool pixel_range(double lo, double hi, int n, bool flipped, int* first, int* last) {
  if (!(lo <= hi)) return false;
  // i = (n - 1 + c*n) / 2 for x; rows run top to bottom, i = (n - 1 - c*n) / 2.
  double a = (n - 1 + (flipped ? -hi : lo) * n) / 2, b = (n - 1 + (flipped ? -lo : hi) * n) / 2;
  a = std::max(std::floor(a) - 1, 0.0);
  b = std::min(std::ceil(b) + 1, double(n - 1));
  if (a > b) return false;
  *first = static_cast<int>(a);
  *last = static_cast<int>(b);
  return true;
}

template <typename T>
void build_bins(const T* corners, int64_t num_faces, const RasterSizes& s, TileBins& bins) {
  bins.tiles_x = (s.width + kTile - 1) / kTile;
  const int tiles_y = (s.height + kTile - 1) / kTile;
  const int64_t tiles = int64_t(bins.tiles_x) * tiles_y;
  std::vector<int32_t> span(num_faces * 4, -1);  // tile x0, x1, y0, y1; x0 = -1 when empty
  std::vector<int64_t> count(tiles + 1, 0);
  for (int64_t f = 0; f < num_faces; ++f) {
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    int w0, w1, h0, h1;
    if (!pixel_range(double(t.min_x()) - s.boxlen, double(t.max_x()) + s.boxlen, s.width, false, &w0, &w1) ||
        !pixel_range(double(t.min_y()) - s.boxlen, double(t.max_y()) + s.boxlen, s.height, true, &h0, &h1))
      continue;
    int32_t* sp = span.data() + f * 4;
    sp[0] = w0 / kTile, sp[1] = w1 / kTile, sp[2] = h0 / kTile, sp[3] = h1 / kTile;
    for (int ty = sp[2]; ty <= sp[3]; ++ty)
      for (int tx = sp[0]; tx <= sp[1]; ++tx) ++count[int64_t(ty) * bins.tiles_x + tx + 1];
  }
  for (int64_t t = 0; t < tiles; ++t) count[t + 1] += count[t];
  bins.start = count;
  bins.ids.resize(count[tiles]);
  for (int64_t f = 0; f < num_faces; ++f) {
    const int32_t* sp = span.data() + f * 4;
    if (sp[0] < 0) continue;
    for (int ty = sp[2]; ty <= sp[3]; ++ty)
      for (int tx = sp[0]; tx <= sp[1]; ++tx) bins.ids[count[int64_t(ty) * bins.tiles_x + tx]++] = int32_t(f);
  }
}

struct PlainAdd {
  template <typename T>
  void operator()(T* dst, T value) const { *dst += value; }
};

}  // namespace

template <typename scalar_t>
void rasterize_forward_cpu(const RasterForwardParams<scalar_t>& p) {
  const RasterSizes& s = p.sizes;
  const int64_t pixels_per_image = int64_t(s.height) * s.width;
  std::vector<TileBins> bins(s.batch);
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b)
      build_bins(p.face_vertices_image + b * s.num_faces * 6, s.num_faces, s, bins[b]);
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
      build_bins(p.face_vertices_image + b * s.num_faces * 6, s.num_faces, s, bins);
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
