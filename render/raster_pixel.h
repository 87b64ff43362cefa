#pragma once
// The work of one output pixel against one face, forward and backward, shared by every traversal of the
// DIB-R rasterizer: the unbinned loop (every face, the baseline), the CPU's face-major tile pass
// (raster_tile.h) and the CUDA kernels (one thread per pixel over a tile's face list). Each pixel must see its
// faces in increasing index: the nearest (largest z) non-culled covering face wins the hard rasterization,
// with equal depths going to the lower index, and the first knum faces whose box (grown by boxlen) holds the
// pixel centre make the soft mask of uncovered pixels.
#include "render/raster_kernels.h"
#include "render/raster_math.h"
#include "render/tile_bins.h"

namespace dibr::raster {

// One image's face arrays.
template <typename T>
struct ImageFaces {
  const T* corners;   // (F,3,2)
  const T* depth;     // (F,3)
  const T* normal_z;  // (F)
};

template <typename T>
DIBR_HD ImageFaces<T> image_faces(const RasterForwardParams<T>& p, int64_t b) {
  const int64_t F = p.sizes.num_faces;
  return {p.face_vertices_image + b * F * 6, p.face_vertices_z + b * F * 3, p.face_normals_z + b * F};
}

// The hard rasterization state of one pixel.
template <typename T>
struct Coverage {
  int64_t face = -1;
  T z = T(0);
  T w[3] = {T(0), T(0), T(0)};
};

// Face f, whose grown box holds the pixel, may cover it and win the depth test.
template <typename T>
DIBR_HD void cover_step(Coverage<T>& c, const Tri<T>& t, const ImageFaces<T>& faces, int64_t f, T px, T py) {
  T wb[3];
  if (faces.normal_z[f] < T(0) || !barycentric_inside(t, px, py, wb)) return;
  const T* d = faces.depth + f * 3;
  const T z = wb[0] * d[0] + wb[1] * d[1] + wb[2] * d[2];
  if (c.face < 0 || z > c.z) {  // strict: on equal depth the lower face index stays
    c.face = f;
    c.z = z;
    for (int k = 0; k < 3; ++k) c.w[k] = wb[k];
  }
}

// A soft-mask face's term at a pixel: a = exp(-sigmainv d^2), with the nearest edge and its parameter for the
// backward.
template <typename T>
struct SoftTerm {
  T a;
  T param;
  int edge;
};
// edges: tri_edges(t), which a caller visiting many pixels of one face computes once.
template <typename T>
DIBR_HD SoftTerm<T> soft_term(const Tri<T>& t, const TriEdges<T>& edges, T px, T py, const RasterSizes& s) {
  SoftTerm<T> term;
  const T d2 = s.distance_to_boundary ? point_boundary_dist2(t, edges, px, py, &term.edge, &term.param)
                                      : point_triangle_dist2(t, px, py, &term.edge, &term.param, false);
  term.a = exp1(-T(s.sigmainv) * d2);
  return term;
}
template <typename T>
DIBR_HD SoftTerm<T> soft_term(const Tri<T>& t, T px, T py, const RasterSizes& s) {
  return soft_term(t, tri_edges(t), px, py, s);
}

// 1 - a: the factor a soft-mask face contributes to prod_k (1 - a_k).
template <typename T>
DIBR_HD T soft_factor(const Tri<T>& t, const TriEdges<T>& edges, T px, T py, const RasterSizes& s) {
  return T(1) - soft_term(t, edges, px, py, s).a;
}
template <typename T>
DIBR_HD T soft_factor(const Tri<T>& t, T px, T py, const RasterSizes& s) {
  return soft_factor(t, tri_edges(t), px, py, s);
}

// Writes a pixel's outputs; `outside` is prod_k (1 - a_k) over its soft-mask faces (unused when covered).
template <typename T>
DIBR_HD void write_pixel(const RasterForwardParams<T>& p, int64_t pixel, int64_t b, const Coverage<T>& c, T outside) {
  const int64_t D = p.sizes.feature_dim;
  p.face_index[pixel] = c.face;
  T* out = p.features + pixel * D;
  if (c.face >= 0) {
    const T* feat = p.face_features + (b * p.sizes.num_faces + c.face) * 3 * D;
    for (int64_t d = 0; d < D; ++d) out[d] = c.w[0] * feat[d] + c.w[1] * feat[D + d] + c.w[2] * feat[2 * D + d];
    p.soft_mask[pixel] = T(1);
  } else {
    for (int64_t d = 0; d < D; ++d) out[d] = T(0);
    p.soft_mask[pixel] = T(1) - outside;
  }
}

struct PixelAt {
  int64_t b;
  int h, w;
};
DIBR_HD PixelAt pixel_at(const RasterSizes& s, int64_t pixel) {
  return {pixel / (int64_t(s.width) * s.height), static_cast<int>((pixel / s.width) % s.height),
          static_cast<int>(pixel % s.width)};
}

// What a pixel has gathered from the faces it has seen so far (pixel-major traversals).
template <typename T>
struct PixelForward {
  Coverage<T> cover;
  T outside = T(1);  // prod_k (1 - a_k) over the soft-mask faces so far
  int gathered = 0;
};

// The next candidate face f, in increasing index, of the pixel at (px, py).
template <typename T>
DIBR_HD void forward_visit(PixelForward<T>& st, const RasterSizes& s, const ImageFaces<T>& img, int64_t f, T px, T py) {
  const Tri<T> t = Tri<T>::load(img.corners + f * 6);
  if (!t.box_contains(px, py, T(s.boxlen))) return;
  cover_step(st.cover, t, img, f, px, py);
  if (st.gathered < s.knum) {
    ++st.gathered;
    // Once covered the soft mask is 1, so the distance is not needed; a pixel that ends uncovered was
    // uncovered at every face, so it multiplies exactly the factors of its first knum faces.
    if (st.cover.face < 0) st.outside *= soft_factor(t, px, py, s);
  }
}

// One pixel against a list of candidate faces in increasing index (pixel-major).
template <typename T, typename Faces>
DIBR_HD void forward_pixel(const RasterForwardParams<T>& p, int64_t pixel, const Faces& faces) {
  const RasterSizes& s = p.sizes;
  const PixelAt at = pixel_at(s, pixel);
  const T px = pixel_ndc_x<T>(at.w, s.width), py = pixel_ndc_y<T>(at.h, s.height);
  const ImageFaces<T> img = image_faces(p, at.b);
  PixelForward<T> st;
  for (int64_t i = 0; i < faces.size(); ++i) forward_visit(st, s, img, faces[i], px, py);
  write_pixel(p, pixel, at.b, st.cover, st.outside);
}

// --- backward -------------------------------------------------------------------------------------------

// Gradients of one covered pixel w.r.t. its winning face: sink.feature(corner, d, value) and
// sink.corner(k, value) for k = 2*corner + {0: x, 1: y}.
template <typename T, typename Sink>
DIBR_HD void covered_backward(const RasterBackwardParams<T>& p, int64_t pixel, int64_t b, int64_t best, T px, T py,
                              Sink& sink) {
  const int64_t D = p.sizes.feature_dim;
  const T* g = p.grad_features + pixel * D;
  const T* feat = p.face_features + (b * p.sizes.num_faces + best) * 3 * D;
  const Tri<T> t = Tri<T>::load(p.face_vertices_image + (b * p.sizes.num_faces + best) * 6);
  T c[3];
  const T area = sub_areas(t, px, py, c);
  if (!(abs1(area) > T(kMinDoubleArea))) return;
  T gw[3] = {T(0), T(0), T(0)};
  for (int i = 0; i < 3; ++i) {
    const T wi = c[i] / area;
    for (int64_t d = 0; d < D; ++d) {
      gw[i] += g[d] * feat[i * D + d];
      sink.feature(i, d, wi * g[d]);
    }
  }
  T gx[3], gy[3];
  barycentric_backward(t, px, py, c, area, gw, gx, gy);
  for (int i = 0; i < 3; ++i) {
    sink.corner(2 * i, gx[i]);
    sink.corner(2 * i + 1, gy[i]);
  }
}

// Gradients of an uncovered pixel's soft mask A = 1 - prod_k (1 - a_k) w.r.t. its n soft-mask faces'
// corners, given their terms. dA/da_k = prod_{j != k} (1 - a_j) is taken as prefix * suffix products, so that
// a factor 1 - a_k = 0 (a pixel inside a culled face) is never divided by. sink(k, corner_component, value)
// receives face k's share.
template <typename T, typename FaceCorners, typename Sink>
DIBR_HD void soft_mask_backward(const RasterSizes& s, T g, T px, T py, int n, const SoftTerm<T>* terms,
                                const FaceCorners& corners_of, const Sink& sink) {
  T suffix[kMaxKnum];
  T running = T(1);
  for (int k = n - 1; k >= 0; --k) {
    suffix[k] = running;
    running *= T(1) - terms[k].a;
  }
  const T sigmainv = T(s.sigmainv);
  T prefix = T(1);
  for (int k = 0; k < n; ++k) {
    const Tri<T> t = Tri<T>::load(corners_of(k));
    const T a = terms[k].a;
    // dA/d(d^2) = dA/da * da/d(d^2) = prefix*suffix * (-sigmainv a)
    const T g_d2 = -g * sigmainv * a * prefix * suffix[k];
    T gx[3] = {T(0), T(0), T(0)}, gy[3] = {T(0), T(0), T(0)};
    point_triangle_dist2_backward(t, px, py, terms[k].edge, terms[k].param, g_d2, gx, gy);
    for (int i = 0; i < 3; ++i) {
      sink(k, 2 * i, gx[i]);
      sink(k, 2 * i + 1, gy[i]);
    }
    prefix *= T(1) - a;
  }
}

// An uncovered pixel's first knum faces whose grown box holds its centre, with their terms, gathered from its
// candidates in increasing index (visit while n < knum).
template <typename T>
struct SoftGather {
  int ids[kMaxKnum];
  SoftTerm<T> terms[kMaxKnum];
  int n = 0;
  DIBR_HD void visit(const RasterSizes& s, const T* corners, int64_t f, T px, T py) {
    const Tri<T> t = Tri<T>::load(corners + f * 6);
    if (!t.box_contains(px, py, T(s.boxlen))) return;
    ids[n] = static_cast<int>(f);
    terms[n] = soft_term(t, px, py, s);
    ++n;
  }
};

// One pixel's backward against its candidate faces in increasing index (pixel-major); add(T* dst, T value)
// accumulates into the face gradients (plain += on the CPU, atomicAdd on the GPU).
template <typename T, typename Faces, typename Add>
DIBR_HD void backward_pixel(const RasterBackwardParams<T>& p, int64_t pixel, const Faces& faces, const Add& add) {
  const RasterSizes& s = p.sizes;
  const PixelAt at = pixel_at(s, pixel);
  const T px = pixel_ndc_x<T>(at.w, s.width), py = pixel_ndc_y<T>(at.h, s.height);
  const T* corners = p.face_vertices_image + at.b * s.num_faces * 6;
  T* grad_corners = p.grad_face_vertices_image + at.b * s.num_faces * 6;

  const int64_t best = p.face_index[pixel];
  if (best >= 0) {  // covered: features = sum_i w_i f_i, soft mask constant 1
    if (p.grad_features == nullptr) return;
    struct {
      T* feature_dst;
      T* corner_dst;
      int64_t D;
      const Add& add;
      DIBR_HD void feature(int i, int64_t d, T v) { add(feature_dst + i * D + d, v); }
      DIBR_HD void corner(int k, T v) { add(corner_dst + k, v); }
    } sink{p.grad_face_features + (at.b * s.num_faces + best) * 3 * s.feature_dim, grad_corners + best * 6,
           s.feature_dim, add};
    covered_backward(p, pixel, at.b, best, px, py, sink);
    return;
  }

  if (p.grad_soft_mask == nullptr) return;
  const T g = p.grad_soft_mask[pixel];
  if (g == T(0)) return;
  SoftGather<T> gather;
  for (int64_t i = 0; i < faces.size() && gather.n < s.knum; ++i) gather.visit(s, corners, faces[i], px, py);
  soft_mask_backward(
      s, g, px, py, gather.n, gather.terms, [&](int k) { return corners + int64_t(gather.ids[k]) * 6; },
      [&](int k, int component, T v) { add(grad_corners + int64_t(gather.ids[k]) * 6 + component, v); });
}

}  // namespace dibr::raster
