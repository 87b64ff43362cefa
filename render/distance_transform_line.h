#pragma once
// One line of the separable squared distance transform (distance_transform_kernels.h): d(q) = min_p (q-p)^2 + f(p)
// by the lower envelope of the parabolas rooted at each p (Felzenszwalb & Huttenlocher, "Distance Transforms of
// Sampled Functions", 2012). Shared by the CPU and CUDA passes.
#include "render/distance_transform_kernels.h"
#include "render/raster_math.h"

namespace dibr::edt {

// f and d are strided views of one line of n samples; v (n) and z (n + 1) are scratch.
template <typename T>
DIBR_HD void distance_line(const T* f, int64_t f_stride, T* d, int64_t d_stride, int n, int* v, T* z) {
  const T far = T(kFar);
  int k = 0;
  v[0] = 0;
  z[0] = -far;
  z[1] = far;
  for (int q = 1; q < n; ++q) {
    const T fq = f[q * f_stride] + T(q) * T(q);
    T s = (fq - (f[v[k] * f_stride] + T(v[k]) * T(v[k]))) / T(2 * (q - v[k]));
    while (k > 0 && s <= z[k]) {
      --k;
      s = (fq - (f[v[k] * f_stride] + T(v[k]) * T(v[k]))) / T(2 * (q - v[k]));
    }
    ++k;
    v[k] = q;
    z[k] = s;
    z[k + 1] = far;
  }
  k = 0;
  for (int q = 0; q < n; ++q) {
    while (z[k + 1] < T(q)) ++k;
    const T offset = T(q - v[k]);
    d[q * d_stride] = offset * offset + f[v[k] * f_stride];
  }
}

// Column pass over line `line` (over B*W): seeds are 0, the rest kFar, transformed along the rows.
template <typename T>
DIBR_HD void distance_column(const EdtParams<T>& p, int64_t line) {
  const EdtSizes& s = p.sizes;
  const int64_t b = line / s.width, c = line % s.width;
  const int64_t offset = b * s.height * s.width + c;
  const int longest = s.height > s.width ? s.height : s.width;
  int* v = p.envelope + line * longest;
  T* z = p.bounds + line * (longest + 1);
  // The seed values go through `out` as input of the column pass (overwritten by the row pass).
  for (int r = 0; r < s.height; ++r) p.out[offset + r * s.width] = p.mask[offset + r * s.width] >= T(s.threshold) ? T(0) : T(kFar);
  distance_line(p.out + offset, s.width, p.columns + offset, s.width, s.height, v, z);
}

// Row pass over line `line` (over B*H), on the column pass's result.
template <typename T>
DIBR_HD void distance_row(const EdtParams<T>& p, int64_t line) {
  const EdtSizes& s = p.sizes;
  const int longest = s.height > s.width ? s.height : s.width;
  const int64_t offset = line * s.width;
  distance_line(p.columns + offset, 1, p.out + offset, 1, s.width, p.envelope + line * longest,
                p.bounds + line * (longest + 1));
}

}  // namespace dibr::edt
