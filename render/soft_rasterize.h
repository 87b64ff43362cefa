#pragma once
// The SoftRas soft rasterizer (Liu et al., "Soft Rasterizer", ICCV 2019): probabilistic silhouettes and a
// depth-softmax colour aggregation, with an analytic backward. The per-pixel definition is in
// render/soft_raster_pixel.h; conventions (NDC, pixel centres) are those of dibr_rasterize (docs/conventions.md).
#include <ATen/core/Tensor.h>

namespace dibr {

struct SoftRasterizeSettings {
  int height = 64;
  int width = 64;
  double sigma = 1e-4;           // probability-map sharpness, NDC^2 (SoftRas's sigma_val)
  double dist_eps = 1e-10;       // a face outside a pixel is skipped where its probability is below this
  double gamma = 1e-4;           // temperature of the colour aggregation's depth softmax (gamma_val)
  double near = 1.0, far = 100.0;  // depth range of the colour aggregation
  double background_eps = 1e-3;  // the background's normalised depth in the softmax
  bool two_sided = true;         // false: faces clockwise on screen add no colour (their silhouette stays)
};

struct SoftRasterizeOutput {
  at::Tensor alpha;     // (B,H,W) 1 - prod_f (1 - sigmoid(sign d_f^2 / sigma))
  at::Tensor features;  // (B,H,W,D) softmax-aggregated colours; D = 0 when face_features is undefined
};

// face_vertices_image (B,F,3,2) NDC x,y (x right, y up) of each corner
// face_depth          (B,F,3)   distance of each corner in front of the camera (> 0), used for colours only
// face_features       (B,F,3,D) per-corner colours, or undefined for silhouettes only
// background          (D)       background colour, or undefined (zeros)
// Floating tensors share one dtype (float32 or float64) and one device (CPU or CUDA); settings need
// height, width > 0, sigma > 0, 0 < dist_eps < 0.5, gamma > 0 and 0 < near < far. Bad input throws c10::Error
// naming the argument. Differentiable w.r.t. face_vertices_image, face_depth and face_features; not w.r.t.
// background.
SoftRasterizeOutput soft_rasterize(const at::Tensor& face_vertices_image, const at::Tensor& face_depth,
                                   const at::Tensor& face_features, const at::Tensor& background,
                                   const SoftRasterizeSettings& settings);

// The skip threshold on d^2 for the settings: sigma * log(1/dist_eps - 1).
double soft_rasterize_threshold(const SoftRasterizeSettings& settings);

}  // namespace dibr
