#include "render/tile_bins.h"

#include <algorithm>
#include <cmath>

namespace dibr::raster {
namespace {

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

}  // namespace

template <typename T>
void build_tile_bins(const T* corners, int64_t num_faces, int height, int width, double margin, TileBins& bins) {
  bins.tiles_x = (width + kTile - 1) / kTile;
  const int tiles_y = (height + kTile - 1) / kTile;
  const int64_t tiles = int64_t(bins.tiles_x) * tiles_y;
  std::vector<int32_t> span(num_faces * 4, -1);  // tile x0, x1, y0, y1; x0 = -1 when empty
  std::vector<int64_t> count(tiles + 1, 0);
  for (int64_t f = 0; f < num_faces; ++f) {
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    int w0, w1, h0, h1;
    if (!pixel_range(double(t.min_x()) - margin, double(t.max_x()) + margin, width, false, &w0, &w1) ||
        !pixel_range(double(t.min_y()) - margin, double(t.max_y()) + margin, height, true, &h0, &h1))
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

template void build_tile_bins<float>(const float*, int64_t, int, int, double, TileBins&);
template void build_tile_bins<double>(const double*, int64_t, int, int, double, TileBins&);

}  // namespace dibr::raster
