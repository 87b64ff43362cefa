#pragma once
// The 3D view's "distance to GT" colouring: the prediction coloured by each point's distance to the GT point
// cloud, and the GT points by their distance to the prediction's surface, on one fixed scale (so colours compare
// across checkpoints and methods). No GL here: tested headless.
#include <ATen/core/Tensor.h>

namespace dibr::studio {

// The default far end of the scale: the largest F-score threshold (kFscoreThresholds), in the GT's units.
constexpr float kDefaultDistanceScale = 0.05f;

// distances (N) -> (N,3) float in [0,1]: blue at 0, through cyan, green and yellow, to red at `scale` and beyond.
at::Tensor distance_colormap(const at::Tensor& distances, float scale);

struct DistanceColoring {
  at::Tensor prediction_colors;  // (V,3): one per predicted vertex or point
  at::Tensor gt_colors;          // (K,3)
  double prediction_to_gt = 0;   // mean distances (the two halves of the chamfer distance)
  double gt_to_prediction = 0;
};

// prediction_points: the mesh's vertices or the predicted cloud (coloured); prediction_surface: where the GT points
// measure their distance to (points sampled on the mesh surface, or the cloud itself); gt_points (K,3).
// Throws std::invalid_argument for an empty or badly shaped input.
DistanceColoring color_by_distance(const at::Tensor& prediction_points, const at::Tensor& prediction_surface,
                                   const at::Tensor& gt_points, float scale);

}  // namespace dibr::studio
