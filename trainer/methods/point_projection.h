#pragma once
// What the point methods share (internal: trainer/methods only): projecting points with NMR's cameras onto a
// pixel grid, resizing masks to it, bilinear reads of grids at the projected points (DRWR), the silhouette
// samples of 2DPM, and the preview render of a cloud.
#include <ATen/core/Tensor.h>

namespace dibr {

struct GridPoints {
  at::Tensor pixels;  // (B,N,2) x (column), y (row) on a grid x grid image, pixel centres at integers
  at::Tensor depth;   // (B,N) distance in front of the camera
};

// points (B,N,3) in the object frame; world_mats (B,4,4) OpenCV; focals (B) NDC. Differentiable w.r.t. points.
// NDC [-1, 1] maps onto the grid's pixel-centre coordinates [-0.5, grid - 0.5] (docs/conventions.md).
GridPoints project_points_to_grid(const at::Tensor& points, const at::Tensor& world_mats, const at::Tensor& focals,
                                  int grid);

// masks (B,1,S,S) or (B,S,S) -> (B,grid,grid) by area averaging (S when grid == S).
at::Tensor resize_masks(const at::Tensor& masks, int grid);

// DRWR's bilinear read of `image` (B,G,G) at `pixels` (B,N,2), coordinates clipped to the grid (bilinear_sampler):
// corners at (floor - ring, floor + 1 + ring) on each axis with the weights of the plain read (ring 0), clipped.
// Differentiable w.r.t. pixels (through the weights) and image.
at::Tensor bilinear_read(const at::Tensor& image, const at::Tensor& pixels, int ring = 0);

// DRWR's mask distance field (scripts/tf_records_generator.py: mask_sdf) of masks (B,S,S) in [0,1]: S = m where
// m > 0, and (220 - 255/(64 sqrt 2) * dist) / 255 where m == 0, dist being the Euclidean distance to the nearest
// pixel with m >= 0.95 measured in pixels of a 128^2 render (so the slope is the released one at any S).
at::Tensor mask_distance_field(const at::Tensor& masks);

struct SilhouetteSamples {
  at::Tensor points;  // (B,K,2) pixel coordinates of silhouette pixels
  at::Tensor valid;   // (B) 1 where the silhouette has a pixel, else 0 (its samples are meaningless)
};
// 2DPM's targets (tf_records_generator.py, SAMPLE_TYPE 2): the silhouette pixels (mask >= threshold) of each
// (B,G,G) mask in row-major order, topped up to K by a fixed pseudo-random choice among them.
SilhouetteSamples silhouette_samples(const at::Tensor& masks, int64_t count, double threshold);

// The previews and eval strips of a point method: each cloud's Gaussian splat mask (point_splat.h) at `size`,
// seen from its camera. points (B,N,3) -> (B,size,size) in [0,1].
at::Tensor point_silhouettes(const at::Tensor& points, const at::Tensor& world_mats, const at::Tensor& focals,
                             int size, double sigma_sq);

}  // namespace dibr
