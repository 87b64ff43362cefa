#include "trainer/visual_hull.h"

#include <torch/torch.h>

#include <limits>

#include "trainer/methods/dvr_marching.h"

namespace dibr {

at::Tensor inside_all_masks(const at::Tensor& points, const at::Tensor& masks, const at::Tensor& world_mats, double focal,
                            double threshold) {
  const int64_t V = masks.size(0), S = masks.size(1), M = points.size(0);
  const at::Tensor p = points.to(torch::kFloat32);
  at::Tensor inside = torch::ones({M}, torch::kBool);
  for (int64_t v = 0; v < V; ++v) {
    const at::Tensor w = world_mats[v].to(torch::kFloat32);
    const at::Tensor cam = at::matmul(p, w.slice(0, 0, 3).slice(1, 0, 3).t()) + w.slice(0, 0, 3).select(1, 3);
    const at::Tensor z = cam.select(1, 2);
    const at::Tensor x = focal * cam.select(1, 0) / z, y_up = -focal * cam.select(1, 1) / z;
    // Pixel centres at (2c + 1 - S) / S: the nearest pixel of an NDC coordinate.
    const at::Tensor col = ((x * S + S - 1) / 2).round(), row = ((S - 1 - y_up * S) / 2).round();
    const at::Tensor in_image = (z > 0) & (col >= 0) & (col < S) & (row >= 0) & (row < S);
    const at::Tensor flat = (row.clamp(0, S - 1) * S + col.clamp(0, S - 1)).to(torch::kLong);
    const at::Tensor covered = masks[v].reshape({-1}).index_select(0, flat) > threshold;
    inside = inside & in_image & covered;
  }
  return inside;
}

at::Tensor visual_hull_depths(const at::Tensor& masks_in, const at::Tensor& world_mats_in, double focal,
                              const VisualHullSettings& s) {
  torch::NoGradGuard no_grad;
  const at::Tensor masks = masks_in.to(torch::kCPU, torch::kFloat32);
  const at::Tensor world_mats = world_mats_in.to(torch::kCPU, torch::kFloat32);
  const int64_t V = masks.size(0), S = masks.size(1), G = s.grid;
  // The hull carved on a grid of cell centres; rays then read it by nearest cell.
  const at::Tensor axis = (torch::arange(G, torch::kFloat32) + 0.5) / G - 0.5;
  const auto mesh = torch::meshgrid({axis, axis, axis}, "ij");
  const at::Tensor centres = torch::stack({mesh[0].reshape({-1}), mesh[1].reshape({-1}), mesh[2].reshape({-1})}, 1);
  const at::Tensor carved = inside_all_masks(centres, masks, world_mats, focal, s.mask_threshold);
  at::Tensor out = torch::full({V, S, S}, std::numeric_limits<float>::infinity(), torch::kFloat32);
  for (int64_t v = 0; v < V; ++v) {
    const at::Tensor pixels_flat = (masks[v].reshape({-1}) > s.mask_threshold).nonzero().squeeze(1);
    if (pixels_flat.numel() == 0) continue;
    const at::Tensor pixels = torch::stack({pixels_flat.div(S, "floor"), pixels_flat.remainder(S)}, 1).unsqueeze(0);
    const Rays rays = pixel_rays(world_mats[v].unsqueeze(0), torch::full({1}, focal, torch::kFloat32), pixels, static_cast<int>(S));
    const CubeSpan span = intersect_cube(rays, 0.5);
    const int64_t R = pixels_flat.numel(), K = s.ray_steps;
    const at::Tensor t = torch::linspace(0, 1, K, torch::kFloat32);
    const at::Tensor d = span.near.unsqueeze(1) + t.unsqueeze(0) * (span.far - span.near).unsqueeze(1);  // (R,K)
    const at::Tensor points = rays.origins.unsqueeze(1) + d.unsqueeze(2) * rays.directions.unsqueeze(1);
    const at::Tensor cell = ((points + 0.5) * G).floor().to(torch::kLong);
    const at::Tensor in_grid = ((cell >= 0) & (cell < G)).all(2);
    const at::Tensor c = cell.clamp(0, G - 1);
    const at::Tensor index = (c.select(2, 0) * G + c.select(2, 1)) * G + c.select(2, 2);
    const at::Tensor inside = carved.index_select(0, index.reshape({-1})).view({R, K}) & in_grid & span.hit.unsqueeze(1);
    // The first inside sample: argmax of a bool picks the first true; rows without any stay inf.
    const at::Tensor first = inside.to(torch::kInt8).argmax(1, true);
    const at::Tensor found = inside.any(1);
    at::Tensor hi = d.gather(1, first).squeeze(1);
    at::Tensor lo = d.gather(1, (first - 1).clamp_min(0)).squeeze(1);
    for (int i = 0; i < s.bisection_steps; ++i) {
      const at::Tensor mid = (lo + hi) / 2;
      const at::Tensor in = inside_all_masks(rays.origins + mid.unsqueeze(1) * rays.directions, masks, world_mats, focal,
                                             s.mask_threshold);
      hi = torch::where(in, mid, hi);
      lo = torch::where(in, lo, mid);
    }
    const at::Tensor depth = torch::where(found, hi, torch::full_like(hi, std::numeric_limits<float>::infinity()));
    out[v].view({-1}).index_copy_(0, pixels_flat, depth.to(torch::kFloat32));
  }
  return out;
}

}  // namespace dibr
