#pragma once
// The work of one output pixel of the SoftRas soft rasterizer, forward and backward, shared by the CPU loop
// (soft_raster_cpu.cpp) and the CUDA kernels (soft_raster_cuda.cu).
//
// Face f seen from a pixel has the probability D_f = sigmoid(sign * d^2 / sigma), d the Euclidean distance from
// the pixel centre to the face's boundary and sign +1 strictly inside the face, -1 elsewhere. Faces outside by
// d^2 >= threshold are skipped (D_f < dist_eps there). The silhouette is alpha = 1 - prod_f (1 - D_f). Colours
// are a softmax over the normalised inverse depth zn = (far - z)/(far - near) with temperature gamma, weighted
// by D_f, with the background at zn = background_eps:
//   C = (sum_f D_f e^{zn_f/gamma} c_f + e^{eps/gamma} bg) / (sum_f D_f e^{zn_f/gamma} + e^{eps/gamma}),
// c_f and z_f interpolated with the clipped barycentrics (perspective-correct z), as SoftRas does.
#include "render/raster_math.h"
#include "render/soft_raster_kernels.h"
#include "render/tile_bins.h"

namespace dibr::softras {

using raster::Tri;

DIBR_HD float sqrt1(float a) {
  return sqrtf(a);
}
DIBR_HD double sqrt1(double a) {
  return sqrt(a);
}

template <typename T>
DIBR_HD T sigmoid1(T x) {
  return T(1) / (T(1) + raster::exp1(-x));
}

// Below this the clipped barycentrics are not normalised further (SoftRas's floor).
constexpr double kMinClippedSum = 1e-5;

// A face as one pixel sees it; valid() is false when the face is skipped.
template <typename T>
struct Fragment {
  T d2 = T(0);    // squared distance to the boundary
  T sign = T(0);  // +1 strictly inside, -1 elsewhere, 0 when skipped
  int edge = -1;  // nearest edge (from corner edge to corner edge+1)
  T param = T(0);
  T prob = T(0);  // D_f
  DIBR_HD bool valid() const { return sign != T(0); }
};

template <typename T>
DIBR_HD Fragment<T> fragment_at(const Tri<T>& t, T px, T py, const SoftRasSizes& s, T margin) {
  Fragment<T> f;
  if (!t.box_contains(px, py, margin)) return f;
  T c[3];
  const T area = raster::sub_areas(t, px, py, c);
  const bool inside = raster::abs1(area) > T(raster::kMinDoubleArea) &&
                      (area > T(0) ? (c[0] > T(0) && c[1] > T(0) && c[2] > T(0))
                                   : (c[0] < T(0) && c[1] < T(0) && c[2] < T(0)));
  const T d2 = raster::point_triangle_dist2(t, px, py, &f.edge, &f.param, true);
  if (!inside && !(d2 < T(s.threshold))) return f;
  f.d2 = d2;
  f.sign = inside ? T(1) : T(-1);
  f.prob = sigmoid1(f.sign * d2 / T(s.sigma));
  return f;
}

// Where the face's colour and depth are sampled for the colour softmax; ok is false when the face adds no
// colour (zero area, back-facing when one-sided, depth outside [near, far]).
template <typename T>
struct ColourSample {
  bool ok = false;
  T w[3];   // screen barycentrics
  T wc[3];  // clipped to [0,1] and normalised
  T clipped_sum = T(0);
  T z = T(0);  // perspective-correct depth
};

template <typename T>
DIBR_HD ColourSample<T> colour_sample_at(const Tri<T>& t, const T* depth, T px, T py, const SoftRasSizes& s) {
  ColourSample<T> cs;
  T c[3];
  const T area = raster::sub_areas(t, px, py, c);
  if (!(raster::abs1(area) > T(raster::kMinDoubleArea))) return cs;
  if (!s.two_sided && area < T(0)) return cs;
  T sum = T(0);
  for (int k = 0; k < 3; ++k) {
    cs.w[k] = c[k] / area;
    cs.wc[k] = raster::min2(raster::max2(cs.w[k], T(0)), T(1));
    sum += cs.wc[k];
  }
  cs.clipped_sum = sum;
  const T norm = raster::max2(sum, T(kMinClippedSum));
  T inv_z = T(0);
  for (int k = 0; k < 3; ++k) {
    cs.wc[k] /= norm;
    inv_z += cs.wc[k] / depth[k];
  }
  cs.z = T(1) / inv_z;
  cs.ok = cs.z >= T(s.near) && cs.z <= T(s.far);
  return cs;
}

template <typename T>
DIBR_HD T normalised_depth(T z, const SoftRasSizes& s) {
  return (T(s.far) - z) / T(s.far - s.near);
}

template <typename T, typename Faces>
DIBR_HD void soft_forward_pixel(const SoftRasForwardParams<T>& p, int64_t pixel, const Faces& faces) {
  const SoftRasSizes& s = p.sizes;
  const int w = static_cast<int>(pixel % s.width);
  const int h = static_cast<int>((pixel / s.width) % s.height);
  const int64_t b = pixel / (int64_t(s.width) * s.height);
  const T px = raster::pixel_ndc_x<T>(w, s.width), py = raster::pixel_ndc_y<T>(h, s.height);
  const T margin = sqrt1(T(s.threshold));
  const int64_t D = s.feature_dim;
  const T* corners = p.face_vertices_image + b * s.num_faces * 6;
  const T* depth = p.face_depth + b * s.num_faces * 3;
  const T* feats = D > 0 ? p.face_features + b * s.num_faces * 3 * D : nullptr;

  // The colour accumulates in the output row, scaled by e^{-m/gamma} for the running maximum m.
  T* acc = D > 0 ? p.features + pixel * D : nullptr;
  T m = T(s.background_eps), sum = T(1);
  for (int64_t d = 0; d < D; ++d) acc[d] = p.background[d];
  T keep = T(1);
  const T gamma = T(s.gamma);
  for (int64_t i = 0; i < faces.size(); ++i) {
    const int64_t f = faces[i];
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    const Fragment<T> frag = fragment_at(t, px, py, s, margin);
    if (!frag.valid()) continue;
    keep *= T(1) - frag.prob;
    if (D == 0) continue;
    const ColourSample<T> cs = colour_sample_at(t, depth + f * 3, px, py, s);
    if (!cs.ok) continue;
    const T zn = normalised_depth(cs.z, s);
    if (zn > m) {
      const T scale = raster::exp1((m - zn) / gamma);
      sum *= scale;
      for (int64_t d = 0; d < D; ++d) acc[d] *= scale;
      m = zn;
    }
    const T weight = raster::exp1((zn - m) / gamma) * frag.prob;
    sum += weight;
    const T* fc = feats + f * 3 * D;
    for (int64_t d = 0; d < D; ++d) acc[d] += weight * (cs.wc[0] * fc[d] + cs.wc[1] * fc[D + d] + cs.wc[2] * fc[2 * D + d]);
  }
  p.alpha[pixel] = T(1) - keep;
  if (D == 0) return;
  for (int64_t d = 0; d < D; ++d) acc[d] /= sum;
  p.softmax_max[pixel] = m;
  p.softmax_sum[pixel] = sum;
}

// add(T* dst, T value) accumulates into face gradients (plain += on the CPU, atomicAdd on the GPU).
template <typename T, typename Faces, typename Add>
DIBR_HD void soft_backward_pixel(const SoftRasBackwardParams<T>& p, int64_t pixel, const Faces& faces, const Add& add) {
  const SoftRasSizes& s = p.sizes;
  const int w = static_cast<int>(pixel % s.width);
  const int h = static_cast<int>((pixel / s.width) % s.height);
  const int64_t b = pixel / (int64_t(s.width) * s.height);
  const T px = raster::pixel_ndc_x<T>(w, s.width), py = raster::pixel_ndc_y<T>(h, s.height);
  const T margin = sqrt1(T(s.threshold));
  const int64_t D = p.grad_features != nullptr ? s.feature_dim : 0;
  const T g_alpha = p.grad_alpha != nullptr ? p.grad_alpha[pixel] : T(0);
  if (g_alpha == T(0) && D == 0) return;

  const T* corners = p.face_vertices_image + b * s.num_faces * 6;
  const T* depth = p.face_depth + b * s.num_faces * 3;
  T* grad_corners = p.grad_face_vertices_image + b * s.num_faces * 6;
  T* grad_depth = p.grad_face_depth + b * s.num_faces * 3;
  const T* feats = D > 0 ? p.face_features + b * s.num_faces * 3 * D : nullptr;
  T* grad_feats = D > 0 ? p.grad_face_features + b * s.num_faces * 3 * D : nullptr;
  const T* colour = D > 0 ? p.features + pixel * D : nullptr;
  const T* g_colour = D > 0 ? p.grad_features + pixel * D : nullptr;
  const T m = D > 0 ? p.softmax_max[pixel] : T(0);
  const T sum = D > 0 ? p.softmax_sum[pixel] : T(1);
  const T keep = T(1) - p.alpha[pixel];  // prod_f (1 - D_f): dalpha/dD_f = keep / (1 - D_f)
  const T gamma = T(s.gamma);

  for (int64_t i = 0; i < faces.size(); ++i) {
    const int64_t f = faces[i];
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    const Fragment<T> frag = fragment_at(t, px, py, s, margin);
    if (!frag.valid()) continue;
    T g_prob = T(0);
    if (D > 0) {
      const ColourSample<T> cs = colour_sample_at(t, depth + f * 3, px, py, s);
      if (cs.ok) {
        const T zn = normalised_depth(cs.z, s);
        const T e = raster::exp1((zn - m) / gamma);
        const T weight = e * frag.prob;
        const T* fc = feats + f * 3 * D;
        // C = acc / sum: dC_d/dweight = (c_fd - C_d) / sum, dC_d/dc_fd = weight / sum.
        T g_weight = T(0), g_wc[3] = {T(0), T(0), T(0)};
        for (int64_t d = 0; d < D; ++d) {
          const T cfd = cs.wc[0] * fc[d] + cs.wc[1] * fc[D + d] + cs.wc[2] * fc[2 * D + d];
          g_weight += g_colour[d] * (cfd - colour[d]);
          const T g_cfd = g_colour[d] * weight / sum;
          for (int k = 0; k < 3; ++k) {
            g_wc[k] += g_cfd * fc[k * D + d];
            add(grad_feats + (f * 3 + k) * D + d, g_cfd * cs.wc[k]);
          }
        }
        g_weight /= sum;
        g_prob += g_weight * e;
        // weight = D_f e^{(zn - m)/gamma}, zn = (far - z)/(far - near), z = 1 / sum_k wc_k / z_k.
        const T g_z = -g_weight * weight / gamma / T(s.far - s.near);
        const T z2 = cs.z * cs.z;
        for (int k = 0; k < 3; ++k) {
          const T zk = depth[f * 3 + k];
          add(grad_depth + f * 3 + k, g_z * z2 * cs.wc[k] / (zk * zk));
          g_wc[k] -= g_z * z2 / zk;
        }
        // wc = u / max(sum u, floor), u = clamp(w, 0, 1).
        const T norm = raster::max2(cs.clipped_sum, T(kMinClippedSum));
        const bool normalised = cs.clipped_sum > T(kMinClippedSum);
        const T mean = normalised ? g_wc[0] * cs.wc[0] + g_wc[1] * cs.wc[1] + g_wc[2] * cs.wc[2] : T(0);
        T g_w[3];
        for (int k = 0; k < 3; ++k) g_w[k] = (cs.w[k] > T(0) && cs.w[k] < T(1)) ? (g_wc[k] - mean) / norm : T(0);
        T gx[3], gy[3];
        raster::barycentric_backward(t, px, py, g_w, gx, gy);
        for (int k = 0; k < 3; ++k) {
          add(grad_corners + f * 6 + 2 * k, gx[k]);
          add(grad_corners + f * 6 + 2 * k + 1, gy[k]);
        }
      }
    }
    // dD/d(d^2) = sign D (1 - D) / sigma; through alpha that is keep * D * sign / sigma (no division by 1 - D).
    const T g_d2 = frag.sign / T(s.sigma) * (g_alpha * keep * frag.prob + g_prob * frag.prob * (T(1) - frag.prob));
    if (g_d2 == T(0)) continue;
    T gx[3] = {T(0), T(0), T(0)}, gy[3] = {T(0), T(0), T(0)};
    raster::point_triangle_dist2_backward(t, px, py, frag.edge, frag.param, g_d2, gx, gy);
    for (int k = 0; k < 3; ++k) {
      add(grad_corners + f * 6 + 2 * k, gx[k]);
      add(grad_corners + f * 6 + 2 * k + 1, gy[k]);
    }
  }
}

}  // namespace dibr::softras
