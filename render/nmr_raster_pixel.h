#pragma once
// The per-pixel forward and the per-face backward of Kato's NMR silhouette rasterizer, shared by the CPU loops
// (nmr_raster_cpu.cpp) and the CUDA kernels (nmr_raster_cuda.cu). Reference: shared/specs/seed_methods.md
// §1.2-1.3 (neural_renderer's rasterize and backward_pixel_map).
//
// Forward: a pixel takes the nearest face that covers its centre (edges inclusive, either winding: Kato's
// fill_back), with perspective-correct depth from the clamped barycentrics, kept only for near < z < far.
//
// Backward (the approximate gradient): for every face, edge and scan line (columns, moving corners in y; rows,
// moving them in x) crossed by the edge, the loss change of the pixels the edge would reach if it moved is
// turned into a finite difference -dL/d(displacement). An edge moving out reaches every pixel outside it up to
// the image border (only when the face owns the pixel just inside); moving in it uncovers the face's own
// pixels up to its opposite side. Only descent directions (dL < 0) are kept; the displacement of each corner
// that moves the crossing to the pixel carries the lever arm of that corner, plus eps. A face writes only its
// own gradient slot: deterministic, no atomics. Depth gets no gradient.
#include "render/nmr_raster_kernels.h"
#include "render/raster_math.h"

namespace dibr::nmr {

using raster::Tri;

template <typename T>
DIBR_HD T floor1(T a) {
  return floor(a);
}
template <typename T>
DIBR_HD T ceil1(T a) {
  return ceil(a);
}

template <typename T, typename Faces>
DIBR_HD void nmr_forward_pixel(const NmrForwardParams<T>& p, int64_t pixel, const Faces& faces) {
  const NmrRasterSizes& s = p.sizes;
  const int w = static_cast<int>(pixel % s.width);
  const int h = static_cast<int>((pixel / s.width) % s.height);
  const int64_t b = pixel / (int64_t(s.width) * s.height);
  const T px = raster::pixel_ndc_x<T>(w, s.width), py = raster::pixel_ndc_y<T>(h, s.height);
  const T* corners = p.face_vertices_image + b * s.num_faces * 6;
  const T* depth = p.face_depth + b * s.num_faces * 3;
  T z_min = T(s.far);
  int32_t best = -1;
  for (int64_t i = 0; i < faces.size(); ++i) {
    const int64_t f = faces[i];
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    if (!t.box_contains(px, py, T(0))) continue;
    T c[3];
    const T area = raster::sub_areas(t, px, py, c);
    if (!(raster::abs1(area) > T(raster::kMinDoubleArea))) continue;
    const T side = area > T(0) ? T(1) : T(-1);  // a clockwise face is its fill_back copy
    if (c[0] * side < T(0) || c[1] * side < T(0) || c[2] * side < T(0)) continue;
    T wc[3], sum = T(0);
    for (int k = 0; k < 3; ++k) {
      wc[k] = raster::min2(raster::max2(c[k] / area, T(0)), T(1));
      sum += wc[k];
    }
    T inv_z = T(0);
    for (int k = 0; k < 3; ++k) inv_z += wc[k] / sum / depth[f * 3 + k];
    const T z = T(1) / inv_z;
    if (!(z > T(s.near) && z < T(s.far) && z < z_min)) continue;
    z_min = z;
    best = static_cast<int32_t>(f);
  }
  p.face_index[pixel] = best;
  p.alpha[pixel] = best >= 0 ? T(1) : T(0);
}

// The rasterized maps of one image seen along a scan axis: axis 0 walks columns (d0 = column, d1 = row counted
// from the bottom, Kato's y-up pixel rows), axis 1 walks rows (d0 = row from the bottom, d1 = column).
template <typename T>
struct ScanView {
  const int32_t* face_index;
  const T* alpha;
  const T* grad;
  int height, width, axis;
  DIBR_HD int extent0() const { return axis == 0 ? width : height; }
  DIBR_HD int extent1() const { return axis == 0 ? height : width; }
  DIBR_HD int64_t at(int d0, int d1) const {
    const int col = axis == 0 ? d0 : d1, row_up = axis == 0 ? d1 : d0;
    return int64_t(height - 1 - row_up) * width + col;
  }
};

// The scan of one edge (corners a -> b, opposite corner c) along one axis, accumulating into g[corner*2+dim].
template <typename T>
struct EdgeScan {
  T q0[2], q1[2], q2[2];  // (d0, d1) pixel coordinates of a, b, c
  int corner_a, corner_b;
  int dim;                // the coordinate the corners move in: 1 - axis (y for axis 0)
  T ndc_per_pixel;        // along d1
  T eps;

  // Moving the crossing at scan line d0 to pixel d1 changes the loss by -gain (gain > 0).
  DIBR_HD void update(T g[6], int d0, int d1, T d1_cross, T gain) const {
    const T span = q1[0] - q0[0];
    if (q1[0] != T(d0)) {
      T dist = span / (q1[0] - T(d0)) * (T(d1) - d1_cross) * ndc_per_pixel;
      dist += dist > T(0) ? eps : -eps;
      g[corner_a * 2 + dim] -= gain / dist;
    }
    if (q0[0] != T(d0)) {
      T dist = span / (T(d0) - q0[0]) * (T(d1) - d1_cross) * ndc_per_pixel;
      dist += dist > T(0) ? eps : -eps;
      g[corner_b * 2 + dim] -= gain / dist;
    }
  }

  DIBR_HD void run(const ScanView<T>& v, int32_t face, T g[6]) const {
    if (q0[0] == q1[0]) return;  // parallel to the scan lines: the other axis handles it
    const int n0 = v.extent0(), n1 = v.extent1();
    // The side of the edge outside the (counter-clockwise) face.
    const int dir = v.axis == 0 ? (q0[0] < q1[0] ? -1 : 1) : (q0[0] < q1[0] ? 1 : -1);
    const int first = static_cast<int>(raster::max2(ceil1(raster::min2(q0[0], q1[0])), T(0)));
    const int last = static_cast<int>(raster::min2(floor1(raster::max2(q0[0], q1[0])), T(n0 - 1)));
    for (int d0 = first; d0 <= last; ++d0) {
      const T d1_cross = (q1[1] - q0[1]) / (q1[0] - q0[0]) * (T(d0) - q0[0]) + q0[1];
      const int d1_in = static_cast<int>(dir > 0 ? floor1(d1_cross) : ceil1(d1_cross));
      const int d1_out = d1_in + dir;
      if (d1_in < 0 || d1_in >= n1 || d1_out < 0 || d1_out >= n1) continue;
      const int64_t in = v.at(d0, d1_in), out = v.at(d0, d1_out);
      const T alpha_in = v.alpha[in], alpha_out = v.alpha[out];
      // Moving out: the pixels beyond the edge, up to the border, take the face's value.
      if (v.face_index[in] == face) {
        for (int d1 = d1_out; d1 >= 0 && d1 < n1; d1 += dir) {
          const int64_t i = v.at(d0, d1);
          const T gain = (v.alpha[i] - alpha_in) * v.grad[i];
          if (gain > T(0)) update(g, d0, d1, d1_cross, gain);
        }
      }
      // Moving in: the face's pixels between this edge and the face's other side on this line lose it.
      T cross2;
      if ((T(d0) - q0[0]) * (T(d0) - q2[0]) < T(0))
        cross2 = (q2[1] - q0[1]) / (q2[0] - q0[0]) * (T(d0) - q0[0]) + q0[1];
      else if (q1[0] != q2[0])
        cross2 = (q1[1] - q2[1]) / (q1[0] - q2[0]) * (T(d0) - q2[0]) + q2[1];
      else
        cross2 = q2[1];
      const int limit = static_cast<int>(dir > 0 ? ceil1(cross2) : floor1(cross2));
      const int from = d1_in < limit ? d1_in : limit, to = d1_in < limit ? limit : d1_in;
      for (int d1 = from < 0 ? 0 : from; d1 <= (to > n1 - 1 ? n1 - 1 : to); ++d1) {
        const int64_t i = v.at(d0, d1);
        if (v.face_index[i] != face) continue;
        const T gain = (v.alpha[i] - alpha_out) * v.grad[i];
        if (gain > T(0)) update(g, d0, d1, d1_cross, gain);
      }
    }
  }
};

// Writes the gradient of face `global_face` = b * F + f.
template <typename T>
DIBR_HD void nmr_backward_face(const NmrBackwardParams<T>& p, int64_t global_face) {
  const NmrRasterSizes& s = p.sizes;
  const int64_t b = global_face / s.num_faces;
  const int32_t f = static_cast<int32_t>(global_face % s.num_faces);
  const T* corners = p.face_vertices_image + global_face * 6;
  T g[6] = {T(0), T(0), T(0), T(0), T(0), T(0)};
  const Tri<T> t = Tri<T>::load(corners);
  T c[3];
  const T area = raster::sub_areas(t, T(0), T(0), c);
  if (raster::abs1(area) > T(raster::kMinDoubleArea)) {
    // Kato's kernel handles counter-clockwise faces; a clockwise one is its fill_back copy (corners 0, 2, 1).
    const int order[3] = {0, area > T(0) ? 1 : 2, area > T(0) ? 2 : 1};
    T pix[3][2];  // pixel coordinates, rows counted from the bottom
    for (int k = 0; k < 3; ++k) {
      pix[k][0] = T(0.5) * (t.x[order[k]] * T(s.width) + T(s.width - 1));
      pix[k][1] = T(0.5) * (t.y[order[k]] * T(s.height) + T(s.height - 1));
    }
    const int64_t image = b * int64_t(s.height) * s.width;
    for (int e = 0; e < 3; ++e) {
      const int a = e, bb = (e + 1) % 3, cc = (e + 2) % 3;
      for (int axis = 0; axis < 2; ++axis) {
        const ScanView<T> view{p.face_index + image, p.alpha + image, p.grad_alpha + image, s.height, s.width, axis};
        EdgeScan<T> scan;
        const int d0 = axis == 0 ? 0 : 1, d1 = 1 - d0;
        scan.q0[0] = pix[a][d0], scan.q0[1] = pix[a][d1];
        scan.q1[0] = pix[bb][d0], scan.q1[1] = pix[bb][d1];
        scan.q2[0] = pix[cc][d0], scan.q2[1] = pix[cc][d1];
        scan.corner_a = order[a];
        scan.corner_b = order[bb];
        scan.dim = 1 - axis;
        scan.ndc_per_pixel = T(2) / T(axis == 0 ? s.height : s.width);
        scan.eps = T(s.eps);
        scan.run(view, f, g);
      }
    }
  }
  T* out = p.grad_face_vertices_image + global_face * 6;
  for (int k = 0; k < 6; ++k) out[k] = g[k];
}

}  // namespace dibr::nmr
