#pragma once
// Coarse binning of one image's faces into square pixel tiles, for the CPU rasterizers: a pixel then visits
// only the faces whose screen box, grown by a margin, may hold its centre. Each tile lists its faces in
// increasing index (CSR), so the per-pixel code sees them in the order the unbinned loop would.
#include <cstdint>
#include <vector>

#include "render/raster_math.h"

namespace dibr::raster {

constexpr int kTile = 8;  // pixels per tile side

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

struct TileBins {
  int tiles_x = 0;
  std::vector<int64_t> start;  // tiles + 1
  std::vector<int32_t> ids;
  FaceList faces_at(int h, int w) const {
    const int64_t t = int64_t(h / kTile) * tiles_x + w / kTile;
    return {ids.data() + start[t], start[t + 1] - start[t]};
  }
};

// corners (F,3,2) NDC x,y of one image; a face goes into every tile its box grown by `margin` (NDC) touches,
// padded by one pixel against rounding. Faces with NaN corners go nowhere.
template <typename T>
void build_tile_bins(const T* corners, int64_t num_faces, int height, int width, double margin, TileBins& bins);

}  // namespace dibr::raster
