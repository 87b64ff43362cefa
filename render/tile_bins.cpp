#include "render/tile_bins.h"

namespace dibr::raster {

template <typename T>
void build_tile_bins(const T* corners, int64_t num_faces, int height, int width, double margin, TileBins& bins,
                     int tile, BinBox how) {
  bins.grid = {height, width, tile};
  const int tiles_x = bins.grid.tiles_x();
  const int64_t tiles = bins.grid.count();
  std::vector<int32_t> span(num_faces * 4, -1);  // tile x0, x1, y0, y1; x0 = -1 when empty
  bins.start.assign(tiles + 1, 0);
  std::vector<int64_t>& count = bins.start;
  if (how == BinBox::Exact) bins.boxes.resize(num_faces);
  for (int64_t f = 0; f < num_faces; ++f) {
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    const PixelBox box = how == BinBox::Exact ? face_centre_box(t, T(margin), height, width)
                                              : face_pixel_box(t, margin, height, width);
    if (how == BinBox::Exact) bins.boxes[f] = box;
    if (box.empty()) continue;
    int32_t* sp = span.data() + f * 4;
    sp[0] = box.x.first / tile, sp[1] = box.x.last / tile, sp[2] = box.y.first / tile, sp[3] = box.y.last / tile;
    for (int ty = sp[2]; ty <= sp[3]; ++ty)
      for (int tx = sp[0]; tx <= sp[1]; ++tx) ++count[int64_t(ty) * tiles_x + tx + 1];
  }
  for (int64_t t = 0; t < tiles; ++t) count[t + 1] += count[t];
  bins.ids.resize(count[tiles]);
  std::vector<int64_t> next(count.begin(), count.end() - 1);
  for (int64_t f = 0; f < num_faces; ++f) {
    const int32_t* sp = span.data() + f * 4;
    if (sp[0] < 0) continue;
    for (int ty = sp[2]; ty <= sp[3]; ++ty)
      for (int tx = sp[0]; tx <= sp[1]; ++tx) bins.ids[next[int64_t(ty) * tiles_x + tx]++] = int32_t(f);
  }
}

template void build_tile_bins<float>(const float*, int64_t, int, int, double, TileBins&, int, BinBox);
template void build_tile_bins<double>(const double*, int64_t, int, int, double, TileBins&, int, BinBox);

}  // namespace dibr::raster
