#pragma once
// Coarse binning of one image's faces into square pixel tiles: a pixel then visits only the faces whose screen
// box, grown by a margin, may hold its centre. Each tile lists its faces in increasing index (CSR), so the
// per-pixel code sees them in the order the unbinned loop would. The box-to-pixel arithmetic is host-device
// code, shared by the CPU's binning and the CUDA kernels.
#include <math.h>

#include <cstdint>
#include <vector>

#include "render/raster_math.h"

namespace dibr::raster {

constexpr int kTile = 8;  // pixels per tile side, by default

// The candidate faces of a pixel, in increasing index: every face, or a pre-binned subset that must contain
// every face whose grown box holds the pixel centre.
struct AllFaces {
  int64_t count;
  DIBR_HD int64_t size() const { return count; }
  DIBR_HD int64_t operator[](int64_t i) const { return i; }
};
struct FaceList {
  const int32_t* ids;
  int64_t count;
  DIBR_HD int64_t size() const { return count; }
  DIBR_HD int64_t operator[](int64_t i) const { return ids[i]; }
};

// Inclusive range [first, last] of pixel indices along one axis whose centre coordinate
// c(i) = sign*(2i+1-n)/n may fall in [lo, hi], padded by one pixel against rounding; exact tests follow.
// Empty (first > last) for empty or NaN intervals; safe for huge values.
struct PixelRange {
  int first, last;
  DIBR_HD bool empty() const { return first > last; }
};
DIBR_HD PixelRange pixel_range(double lo, double hi, int n, bool flipped) {
  if (!(lo <= hi)) return {1, 0};
  // i = (n - 1 + c*n) / 2 for x; rows run top to bottom, i = (n - 1 - c*n) / 2.
  double a = (n - 1 + (flipped ? -hi : lo) * n) / 2, b = (n - 1 + (flipped ? -lo : hi) * n) / 2;
  a = floor(a) - 1;
  b = ceil(b) + 1;
  a = a < 0.0 ? 0.0 : a;
  b = b > double(n - 1) ? double(n - 1) : b;
  if (a > b) return {1, 0};
  return {static_cast<int>(a), static_cast<int>(b)};
}

// The pixels that may hold the centre of a face's box grown by margin: columns x, rows y.
struct PixelBox {
  PixelRange x, y;
  DIBR_HD bool empty() const { return x.empty() || y.empty(); }
};
template <typename T>
DIBR_HD PixelBox face_pixel_box(const Tri<T>& t, double margin, int height, int width) {
  return {pixel_range(double(t.min_x()) - margin, double(t.max_x()) + margin, width, false),
          pixel_range(double(t.min_y()) - margin, double(t.max_y()) + margin, height, true)};
}

// Narrows the conservative range r to the exact run of indices i whose centre c(i) lies in [lo, hi]; centres
// are monotonic along an axis, so the run is contiguous.
template <typename T, typename Centre>
DIBR_HD PixelRange exact_run(PixelRange r, const Centre& c, T lo, T hi) {
  while (r.first <= r.last && !(c(r.first) >= lo && c(r.first) <= hi)) ++r.first;
  while (r.last >= r.first && !(c(r.last) >= lo && c(r.last) <= hi)) --r.last;
  return r;
}

// Exactly the pixels whose centre passes Tri::box_contains(px, py, margin), comparing in T as that test does.
template <typename T>
DIBR_HD PixelBox face_centre_box(const Tri<T>& t, T margin, int height, int width) {
  const PixelBox approx = face_pixel_box(t, double(margin), height, width);
  if (approx.empty()) return approx;
  return {exact_run(approx.x, [&](int w) { return pixel_ndc_x<T>(w, width); }, t.min_x() - margin, t.max_x() + margin),
          exact_run(approx.y, [&](int h) { return pixel_ndc_y<T>(h, height); }, t.min_y() - margin, t.max_y() + margin)};
}

// A tile grid over an image: tiles of `tile` x `tile` pixels, the last row and column cut by the image.
struct TileGrid {
  int height, width, tile;
  DIBR_HD int tiles_x() const { return (width + tile - 1) / tile; }
  DIBR_HD int tiles_y() const { return (height + tile - 1) / tile; }
  DIBR_HD int64_t count() const { return int64_t(tiles_x()) * tiles_y(); }
  // The pixels of tile t.
  DIBR_HD PixelBox pixels(int64_t t) const {
    const int tx = static_cast<int>(t % tiles_x()), ty = static_cast<int>(t / tiles_x());
    const int x1 = (tx + 1) * tile - 1, y1 = (ty + 1) * tile - 1;
    return {{tx * tile, x1 < width ? x1 : width - 1}, {ty * tile, y1 < height ? y1 : height - 1}};
  }
};

DIBR_HD PixelBox intersect(const PixelBox& a, const PixelBox& b) {
  return {{a.x.first > b.x.first ? a.x.first : b.x.first, a.x.last < b.x.last ? a.x.last : b.x.last},
          {a.y.first > b.y.first ? a.y.first : b.y.first, a.y.last < b.y.last ? a.y.last : b.y.last}};
}

struct TileBins {
  TileGrid grid{0, 0, kTile};
  std::vector<int64_t> start;  // tiles + 1
  std::vector<int32_t> ids;
  std::vector<PixelBox> boxes;  // per face: the pixels it was binned for (exact boxes only)
  FaceList faces_of(int64_t t) const { return {ids.data() + start[t], start[t + 1] - start[t]}; }
  FaceList faces_at(int h, int w) const {
    return faces_of(int64_t(h / grid.tile) * grid.tiles_x() + w / grid.tile);
  }
};

// How a face's pixels are bounded when binning.
enum class BinBox {
  Padded,  // its box grown by margin, padded by one pixel against rounding: for tests done in other arithmetic
  Exact,   // face_centre_box: exactly the centres Tri::box_contains accepts; also kept in TileBins::boxes
};

// corners (F,3,2) NDC x,y of one image; a face goes into every tile its box grown by `margin` (NDC) touches
// (counting, a prefix sum, then filling in face order). Faces with NaN corners go nowhere.
template <typename T>
void build_tile_bins(const T* corners, int64_t num_faces, int height, int width, double margin, TileBins& bins,
                     int tile = kTile, BinBox how = BinBox::Padded);

}  // namespace dibr::raster
