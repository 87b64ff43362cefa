#include "trainer/methods/point_projection.h"

#include <torch/torch.h>

#include <cmath>

#include "render/camera.h"
#include "render/distance_transform.h"
#include "render/point_splat.h"

namespace dibr {

GridPoints project_points_to_grid(const at::Tensor& points, const at::Tensor& world_mats, const at::Tensor& focals,
                                  int grid) {
  const auto view = opengl_view_from_opencv(world_mats.to(points.options()));
  const ProjectedVertices projected = project_vertices(points, view, focals.to(points.options()));
  const double g = grid;
  const at::Tensor x = (projected.ndc.select(2, 0) * g + (g - 1)) * 0.5;
  const at::Tensor y = ((g - 1) - projected.ndc.select(2, 1) * g) * 0.5;
  return {torch::stack({x, y}, 2), -projected.camera.select(2, 2)};
}

at::Tensor resize_masks(const at::Tensor& masks, int grid) {
  const at::Tensor m = masks.dim() == 4 ? masks.squeeze(1) : masks;
  if (m.size(-1) == grid && m.size(-2) == grid) return m;
  return torch::adaptive_avg_pool2d(m.unsqueeze(1), {grid, grid}).squeeze(1);
}

at::Tensor bilinear_read(const at::Tensor& image, const at::Tensor& pixels, int ring) {
  const int64_t B = image.size(0), H = image.size(1), W = image.size(2);
  const at::Tensor x = pixels.select(2, 0).clamp(0, W - 1), y = pixels.select(2, 1).clamp(0, H - 1);
  const at::Tensor x0 = x.detach().floor(), y0 = y.detach().floor();
  const at::Tensor wx = x - x0, wy = y - y0;
  const at::Tensor flat = image.reshape({B, H * W});
  auto at = [&](const at::Tensor& cx, const at::Tensor& cy) {
    const at::Tensor index = cy.clamp(0, H - 1).to(torch::kLong) * W + cx.clamp(0, W - 1).to(torch::kLong);
    return flat.gather(1, index);
  };
  const at::Tensor xa = x0 - ring, xb = x0 + 1 + ring, ya = y0 - ring, yb = y0 + 1 + ring;
  return (1 - wx) * (1 - wy) * at(xa, ya) + wx * (1 - wy) * at(xb, ya) + (1 - wx) * wy * at(xa, yb) + wx * wy * at(xb, yb);
}

at::Tensor mask_distance_field(const at::Tensor& masks_in) {
  const at::Tensor masks = masks_in.dim() == 4 ? masks_in.squeeze(1) : masks_in;
  const double side = double(masks.size(-1));
  const double empty = 2.0 * side * side;
  const at::Tensor dist = torch::sqrt(squared_distance_transform(masks, 0.95, empty)) * (128.0 / side);
  const at::Tensor outside = (220.0 - 255.0 / (64.0 * std::sqrt(2.0)) * dist) / 255.0;
  return torch::where(masks == 0, outside, masks).detach();
}

SilhouetteSamples silhouette_samples(const at::Tensor& masks, int64_t count, double threshold) {
  const int64_t B = masks.size(0), H = masks.size(1), W = masks.size(2);
  const auto long_opts = masks.options().dtype(torch::kLong);
  const at::Tensor inside = (masks.reshape({B, H * W}) >= threshold);
  // Silhouette pixels first, each group in row-major order.
  const at::Tensor key = (~inside).to(torch::kLong) * (H * W) + torch::arange(H * W, long_opts);
  const at::Tensor order = std::get<1>(key.sort(1));
  const at::Tensor found = inside.sum(1, /*keepdim=*/true);
  const at::Tensor k = torch::arange(count, long_opts).unsqueeze(0);
  // Beyond the silhouette's own pixels, a fixed stride through them (Knuth's multiplicative hash) stands in for
  // 2DPM's random top-up, so a step's targets depend on the mask alone.
  const at::Tensor topped = torch::where(k < found, k, (k * static_cast<int64_t>(2654435761LL)) % found.clamp_min(1));
  const at::Tensor pixel = order.gather(1, topped.clamp_max(H * W - 1));
  const at::Tensor xy = torch::stack({(pixel % W).to(masks.scalar_type()), torch::div(pixel, W, "floor").to(masks.scalar_type())}, 2);
  return {xy, (found.squeeze(1) > 0).to(masks.scalar_type())};
}

at::Tensor point_silhouettes(const at::Tensor& points, const at::Tensor& world_mats, const at::Tensor& focals,
                             int size, double sigma_sq) {
  PointSplatSettings st;
  st.height = st.width = size;
  st.sigma_sq = sigma_sq;
  return point_splat_mask(project_points_to_grid(points, world_mats, focals, size).pixels, st);
}

}  // namespace dibr
