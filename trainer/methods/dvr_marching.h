#pragma once
// DVR's differentiable ray marching (im2mesh/dvr/models/depth_function.py; seed_methods.md §4.2), for any
// occupancy field given as a function of points: the learned decoder, or an analytic shape in the tests.
//   rays     from the camera centre through a pixel centre, direction scaled so that the ray parameter d is the
//            camera z-depth (w = world(pixel at depth 1) - r0);
//   march    `steps` evaluations evenly spaced between the entry and exit of the cube padded to half-size 0.55
//            (rays that miss it: over [0, depth_max]); the first sign change from free to occupied is refined by
//            the secant method; no surface gives d = inf, an occupied first sample d = 0;
//   depth    the analytic gradient of implicit differentiation, dd/dθ = -(∇_p f · w)^-1 ∂f/∂θ with |∇_p f · w|
//            below 1e-3 replaced by +1e-3, as a surrogate expression (no custom autograd function): its value is
//            the marched depth, its gradient DVR's formula.
// The marching runs without gradient, in chunks of `chunk_points` evaluations, and synchronises with the host
// once (to gather the rays that cross) between the march and the secant loop, never inside either loop.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace dibr {

// Occupancy logits (M) at points (M,3) of objects (M) int64. The surface is logit = 0 (probability 0.5).
using OccupancyField = std::function<at::Tensor(const at::Tensor& points, const at::Tensor& object)>;

struct Rays {
  at::Tensor origins;     // (M,3)
  at::Tensor directions;  // (M,3), not normalised
  at::Tensor object;      // (M) int64
};
// Rays of the pixels (B,P,2) int64 (row, col) of B views (world_mats (B,4,4) OpenCV, focals (B) NDC) at
// image_size; ray b*P + k belongs to object b.
Rays pixel_rays(const at::Tensor& world_mats, const at::Tensor& focals, const at::Tensor& pixels, int image_size);

struct CubeSpan {
  at::Tensor near, far;  // (M) ray parameters of the entry and exit points
  at::Tensor hit;        // (M) bool: the ray meets the cube [-half, half]^3 in front of its origin
};
CubeSpan intersect_cube(const Rays& rays, double half_size);

struct MarchSettings {
  int steps = 16;
  int secant_steps = 8;
  double cube_half_size = 0.55;  // the unit cube padded by 0.1
  double depth_max = 5.0;        // depth_range [0, depth_max] for rays that miss the cube
  int64_t chunk_points = 3500000;
};

struct MarchResult {
  at::Tensor depth;     // (M): the surface's ray parameter; inf where none was found, 0 where the first sample is occupied
  at::Tensor crossing;  // (M) bool: a free-to-occupied crossing was refined (these carry the depth gradient)
  at::Tensor hit() const;  // (M) bool: finite depth (DVR's mask_pred, occupied first samples included)
};
MarchResult march_rays(const OccupancyField& field, const Rays& rays, const MarchSettings& settings);

// The marched depth with DVR's analytic gradient with respect to everything `field` depends on (network weights,
// image codes). Rays without a crossing get their marched depth with no gradient, and misses get 1 (DVR's
// placeholder), so that origin + depth * direction stays finite.
at::Tensor differentiable_depth(const OccupancyField& field, const Rays& rays, const MarchResult& march);

// Evaluates the field without gradient in chunks of at most `chunk_points` points.
at::Tensor evaluate_in_chunks(const OccupancyField& field, const at::Tensor& points, const at::Tensor& object,
                              int64_t chunk_points);

// DVR's normals: the central difference of the logit with step h (f(x + h/2) - f(x - h/2) per axis), normalised
// with a floor of 1e-5 on the norm. points (K,3) -> (K,3); differentiable.
at::Tensor field_normals(const OccupancyField& field, const at::Tensor& points, const at::Tensor& object, double h = 1e-3);

}  // namespace dibr
