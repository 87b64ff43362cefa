#include "trainer/methods/dvr_marching.h"

#include <torch/torch.h>

#include <limits>

#include "trainer/step_profile.h"

namespace dibr {

Rays pixel_rays(const at::Tensor& world_mats, const at::Tensor& focals, const at::Tensor& pixels, int image_size) {
  TORCH_CHECK(world_mats.dim() == 3 && world_mats.size(1) == 4 && world_mats.size(2) == 4,
              "pixel_rays: world_mats must be (B,4,4), got ", world_mats.sizes());
  TORCH_CHECK(pixels.dim() == 3 && pixels.size(0) == world_mats.size(0) && pixels.size(2) == 2,
              "pixel_rays: pixels must be (B,P,2) for ", world_mats.size(0), " views, got ", pixels.sizes());
  const int64_t B = pixels.size(0), P = pixels.size(1);
  const double S = image_size;
  const at::Tensor rotation = world_mats.slice(1, 0, 3).slice(2, 0, 3);                 // (B,3,3)
  const at::Tensor translation = world_mats.slice(1, 0, 3).select(2, 3);                 // (B,3)
  const at::Tensor centre = -at::matmul(rotation.transpose(1, 2), translation.unsqueeze(2)).squeeze(2);
  const at::Tensor rows = pixels.select(2, 0).to(world_mats.scalar_type());
  const at::Tensor cols = pixels.select(2, 1).to(world_mats.scalar_type());
  // Pixel centres in NDC (y up), then the OpenCV camera direction (y down) at depth 1.
  const at::Tensor f = focals.to(world_mats.scalar_type()).view({B, 1});
  const at::Tensor x = (2 * cols + 1 - S) / S / f, y = (S - 2 * rows - 1) / S / f;
  const at::Tensor camera = torch::stack({x, -y, torch::ones_like(x)}, 2);               // (B,P,3)
  Rays r;
  r.directions = at::matmul(camera, rotation).reshape({B * P, 3});                      // R^T d per row
  r.origins = centre.unsqueeze(1).expand({B, P, 3}).reshape({B * P, 3});
  r.object = torch::arange(B, pixels.options().dtype(torch::kLong)).repeat_interleave(P);
  return r;
}

CubeSpan intersect_cube(const Rays& rays, double half_size) {
  const at::Tensor& w = rays.directions;
  // A zero component would give 0/0 for an origin on that slab's plane.
  const at::Tensor safe = torch::where(w.abs() < 1e-12, torch::full_like(w, 1e-12), w);
  const at::Tensor t1 = (-half_size - rays.origins) / safe, t2 = (half_size - rays.origins) / safe;
  const at::Tensor entry = torch::minimum(t1, t2).amax(1), exit = torch::maximum(t1, t2).amin(1);
  CubeSpan s;
  s.near = entry.clamp_min(0);
  s.far = exit;
  s.hit = exit > s.near;
  return s;
}

at::Tensor MarchResult::hit() const { return torch::isfinite(depth); }

at::Tensor evaluate_in_chunks(const OccupancyField& field, const at::Tensor& points, const at::Tensor& object,
                              int64_t chunk_points) {
  torch::NoGradGuard no_grad;
  const int64_t M = points.size(0);
  if (M <= chunk_points) return field(points, object);
  std::vector<at::Tensor> parts;
  for (int64_t begin = 0; begin < M; begin += chunk_points) {
    const int64_t end = std::min(M, begin + chunk_points);
    parts.push_back(field(points.slice(0, begin, end), object.slice(0, begin, end)));
  }
  return torch::cat(parts);
}

MarchResult march_rays(const OccupancyField& field, const Rays& rays, const MarchSettings& settings) {
  TORCH_CHECK(settings.steps >= 2, "march_rays: steps must be at least 2, got ", settings.steps);
  torch::NoGradGuard no_grad;
  const int64_t M = rays.origins.size(0), n = settings.steps;
  const auto options = rays.origins.options();
  at::Tensor d_lo, d_hi, f_lo, f_hi, crossing, first_free;
  {
    ProfileScope scope(Phase::March);
    const CubeSpan span = intersect_cube(rays, settings.cube_half_size);
    const at::Tensor near = torch::where(span.hit, span.near, torch::zeros_like(span.near));
    const at::Tensor far = torch::where(span.hit, span.far, torch::full_like(span.far, settings.depth_max));
    const at::Tensor t = torch::linspace(0, 1, n, options);
    const at::Tensor d = near.unsqueeze(1) + t.unsqueeze(0) * (far - near).unsqueeze(1);                   // (M,n)
    const at::Tensor points = (rays.origins.unsqueeze(1) + d.unsqueeze(2) * rays.directions.unsqueeze(1)).reshape({M * n, 3});
    const at::Tensor f = evaluate_in_chunks(field, points, rays.object.repeat_interleave(n), settings.chunk_points).view({M, n});
    first_free = f.select(1, 0) < 0;
    // The first sign change is the most negative of sign(f_k f_k+1) * (n - k); the last column never changes.
    const at::Tensor sign = torch::cat({torch::sign(f.slice(1, 0, n - 1) * f.slice(1, 1, n)), torch::ones({M, 1}, options)}, 1);
    const auto [cost, index] = torch::min(sign * torch::arange(n, 0, -1, options), 1, /*keepdim=*/true);
    const at::Tensor upper = index.add(1).clamp_max(n - 1);
    f_lo = f.gather(1, index).squeeze(1);
    f_hi = f.gather(1, upper).squeeze(1);
    d_lo = d.gather(1, index).squeeze(1);
    d_hi = d.gather(1, upper).squeeze(1);
    crossing = (cost.squeeze(1) < 0) & (f_lo < 0) & first_free;
  }
  ProfileScope scope(Phase::Secant);
  const at::Tensor rows = crossing.nonzero().squeeze(1);
  at::Tensor depth = torch::full({M}, std::numeric_limits<double>::infinity(), options);
  if (rows.numel() > 0) {
    const at::Tensor o = rays.origins.index_select(0, rows), w = rays.directions.index_select(0, rows);
    const at::Tensor object = rays.object.index_select(0, rows);
    at::Tensor lo = d_lo.index_select(0, rows), hi = d_hi.index_select(0, rows);
    at::Tensor flo = f_lo.index_select(0, rows), fhi = f_hi.index_select(0, rows);
    at::Tensor guess = -flo * (hi - lo) / (fhi - flo) + lo;
    for (int i = 0; i < settings.secant_steps; ++i) {
      const at::Tensor f = evaluate_in_chunks(field, o + guess.unsqueeze(1) * w, object, settings.chunk_points);
      const at::Tensor below = f < 0;
      lo = torch::where(below, guess, lo);
      flo = torch::where(below, f, flo);
      hi = torch::where(below, hi, guess);
      fhi = torch::where(below, fhi, f);
      guess = -flo * (hi - lo) / (fhi - flo) + lo;
    }
    depth.index_copy_(0, rows, guess);
  }
  MarchResult out;
  out.depth = torch::where(first_free, depth, torch::zeros_like(depth));
  out.crossing = crossing;
  return out;
}

at::Tensor differentiable_depth(const OccupancyField& field, const Rays& rays, const MarchResult& march) {
  const at::Tensor base = torch::where(march.hit(), march.depth, torch::ones_like(march.depth)).detach();
  const at::Tensor rows = march.crossing.nonzero().squeeze(1);
  if (rows.numel() == 0) return base;
  const at::Tensor o = rays.origins.index_select(0, rows), w = rays.directions.index_select(0, rows);
  const at::Tensor object = rays.object.index_select(0, rows);
  const at::Tensor d = base.index_select(0, rows);
  torch::AutoGradMode enable(true);
  const at::Tensor p = (o + d.unsqueeze(1) * w).detach().requires_grad_(true);
  const at::Tensor f = field(p, object);
  const at::Tensor grad_p = torch::autograd::grad({f.sum()}, {p}, {}, /*retain_graph=*/true)[0];
  at::Tensor slope = (grad_p * w).sum(1).detach();
  slope = torch::where(slope.abs() < 1e-3, torch::full_like(slope, 1e-3), slope);
  // Value: d. Gradient: -(∂f/∂θ) / (∇_p f · w), DVR's backward.
  const at::Tensor surrogate = d - (f - f.detach()) / slope;
  return base.index_copy(0, rows, surrogate);
}

at::Tensor field_normals(const OccupancyField& field, const at::Tensor& points, const at::Tensor& object, double h) {
  const int64_t K = points.size(0);
  const at::Tensor eye = torch::eye(3, points.options());
  const at::Tensor steps = torch::stack({eye[0], -eye[0], eye[1], -eye[1], eye[2], -eye[2]}) * (h / 2);  // (6,3)
  const at::Tensor f = field((points.unsqueeze(1) + steps.unsqueeze(0)).reshape({K * 6, 3}), object.repeat_interleave(6)).view({K, 6});
  const at::Tensor df = torch::stack({f.select(1, 0) - f.select(1, 1), f.select(1, 2) - f.select(1, 3), f.select(1, 4) - f.select(1, 5)}, 1);
  return df / df.norm(2, 1, true).clamp_min(1e-5);
}

}  // namespace dibr
