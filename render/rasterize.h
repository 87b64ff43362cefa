#pragma once
// DIB-R rasterization (Chen et al. 2019), modelled on Kaolin's dibr_rasterization.
// Conventions (NDC, pixel centres, culling, depth) are in docs/conventions.md.
#include <ATen/core/Tensor.h>

namespace dibr {

// Upper bound of RasterizeSettings::knum (the per-pixel face list lives in registers / on the stack).
inline constexpr int kRasterMaxKnum = 128;

// What the soft mask measures for an uncovered pixel that lies inside a face (a culled one: a covering non-culled
// face would cover it). Outside a face both are the distance to the triangle.
enum class SoftMaskDistance {
  Boundary,  // Kaolin's dibr_for.cu: the distance to the face's boundary (its nearest edge), with its gradient
  Triangle,  // ours before it was a setting: 0 inside the face, so the mask is 1 there and carries no gradient
};

struct RasterizeSettings {
  int height = 64;
  int width = 64;
  double sigmainv = 7000.0;  // sharpness of the soft silhouette, in 1/NDC^2
  double boxlen = 0.02;      // NDC margin added to a face's box when gathering soft-mask faces
  int knum = 30;             // at most this many faces contribute to one uncovered pixel
  SoftMaskDistance soft_distance = SoftMaskDistance::Boundary;
  // CUDA: a backward whose gradients are the same bits on every run (one thread per image running the CPU's
  // tiled backward; much slower). The default sums with atomics, whose order varies. The CPU is always
  // deterministic.
  bool deterministic_backward = false;
};

struct RasterizeOutput {
  at::Tensor features;    // (B,H,W,D) barycentric interpolation of face_features; 0 on background
  at::Tensor soft_mask;   // (B,H,W) 1 on covered pixels, 1-prod(1-exp(-sigmainv*d^2)) elsewhere
  at::Tensor face_index;  // (B,H,W) int64, winning face, -1 on background (no gradient)
};

// face_vertices_z     (B,F,3)   camera-space z of each face corner (camera looks down -z: larger is nearer)
// face_vertices_image (B,F,3,2) NDC x,y of each corner (x right, y up)
// face_features       (B,F,3,D) per-corner features to interpolate
// face_normals_z      (B,F)     z of the face normal; faces with normal z < 0 are culled from coverage
// Floating tensors share one dtype (float32 or float64) and one device (CPU or CUDA); settings need
// height, width > 0, sigmainv > 0, boxlen >= 0 and 1 <= knum <= 128. Bad input throws c10::Error naming
// the argument.
// Pixel (h,w) has its centre at NDC ((2w+1-W)/W, (H-2h-1)/H). A non-culled face with non-zero screen area
// covers a pixel when its three screen-space barycentrics are >= 0: edges are inclusive, so a centre on an
// edge shared by two faces is covered by both and the depth test decides; the largest interpolated z wins
// and equal depths go to the lower face index. Uncovered pixels use the first knum faces (culled ones
// included) whose box grown by boxlen holds the centre, with d the distance to the face's boundary (Kaolin's rule,
// SoftMaskDistance::Boundary) or to the triangle (0 inside it, SoftMaskDistance::Triangle); the two differ only
// inside culled faces.
// Differentiable w.r.t. face_vertices_image and face_features through autograd (analytic backward); no
// gradient flows to face_vertices_z or face_normals_z.
RasterizeOutput dibr_rasterize(const at::Tensor& face_vertices_z,
                               const at::Tensor& face_vertices_image,
                               const at::Tensor& face_features,
                               const at::Tensor& face_normals_z,
                               const RasterizeSettings& settings);

}  // namespace dibr
