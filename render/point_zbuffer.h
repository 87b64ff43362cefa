#pragma once
// DIFFER's depth-aware feature projection (Navaneet et al., CVPRW 2019; seed_methods.md §3.4), a soft z-buffer:
// pixel (i,j) takes sum_n P_n f_n with P the softmax of beta / depth_n over the points whose "well" covers the
// pixel (|x_n - j| <= well_radius and |y_n - i| <= well_radius), computed max-subtracted; pixels no well covers
// are 0. As in DIFFER, the gradient reaches the features and the depths only, never x and y.
#include <ATen/core/Tensor.h>

namespace dibr {

struct PointZbufferSettings {
  int height = 64;
  int width = 64;
  double well_radius = 1.0;  // pixels (WELL_RADIUS)
  double beta = 100.0;       // BETA
};

struct PointZbufferOutput {
  at::Tensor image;     // (B,H,W,D)
  at::Tensor coverage;  // (B,H,W) 1 where some well covers the pixel, else 0 (no gradient)
};

// points (B,N,2) x (column), y (row) in pixels, pixel centres at integers; depth (B,N) > 0 (DIFFER's z' =
// |z_camera| + 1); features (B,N,D). One dtype (float32 or float64) and one device (CPU or CUDA). Bad input throws
// c10::Error naming the argument.
PointZbufferOutput point_zbuffer(const at::Tensor& points, const at::Tensor& depth, const at::Tensor& features,
                                 const PointZbufferSettings& settings);

}  // namespace dibr
