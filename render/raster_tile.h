#pragma once
// The fine pass of the tiled DIB-R rasterizer for one tile of one image, face-major: each face of the tile's
// list (in increasing index) visits only the tile pixels its grown box may hold. Every pixel therefore sees
// its faces in the same order as the unbinned loop, and runs the same per-pixel steps (raster_pixel.h), so the
// forward equals visiting every face bit for bit. The backward writes per list entry (one slot per face of
// the tile), so tiles never share memory and the gather that sums the slots into faces runs in a fixed order:
// gradients are deterministic and independent of the thread count.
// Host-device code: the CPU runs it per tile in at::parallel_for; CUDA's deterministic backward runs the
// same code with one thread per tile.
#include "render/raster_pixel.h"
#include "render/tile_bins.h"

namespace dibr::raster {

constexpr int kRasterTile = 16;  // pixels per tile side
constexpr int kRasterTilePixels = kRasterTile * kRasterTile;

DIBR_HD TileGrid raster_grid(const RasterSizes& s) { return {s.height, s.width, kRasterTile}; }

// Pixel centres of one tile, computed once with the per-pixel formula (so the values are the same bits).
template <typename T>
struct TileCentres {
  PixelBox pixels;
  T x[kRasterTile], y[kRasterTile];
  DIBR_HD TileCentres(const RasterSizes& s, int64_t tile) : pixels(raster_grid(s).pixels(tile)) {
    for (int i = 0; i <= pixels.x.last - pixels.x.first; ++i) x[i] = pixel_ndc_x<T>(pixels.x.first + i, s.width);
    for (int i = 0; i <= pixels.y.last - pixels.y.first; ++i) y[i] = pixel_ndc_y<T>(pixels.y.first + i, s.height);
  }
  DIBR_HD int width() const { return pixels.x.last - pixels.x.first + 1; }
  DIBR_HD int height() const { return pixels.y.last - pixels.y.first + 1; }
};

// The hard rasterization state of a tile's pixels: the winning face and its depth, one array each so that
// cover_run vectorises. The winner's barycentrics are recomputed when the pixel is written (coverage_of).
template <typename T>
struct TileCoverage {
  int32_t face[kRasterTilePixels];
  T z[kRasterTilePixels];
};

// cover_step for the n pixels k0.. of one row (centres xs[0..n), py) against non-culled face f with corner
// depths d: the same operations in the same order (barycentric_inside's sub_areas, 1/area, w >= 0, the
// interpolated z and the strict depth test), without branches so that the compiler runs several pixels at once.
template <typename T>
DIBR_HD void cover_run(TileCoverage<T>& c, int k0, int n, const T* xs, T py, const Tri<T>& t, const T* d, int32_t f) {
  const T y0 = t.y[0] - py, y1 = t.y[1] - py, y2 = t.y[2] - py;
  int32_t* face = c.face + k0;
  T* best_z = c.z + k0;
  for (int i = 0; i < n; ++i) {
    const T px = xs[i];
    const T x0 = t.x[0] - px, x1 = t.x[1] - px, x2 = t.x[2] - px;
    const T c0 = cross2(x1, y1, x2, y2), c1 = cross2(x2, y2, x0, y0), c2 = cross2(x0, y0, x1, y1);
    const T area = c0 + c1 + c2;
    const T inv = T(1) / area;
    const T w0 = c0 * inv, w1 = c1 * inv, w2 = c2 * inv;
    // abs1(area) > kMinDoubleArea, and the three w >= 0
    const int inside = int((area > T(kMinDoubleArea)) | (area < -T(kMinDoubleArea))) & int(w0 >= T(0)) &
                       int(w1 >= T(0)) & int(w2 >= T(0));
    const T z = w0 * d[0] + w1 * d[1] + w2 * d[2];
    const int take = inside & (int(face[i] < 0) | int(z > best_z[i]));
    face[i] = take ? f : face[i];
    best_z[i] = take ? z : best_z[i];
  }
}

// The Coverage cover_step would have left: the winner's barycentrics recomputed as it computed them.
template <typename T>
DIBR_HD Coverage<T> coverage_of(const TileCoverage<T>& c, int k, const ImageFaces<T>& img, T px, T py) {
  Coverage<T> out;
  if (c.face[k] < 0) return out;
  out.face = c.face[k];
  out.z = c.z[k];
  barycentric_inside(Tri<T>::load(img.corners + out.face * 6), px, py, out.w);
  return out;
}

// Which pixels of a tile still take soft-mask faces: one bit per pixel, a word per row.
static_assert(kRasterTile <= 32, "a row of a tile fits a 32-bit mask");
struct TileRows {
  uint32_t bits[kRasterTile];
  DIBR_HD bool any() const {
    uint32_t all = 0;
    for (int y = 0; y < kRasterTile; ++y) all |= bits[y];
    return all != 0;
  }
  DIBR_HD void clear(int x, int y) { bits[y] &= ~(uint32_t(1) << x); }
};

DIBR_HD int lowest_bit(uint32_t v) {
#ifdef __CUDA_ARCH__
  return __ffs(v) - 1;
#else
  return __builtin_ctz(v);
#endif
}

// Calls visit(k, x, y, px, py) for the pixels of face_box (face_centre_box: exactly the centres its grown box
// holds) inside the tile whose bit is set in rows, row-major; x, y are tile-relative and k = y*w + x.
template <typename T, typename Visit>
DIBR_HD void for_marked_pixels_in_box(const PixelBox& face_box, const TileCentres<T>& tc, const TileRows& rows,
                                      const Visit& visit) {
  const PixelBox box = intersect(face_box, tc.pixels);
  if (box.empty()) return;
  const int x0 = tc.pixels.x.first, y0 = tc.pixels.y.first, w = tc.width();
  const int first = box.x.first - x0, count = box.x.last - box.x.first + 1;
  const uint32_t span = (count >= 32 ? ~uint32_t(0) : ((uint32_t(1) << count) - 1)) << first;
  for (int y = box.y.first - y0; y <= box.y.last - y0; ++y)
    for (uint32_t bits = rows.bits[y] & span; bits != 0; bits &= bits - 1) {
      const int x = lowest_bit(bits);
      visit(y * w + x, x, y, tc.x[x], tc.y[y]);
    }
}

// Forward of tile `tile` of image b against its face list (increasing index); boxes: the image's per-face
// face_centre_box.
template <typename T, typename Faces>
DIBR_HD void forward_tile(const RasterForwardParams<T>& p, int64_t b, int64_t tile, const Faces& faces,
                          const PixelBox* boxes) {
  const RasterSizes& s = p.sizes;
  const TileCentres<T> tc(s, tile);
  const int tw = tc.width(), th = tc.height();
  const ImageFaces<T> img = image_faces(p, b);
  TileCoverage<T> cover;
  T outside[kRasterTilePixels];
  int gathered[kRasterTilePixels];
  for (int k = 0; k < tw * th; ++k) {
    cover.face[k] = -1;
    cover.z[k] = T(0);
    outside[k] = T(1);
    gathered[k] = 0;
  }
  for (int64_t i = 0; i < faces.size(); ++i) {
    const int64_t f = faces[i];
    if (img.normal_z[f] < T(0)) continue;  // culled: cover_step would reject it at every pixel
    const PixelBox box = intersect(boxes[f], tc.pixels);
    if (box.empty()) continue;
    const Tri<T> t = Tri<T>::load(img.corners + f * 6);
    const int x0 = box.x.first - tc.pixels.x.first, n = box.x.last - box.x.first + 1;
    for (int y = box.y.first - tc.pixels.y.first; y <= box.y.last - tc.pixels.y.first; ++y)
      cover_run(cover, y * tw + x0, n, tc.x + x0, tc.y[y], t, img.depth + f * 3, static_cast<int32_t>(f));
  }
  // Only pixels that end uncovered need distances; they were uncovered at every face, as forward_pixel has it.
  TileRows open{};
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x)
      if (cover.face[y * tw + x] < 0) open.bits[y] |= uint32_t(1) << x;
  for (int64_t i = 0; open.any() && i < faces.size(); ++i) {
    const PixelBox& box = boxes[faces[i]];
    if (intersect(box, tc.pixels).empty()) continue;
    const Tri<T> t = Tri<T>::load(img.corners + faces[i] * 6);
    const TriEdges<T> edges = tri_edges(t);
    for_marked_pixels_in_box(box, tc, open, [&](int k, int x, int y, T px, T py) {
      outside[k] *= soft_factor(t, edges, px, py, s);
      if (++gathered[k] >= s.knum) open.clear(x, y);
    });
  }
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) {
      const int64_t pixel = (b * s.height + tc.pixels.y.first + y) * s.width + tc.pixels.x.first + x;
      write_pixel(p, pixel, b, coverage_of(cover, y * tw + x, img, tc.x[x], tc.y[y]), outside[y * tw + x]);
    }
}

// Position of face f in a list sorted by increasing index, or -1.
template <typename Faces>
DIBR_HD int64_t position_in(const Faces& faces, int64_t f) {
  int64_t lo = 0, hi = faces.size();
  while (lo < hi) {
    const int64_t mid = (lo + hi) / 2;
    if (faces[mid] < f)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < faces.size() && faces[lo] == f ? lo : -1;
}

// Per-entry gradient slots of one tile: entry i of the tile's list owns corners[i*6 .. +6) and
// features[i*3D .. +3D).
template <typename T>
struct EntryGrads {
  T* corners;
  T* features;
};

// Backward of tile `tile` of image b into its entry slots (zeroed here). slots and slot_terms:
// kRasterTilePixels * knum elements of scratch each.
template <typename T, typename Faces>
DIBR_HD void backward_tile(const RasterBackwardParams<T>& p, int64_t b, int64_t tile, const Faces& faces,
                           const PixelBox* boxes, EntryGrads<T> out, int* slots, SoftTerm<T>* slot_terms) {
  const RasterSizes& s = p.sizes;
  const int64_t D = s.feature_dim;
  for (int64_t e = 0; e < faces.size() * 6; ++e) out.corners[e] = T(0);
  for (int64_t e = 0; e < faces.size() * 3 * D; ++e) out.features[e] = T(0);
  const TileCentres<T> tc(s, tile);
  const int tw = tc.width(), th = tc.height();
  auto pixel_of = [&](int x, int y) { return (b * s.height + tc.pixels.y.first + y) * s.width + tc.pixels.x.first + x; };

  int count[kRasterTilePixels];
  bool any_soft = false;
  int64_t last_face = -1, last_entry = -1;
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) {
      const int64_t pixel = pixel_of(x, y);
      const int64_t best = p.face_index[pixel];
      // -1: takes no soft-mask faces (covered, or no gradient flowing to its mask)
      count[y * tw + x] = best < 0 && p.grad_soft_mask != nullptr && p.grad_soft_mask[pixel] != T(0) ? 0 : -1;
      any_soft = any_soft || count[y * tw + x] == 0;
      if (best < 0 || p.grad_features == nullptr) continue;
      // The winner's grown box holds the centre, so it is in the list; neighbours often share it.
      if (best != last_face) {
        last_face = best;
        last_entry = position_in(faces, best);
      }
      const int64_t e = last_entry;
      if (e < 0) continue;
      struct {
        T* feature_dst;
        T* corner_dst;
        int64_t D;
        DIBR_HD void feature(int i, int64_t d, T v) { feature_dst[i * D + d] += v; }
        DIBR_HD void corner(int k, T v) { corner_dst[k] += v; }
      } sink{out.features + e * 3 * D, out.corners + e * 6, D};
      covered_backward(p, pixel, b, best, tc.x[x], tc.y[y], sink);
    }
  if (!any_soft) return;

  const T* corners = p.face_vertices_image + b * s.num_faces * 6;
  TileRows open{};
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x)
      if (count[y * tw + x] == 0) open.bits[y] |= uint32_t(1) << x;
  // Each uncovered pixel's first knum faces whose grown box holds its centre, as list positions.
  for (int64_t i = 0; open.any() && i < faces.size(); ++i) {
    const PixelBox& box = boxes[faces[i]];
    if (intersect(box, tc.pixels).empty()) continue;
    const Tri<T> t = Tri<T>::load(corners + faces[i] * 6);
    const TriEdges<T> edges = tri_edges(t);
    for_marked_pixels_in_box(box, tc, open, [&](int k, int x, int y, T px, T py) {
      slot_terms[k * s.knum + count[k]] = soft_term(t, edges, px, py, s);
      slots[k * s.knum + count[k]++] = static_cast<int>(i);
      if (count[k] >= s.knum) open.clear(x, y);
    });
  }
  for (int y = 0; y < th; ++y)
    for (int x = 0; x < tw; ++x) {
      const int k = y * tw + x, n = count[k];
      if (n <= 0) continue;
      const int* mine = slots + k * s.knum;
      const T px = tc.x[x], py = tc.y[y];
      auto corners_of = [&](int j) { return corners + faces[mine[j]] * 6; };
      soft_mask_backward(s, p.grad_soft_mask[pixel_of(x, y)], px, py, n, slot_terms + k * s.knum, corners_of,
                         [&](int j, int component, T v) { out.corners[int64_t(mine[j]) * 6 + component] += v; });
    }
}

// One image's scratch for the deterministic CUDA backward (raster_cuda.cu), which runs backward_tile per tile:
// a tile's face list, its entry slots and the per-pixel soft-mask slots.
template <typename T>
struct DeterministicScratch {
  int32_t* list;
  EntryGrads<T> entries;
  int* slots;
  SoftTerm<T>* terms;
  static DIBR_HD size_t aligned(size_t bytes) { return (bytes + 15) / 16 * 16; }
  static DIBR_HD size_t bytes(const RasterSizes& s) {
    const size_t F = size_t(s.num_faces), K = size_t(kRasterTilePixels) * size_t(s.knum);
    return aligned(F * 4) + aligned(F * 6 * sizeof(T)) + aligned(F * 3 * size_t(s.feature_dim) * sizeof(T)) +
           aligned(K * sizeof(int)) + aligned(K * sizeof(SoftTerm<T>));
  }
  DIBR_HD DeterministicScratch(const RasterSizes& s, unsigned char* base) {
    const size_t F = size_t(s.num_faces), K = size_t(kRasterTilePixels) * size_t(s.knum);
    list = reinterpret_cast<int32_t*>(base);
    base += aligned(F * 4);
    entries.corners = reinterpret_cast<T*>(base);
    base += aligned(F * 6 * sizeof(T));
    entries.features = reinterpret_cast<T*>(base);
    base += aligned(F * 3 * size_t(s.feature_dim) * sizeof(T));
    slots = reinterpret_cast<int*>(base);
    base += aligned(K * sizeof(int));
    terms = reinterpret_cast<SoftTerm<T>*>(base);
  }
};

// Adds one image's entry slots into its face gradients, tile by tile in list order (a fixed order).
// entry_start[t] is the first entry of tile t (tiles + 1 values), ids the tiles' face lists back to back.
template <typename T>
DIBR_HD void gather_entries(const RasterBackwardParams<T>& p, int64_t b, int64_t entries, const int32_t* ids,
                            const T* entry_corners, const T* entry_features) {
  const RasterSizes& s = p.sizes;
  const int64_t D = s.feature_dim;
  T* grad_corners = p.grad_face_vertices_image + b * s.num_faces * 6;
  T* grad_features = p.grad_face_features + b * s.num_faces * 3 * D;
  for (int64_t e = 0; e < entries; ++e) {
    const int64_t f = ids[e];
    for (int k = 0; k < 6; ++k) grad_corners[f * 6 + k] += entry_corners[e * 6 + k];
    for (int64_t k = 0; k < 3 * D; ++k) grad_features[f * 3 * D + k] += entry_features[e * 3 * D + k];
  }
}

}  // namespace dibr::raster
