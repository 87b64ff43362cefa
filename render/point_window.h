#pragma once
// Shared by the point-cloud kernels (splat, soft z-buffer): the pixels within a radius of a point, in the
// pixel coordinates of docs/conventions.md (x = column, y = row, pixel centres at integer values).
// Plain C++ (no torch, no CUDA headers) so both compilers see the same arithmetic.
#include <math.h>

#include "render/raster_math.h"

namespace dibr::points {

struct PixelSpan {
  int lo = 1, hi = 0;  // inclusive; empty when lo > hi
};

// Integer pixels p in [0, size) with |centre - p| <= radius. NaN and infinite centres give an empty span.
template <typename T>
DIBR_HD PixelSpan pixel_span(T centre, T radius, int size) {
  PixelSpan span;
  if (!(centre == centre)) return span;
  T lo = ceil(centre - radius), hi = floor(centre + radius);
  if (lo < T(0)) lo = T(0);
  if (hi > T(size - 1)) hi = T(size - 1);
  if (lo > hi) return span;
  span.lo = int(lo);
  span.hi = int(hi);
  return span;
}

}  // namespace dibr::points
