#pragma once
// Visual-hull depth maps, as the NMR_Dataset's visual_hull_depth/*.exr that DVR's occupancy loss reads: for each
// view and pixel, the camera z-depth of the first point on the pixel-centre ray that lies inside the masks of all
// views (DVR issue #18); inf where the ray meets no such point. The built-in sample writes them from its own masks.
#include <ATen/core/Tensor.h>

namespace dibr {

struct VisualHullSettings {
  int grid = 64;          // carving grid over the unit cube (cells per side)
  int ray_steps = 128;    // samples per ray through the cube
  int bisection_steps = 6;  // refinement of the first inside sample against the masks themselves
  double mask_threshold = 0.5;
};

// Whether each point (M,3) projects inside the mask (> threshold) of every view. masks (V,S,S), world_mats (V,4,4)
// OpenCV, focal in NDC. Points behind a camera or outside an image are outside.
at::Tensor inside_all_masks(const at::Tensor& points, const at::Tensor& masks, const at::Tensor& world_mats, double focal,
                            double mask_threshold = 0.5);

// (V,S,S) float32 depth maps for every view of one object.
at::Tensor visual_hull_depths(const at::Tensor& masks, const at::Tensor& world_mats, double focal,
                              const VisualHullSettings& settings = {});

}  // namespace dibr
