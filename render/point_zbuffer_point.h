#pragma once
// The per-point and per-pixel work of DIFFER's soft z-buffer (point_zbuffer_kernels.h), shared by the CPU
// reference and the CUDA kernels. `max_into(dst, v)` and `add(dst, v)` are plain on the CPU and atomic on CUDA.
#include <math.h>

#include "render/point_window.h"
#include "render/point_zbuffer_kernels.h"

namespace dibr::points {

// The pixels point `index` covers (its well) and its logit beta / depth; Params is the forward or backward struct.
template <typename T>
struct PointWell {
  PixelSpan cols, rows;
  T logit;
  int64_t image_offset;  // its image's first pixel
};
template <typename T, typename Params>
DIBR_HD PointWell<T> point_well(const Params& p, int64_t index) {
  const ZbufferSizes& s = p.sizes;
  const T radius = T(s.well_radius);
  return {pixel_span(p.points[2 * index], radius, s.width), pixel_span(p.points[2 * index + 1], radius, s.height),
          T(s.beta) / p.depth[index], (index / s.num_points) * s.height * s.width};
}

// Pass 1: the pixel's largest logit beta / depth over the points whose well covers it.
template <typename T, typename MaxInto>
DIBR_HD void zbuffer_max_point(const ZbufferForwardParams<T>& p, int64_t index, MaxInto max_into) {
  const PointWell<T> w = point_well<T>(p, index);
  T* image_max = p.logit_max + w.image_offset;
  for (int r = w.rows.lo; r <= w.rows.hi; ++r)
    for (int c = w.cols.lo; c <= w.cols.hi; ++c) max_into(image_max + int64_t(r) * p.sizes.width + c, w.logit);
}

// Pass 2: exp(logit - max) into the pixel's weight sum, and times the features into its image.
template <typename T, typename Add>
DIBR_HD void zbuffer_accumulate_point(const ZbufferForwardParams<T>& p, int64_t index, Add add) {
  const ZbufferSizes& s = p.sizes;
  const PointWell<T> w = point_well<T>(p, index);
  const T* feature = p.features + index * s.feature_dim;
  for (int r = w.rows.lo; r <= w.rows.hi; ++r)
    for (int c = w.cols.lo; c <= w.cols.hi; ++c) {
      const int64_t pixel = w.image_offset + int64_t(r) * s.width + c;
      const T weight = exp(w.logit - p.logit_max[pixel]);
      add(p.weight_sum + pixel, weight);
      for (int64_t d = 0; d < s.feature_dim; ++d) add(p.image + pixel * s.feature_dim + d, weight * feature[d]);
    }
}

// Pass 3: pixel `pixel` (over B*H*W) divides by its weight sum; uncovered pixels stay 0.
template <typename T>
DIBR_HD void zbuffer_normalize_pixel(const ZbufferForwardParams<T>& p, int64_t pixel) {
  const T sum = p.weight_sum[pixel];
  if (!(sum > T(0))) return;
  for (int64_t d = 0; d < p.sizes.feature_dim; ++d) p.image[pixel * p.sizes.feature_dim + d] /= sum;
}

// d(loss)/d(features, depth) of point `index`: P = softmax weight at each covered pixel,
// dF/dfeat = P, dF/dlogit = P (feat - F), dlogit/ddepth = -beta / depth^2. Nothing flows to x, y (the well is a
// step function, as in DIFFER).
template <typename T>
DIBR_HD void zbuffer_backward_point(const ZbufferBackwardParams<T>& p, int64_t index) {
  const ZbufferSizes& s = p.sizes;
  const PointWell<T> w = point_well<T>(p, index);
  const T depth = p.depth[index];
  const T* feature = p.features + index * s.feature_dim;
  T* grad_feature = p.grad_features + index * s.feature_dim;
  for (int64_t d = 0; d < s.feature_dim; ++d) grad_feature[d] = T(0);
  T grad_logit = 0;
  for (int r = w.rows.lo; r <= w.rows.hi; ++r)
    for (int c = w.cols.lo; c <= w.cols.hi; ++c) {
      const int64_t pixel = w.image_offset + int64_t(r) * s.width + c;
      const T weight = exp(w.logit - p.logit_max[pixel]) / p.weight_sum[pixel];
      T dot = 0;
      for (int64_t d = 0; d < s.feature_dim; ++d) {
        const T g = p.grad_image[pixel * s.feature_dim + d];
        grad_feature[d] += weight * g;
        dot += (feature[d] - p.image[pixel * s.feature_dim + d]) * g;
      }
      grad_logit += weight * dot;
    }
  p.grad_depth[index] = -grad_logit * T(s.beta) / (depth * depth);
}

}  // namespace dibr::points
