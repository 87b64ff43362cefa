#include "app/distance_colors.h"

#include <torch/torch.h>

#include <array>
#include <stdexcept>

#include "trainer/chamfer.h"

namespace dibr::studio {

at::Tensor distance_colormap(const at::Tensor& distances, float scale) {
  if (!(scale > 0)) throw std::invalid_argument("distance_colormap: the scale must be positive");
  // Control colours at t = 0, 0.25, 0.5, 0.75, 1, linearly blended between.
  static const std::array<std::array<float, 3>, 5> kStops = {{{0.15f, 0.25f, 0.85f},
                                                              {0.1f, 0.75f, 0.9f},
                                                              {0.2f, 0.8f, 0.3f},
                                                              {0.95f, 0.85f, 0.15f},
                                                              {0.9f, 0.15f, 0.1f}}};
  const at::Tensor stops = torch::from_blob(const_cast<float*>(kStops[0].data()), {5, 3}, torch::kFloat).clone();
  const at::Tensor t = (distances.detach().to(torch::kCPU, torch::kFloat).reshape({-1}) / scale).clamp(0, 1) * 4;
  const at::Tensor low = t.floor().clamp(0, 3).to(torch::kLong);
  const at::Tensor w = (t - low.to(torch::kFloat)).unsqueeze(1);
  return (stops.index_select(0, low) * (1 - w) + stops.index_select(0, low + 1) * w).contiguous();
}

DistanceColoring color_by_distance(const at::Tensor& prediction_points, const at::Tensor& prediction_surface,
                                   const at::Tensor& gt_points, float scale) {
  const at::Tensor to_gt = nearest_point_distances(prediction_points, gt_points);
  const at::Tensor to_prediction = nearest_point_distances(gt_points, prediction_surface);
  DistanceColoring out;
  out.prediction_colors = distance_colormap(to_gt, scale);
  out.gt_colors = distance_colormap(to_prediction, scale);
  out.prediction_to_gt = to_gt.mean().item<double>();
  out.gt_to_prediction = to_prediction.mean().item<double>();
  return out;
}

}  // namespace dibr::studio
