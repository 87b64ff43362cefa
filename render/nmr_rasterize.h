#pragma once
// Kato's Neural 3D Mesh Renderer silhouettes (NMR, CVPR 2018): a hard z-buffered rasterization, two-sided
// (Kato's fill_back), anti-aliased by rasterizing at twice the size and 2x2 average pooling, with NMR's
// approximate edge gradient as the backward. The per-pixel and per-face definitions are in
// render/nmr_raster_pixel.h; conventions (NDC, pixel centres) are those of dibr_rasterize (docs/conventions.md).
#include <ATen/core/Tensor.h>

namespace dibr {

struct NmrRasterizeSettings {
  int height = 64;             // output size
  int width = 64;
  bool anti_aliasing = true;   // rasterize at 2H x 2W and average 2x2 blocks
  double near = 0.1, far = 100.0;
  double eps = 1e-3;           // added to the edge displacement of the gradient (1e-3 in Kato's renderer.py)
};

struct NmrRasterizeOutput {
  at::Tensor alpha;       // (B,H,W) silhouettes in [0,1], differentiable w.r.t. face_vertices_image
  at::Tensor face_index;  // (B,rH,rW) int32 nearest face at the rasterized size (2H x 2W with anti-aliasing), -1 empty
};

// face_vertices_image (B,F,3,2) NDC x,y (x right, y up); face_depth (B,F,3) distance in front of the camera.
// One floating dtype (float32 or float64) and one device (CPU or CUDA). Settings need height, width > 0,
// 0 < near < far and eps > 0. Bad input throws c10::Error naming the argument. Depth gets no gradient (NMR's).
NmrRasterizeOutput nmr_rasterize(const at::Tensor& face_vertices_image, const at::Tensor& face_depth,
                                 const NmrRasterizeSettings& settings);

}  // namespace dibr
