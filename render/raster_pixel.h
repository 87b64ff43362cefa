#pragma once
// The work of one output pixel, forward and backward, shared by the CPU loop and the CUDA kernels.
// Every face is visited in increasing index: the nearest (largest z) non-culled covering face wins the hard
// rasterization, and the first knum faces whose box (grown by boxlen) holds the pixel centre make the
// soft mask of uncovered pixels.
#include "render/raster_kernels.h"
#include "render/raster_math.h"
#include "render/tile_bins.h"

namespace dibr::raster {

template <typename T, typename Faces>
DIBR_HD void forward_pixel(const RasterForwardParams<T>& p, int64_t pixel, const Faces& faces) {
  const RasterSizes& s = p.sizes;
  const int w = static_cast<int>(pixel % s.width);
  const int h = static_cast<int>((pixel / s.width) % s.height);
  const int64_t b = pixel / (int64_t(s.width) * s.height);
  const T px = pixel_ndc_x<T>(w, s.width), py = pixel_ndc_y<T>(h, s.height);
  const T margin = T(s.boxlen), sigmainv = T(s.sigmainv);

  const T* corners = p.face_vertices_image + b * s.num_faces * 6;
  const T* depth = p.face_vertices_z + b * s.num_faces * 3;
  const T* normal_z = p.face_normals_z + b * s.num_faces;

  int64_t best = -1;
  T best_z = T(0), best_w[3] = {T(0), T(0), T(0)};
  T outside = T(1);  // prod_k (1 - exp(-sigmainv d_k^2)) over the soft-mask faces
  int gathered = 0;
  for (int64_t i = 0; i < faces.size(); ++i) {
    const int64_t f = faces[i];
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    if (!t.box_contains(px, py, margin)) continue;
    T wb[3];
    if (!(normal_z[f] < T(0)) && barycentric_inside(t, px, py, wb)) {
      const T z = wb[0] * depth[f * 3] + wb[1] * depth[f * 3 + 1] + wb[2] * depth[f * 3 + 2];
      if (best < 0 || z > best_z) {  // strict: on equal depth the lower face index stays
        best = f;
        best_z = z;
        for (int k = 0; k < 3; ++k) best_w[k] = wb[k];
      }
    }
    if (gathered < s.knum) {
      ++gathered;
      if (best < 0) {  // once covered, the soft mask is 1 and the distances are not needed
        int edge;
        T param;
        const T d2 = point_triangle_dist2(t, px, py, &edge, &param, s.distance_to_boundary);
        outside *= T(1) - exp1(-sigmainv * d2);
      }
    }
  }

  p.face_index[pixel] = best;
  T* out = p.features + pixel * s.feature_dim;
  if (best >= 0) {
    const T* feat = p.face_features + (b * s.num_faces + best) * 3 * s.feature_dim;
    for (int64_t d = 0; d < s.feature_dim; ++d)
      out[d] = best_w[0] * feat[d] + best_w[1] * feat[s.feature_dim + d] + best_w[2] * feat[2 * s.feature_dim + d];
    p.soft_mask[pixel] = T(1);
  } else {
    for (int64_t d = 0; d < s.feature_dim; ++d) out[d] = T(0);
    p.soft_mask[pixel] = T(1) - outside;
  }
}

// add(T* dst, T value) accumulates into face gradients (plain += on the CPU, atomicAdd on the GPU).
template <typename T, typename Faces, typename Add>
DIBR_HD void backward_pixel(const RasterBackwardParams<T>& p, int64_t pixel, const Faces& faces, const Add& add) {
  const RasterSizes& s = p.sizes;
  const int w = static_cast<int>(pixel % s.width);
  const int h = static_cast<int>((pixel / s.width) % s.height);
  const int64_t b = pixel / (int64_t(s.width) * s.height);
  const T px = pixel_ndc_x<T>(w, s.width), py = pixel_ndc_y<T>(h, s.height);
  const T* corners = p.face_vertices_image + b * s.num_faces * 6;
  T* grad_corners = p.grad_face_vertices_image + b * s.num_faces * 6;

  const int64_t best = p.face_index[pixel];
  if (best >= 0) {  // covered: features = sum_i w_i f_i, soft mask constant 1
    if (p.grad_features == nullptr) return;
    const T* g = p.grad_features + pixel * s.feature_dim;
    const T* feat = p.face_features + (b * s.num_faces + best) * 3 * s.feature_dim;
    T* grad_feat = p.grad_face_features + (b * s.num_faces + best) * 3 * s.feature_dim;
    const Tri<T> t = Tri<T>::load(corners + best * 6);
    T c[3];
    const T area = sub_areas(t, px, py, c);
    if (!(abs1(area) > T(kMinDoubleArea))) return;
    T gw[3] = {T(0), T(0), T(0)};
    for (int i = 0; i < 3; ++i) {
      const T wi = c[i] / area;
      for (int64_t d = 0; d < s.feature_dim; ++d) {
        gw[i] += g[d] * feat[i * s.feature_dim + d];
        add(grad_feat + i * s.feature_dim + d, wi * g[d]);
      }
    }
    T gx[3], gy[3];
    barycentric_backward(t, px, py, gw, gx, gy);
    for (int i = 0; i < 3; ++i) {
      add(grad_corners + best * 6 + 2 * i, gx[i]);
      add(grad_corners + best * 6 + 2 * i + 1, gy[i]);
    }
    return;
  }

  if (p.grad_soft_mask == nullptr) return;
  const T g = p.grad_soft_mask[pixel];
  if (g == T(0)) return;
  const T margin = T(s.boxlen), sigmainv = T(s.sigmainv);
  // A = 1 - prod_k (1 - a_k), a_k = exp(-sigmainv d_k^2): dA/da_k = prod_{j != k} (1 - a_j), taken as
  // prefix * suffix products so that a factor 1 - a_k = 0 (pixel inside a culled face) is never divided by.
  int ids[kMaxKnum];
  T suffix[kMaxKnum];
  int n = 0;
  for (int64_t i = 0; i < faces.size() && n < s.knum; ++i) {
    const int64_t f = faces[i];
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    if (!t.box_contains(px, py, margin)) continue;
    int edge;
    T param;
    const T d2 = point_triangle_dist2(t, px, py, &edge, &param, s.distance_to_boundary);
    ids[n] = static_cast<int>(f);
    suffix[n] = T(1) - exp1(-sigmainv * d2);
    ++n;
  }
  T running = T(1);
  for (int k = n - 1; k >= 0; --k) {
    const T factor = suffix[k];
    suffix[k] = running;
    running *= factor;
  }
  T prefix = T(1);
  for (int k = 0; k < n; ++k) {
    const Tri<T> t = Tri<T>::load(corners + int64_t(ids[k]) * 6);
    int edge;
    T param;
    const T d2 = point_triangle_dist2(t, px, py, &edge, &param, s.distance_to_boundary);
    const T a = exp1(-sigmainv * d2);
    // dA/d(d^2) = dA/da * da/d(d^2) = prefix*suffix * (-sigmainv a)
    const T g_d2 = -g * sigmainv * a * prefix * suffix[k];
    T gx[3] = {T(0), T(0), T(0)}, gy[3] = {T(0), T(0), T(0)};
    point_triangle_dist2_backward(t, px, py, edge, param, g_d2, gx, gy);
    for (int i = 0; i < 3; ++i) {
      add(grad_corners + int64_t(ids[k]) * 6 + 2 * i, gx[i]);
      add(grad_corners + int64_t(ids[k]) * 6 + 2 * i + 1, gy[i]);
    }
    prefix *= T(1) - a;
  }
}

}  // namespace dibr::raster
