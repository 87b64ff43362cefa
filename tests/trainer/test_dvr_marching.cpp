// DVR's ray marching against closed forms: rays, hits and depths of analytic fields, misses, grazing rays, rays that
// start inside, chunking, and the analytic depth gradient against float64 finite differences.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "render/camera.h"
#include "trainer/methods/dvr_marching.h"
#include "trainer/methods/dvr_network.h"

namespace dibr {
namespace {

constexpr int kSize = 32;

at::Tensor all_pixels(int size) {
  const at::Tensor i = torch::arange(size * size, torch::kLong);
  return torch::stack({i.div(size, "floor"), i.remainder(size)}, 1).unsqueeze(0);  // (1,S*S,2)
}

Rays camera_rays(double azimuth, at::ScalarType type = torch::kFloat64, int size = kSize) {
  return pixel_rays(nmr_world_mat(azimuth).to(type), torch::full({1}, focal_from_fovy(kNmrFovyDegrees), type), all_pixels(size).to(torch::kLong),
                    size);
}

// First intersection of o + d w with the sphere |p| = r (inf when none in front).
at::Tensor sphere_depth(const Rays& rays, double r) {
  const at::Tensor& o = rays.origins;
  const at::Tensor& w = rays.directions;
  const at::Tensor a = (w * w).sum(1), b = 2 * (o * w).sum(1), c = (o * o).sum(1) - r * r;
  const at::Tensor disc = b * b - 4 * a * c;
  const at::Tensor d = (-b - disc.clamp_min(0).sqrt()) / (2 * a);
  return torch::where(disc > 0, d, torch::full_like(d, std::numeric_limits<double>::infinity()));
}

OccupancyField sphere_field(double r, double scale = 10) {
  return [r, scale](const at::Tensor& p, const at::Tensor&) { return scale * (r - p.norm(2, 1)); };
}

TEST(DvrRays, DepthIsTheCameraZAndTheRayMeetsItsPixelCentre) {
  const at::Tensor world = nmr_world_mat(40).to(torch::kFloat64);
  const at::Tensor pixels = torch::tensor({{{3, 5}, {16, 16}, {31, 0}}}, torch::kLong);
  const double focal = focal_from_fovy(kNmrFovyDegrees);
  const Rays r = pixel_rays(world, torch::full({1}, focal, torch::kFloat64), pixels, kSize);
  for (double d : {0.5, 2.0, 3.3}) {
    const at::Tensor p = r.origins + d * r.directions;
    const at::Tensor cam = at::matmul(p, world[0].slice(0, 0, 3).slice(1, 0, 3).t()) + world[0].slice(0, 0, 3).select(1, 3);
    EXPECT_LT((cam.select(1, 2) - d).abs().max().item<double>(), 1e-6) << cam;
    const at::Tensor x = focal * cam.select(1, 0) / cam.select(1, 2), y = -focal * cam.select(1, 1) / cam.select(1, 2);
    const at::Tensor rows = pixels[0].select(1, 0).to(torch::kFloat64), cols = pixels[0].select(1, 1).to(torch::kFloat64);
    EXPECT_LT((x - (2 * cols + 1 - kSize) / kSize).abs().max().item<double>(), 1e-6) << x;
    EXPECT_LT((y - (kSize - 2 * rows - 1) / kSize).abs().max().item<double>(), 1e-6) << y;
  }
}

TEST(DvrMarching, SphereHitsAndDepthsEqualTheClosedForm) {
  const double r = 0.35;
  const Rays rays = camera_rays(75);
  MarchSettings s;
  s.steps = 32;
  const MarchResult m = march_rays(sphere_field(r), rays, s);
  const at::Tensor exact = sphere_depth(rays, r);
  const at::Tensor exact_hit = torch::isfinite(exact);
  ASSERT_GT(exact_hit.sum().item<int64_t>(), 100);
  // Rays within a hair of the silhouette may or may not find the sphere between two samples.
  const at::Tensor agree = m.hit() == exact_hit;
  EXPECT_GT(agree.to(torch::kFloat64).mean().item<double>(), 0.98);
  const at::Tensor both = m.hit() & exact_hit;
  EXPECT_TRUE(torch::equal(m.crossing, m.hit()));
  EXPECT_LT((m.depth.masked_select(both) - exact.masked_select(both)).abs().max().item<double>(), 1e-6);
  // A ray the sphere misses by far never reports a surface.
  EXPECT_FALSE(m.hit()[0].item<bool>());
  EXPECT_TRUE(std::isinf(m.depth[0].item<double>()));
}

TEST(DvrMarching, BoxDepthsEqualTheSlabEntry) {
  const double h = 0.3;
  const OccupancyField box = [h](const at::Tensor& p, const at::Tensor&) { return 10 * (h - p.abs().amax(1)); };
  const Rays rays = camera_rays(20);
  MarchSettings s;
  s.steps = 64;
  s.secant_steps = 12;
  const MarchResult m = march_rays(box, rays, s);
  const CubeSpan exact = intersect_cube(rays, h);
  const at::Tensor both = m.hit() & exact.hit;
  ASSERT_GT(both.sum().item<int64_t>(), 100);
  EXPECT_GT((m.hit() == exact.hit).to(torch::kFloat64).mean().item<double>(), 0.98);
  EXPECT_LT((m.depth.masked_select(both) - exact.near.masked_select(both)).abs().max().item<double>(), 1e-6);
}

TEST(DvrMarching, GrazingRaysFindTheSurfaceOrNothingButNeverAWrongDepth) {
  // Parallel rays passing ever closer to the sphere's silhouette (closest approach r + miss): a found depth is the
  // closed form's, a lost one is inf.
  const double r = 0.3;
  const int64_t n = 43;
  const at::Tensor forward = torch::tensor({0.0, 0.0, -1.0}, torch::kFloat64);
  const at::Tensor side = torch::tensor({1.0, 0.0, 0.0}, torch::kFloat64);
  const at::Tensor miss = torch::linspace(-0.02, 1e-3, n, torch::kFloat64);
  Rays g;
  g.directions = forward.unsqueeze(0).expand({n, 3}).contiguous();
  g.origins = (r + miss).unsqueeze(1) * side.unsqueeze(0) - 2.732 * forward.unsqueeze(0);
  g.object = torch::zeros({n}, torch::kLong);
  MarchSettings s;
  s.steps = 16;
  const MarchResult m = march_rays(sphere_field(r), g, s);
  const at::Tensor exact = sphere_depth(g, r);
  for (int64_t i = 0; i < n; ++i) {
    if (!m.hit()[i].item<bool>()) continue;
    ASSERT_TRUE(std::isfinite(exact[i].item<double>())) << "ray " << i << " reports a surface it misses";
    EXPECT_NEAR(m.depth[i].item<double>(), exact[i].item<double>(), 1e-4) << "ray " << i;
  }
  EXPECT_TRUE(m.hit()[0].item<bool>()) << "a chord of 0.21 is longer than two samples";
  EXPECT_FALSE(m.hit()[n - 1].item<bool>());
}

TEST(DvrMarching, RaysStartingInsideGetDepthZeroAndNoGradient) {
  // A field occupied everywhere in the cube: the first sample is occupied.
  const Rays rays = camera_rays(10);
  const MarchResult m = march_rays(sphere_field(5.0), rays, MarchSettings{});
  EXPECT_TRUE(m.hit().all().item<bool>());
  EXPECT_FALSE(m.crossing.any().item<bool>());
  EXPECT_EQ(m.depth.abs().max().item<double>(), 0.0);
  // A field occupied nowhere: every ray misses, DVR's placeholder depth is 1.
  const MarchResult none = march_rays(sphere_field(-1.0), rays, MarchSettings{});
  EXPECT_FALSE(none.hit().any().item<bool>());
  const at::Tensor d = differentiable_depth(sphere_field(-1.0), rays, none);
  EXPECT_TRUE(torch::equal(d, torch::ones_like(d)));
}

TEST(DvrMarching, ChunkedMarchingGivesTheSameDepths) {
  const Rays rays = camera_rays(120, torch::kFloat32);
  MarchSettings whole, chunked;
  chunked.chunk_points = 1000;
  const OccupancyField f = sphere_field(0.3);
  const MarchResult a = march_rays(f, rays, whole), b = march_rays(f, rays, chunked);
  EXPECT_TRUE(torch::equal(a.depth, b.depth));
  EXPECT_TRUE(torch::equal(a.crossing, b.crossing));
}

TEST(DvrMarching, NormalsOfASphereFieldPointInwardAlongTheRadius) {
  const at::Tensor p = torch::randn({20, 3}, torch::kFloat64) * 0.2;
  const at::Tensor n = field_normals(sphere_field(0.3), p, torch::zeros({20}, torch::kLong));
  EXPECT_LT((n + p / p.norm(2, 1, true)).abs().max().item<double>(), 1e-4);
}

// A tiny decoder on top of a sphere, in float64: the depth's analytic gradient must equal finite differences of
// re-marched depths, for the weights and the image code alike.
TEST(DvrDepthGradient, EqualsFiniteDifferencesOfTheMarchedDepth) {
  torch::manual_seed(11);
  DvrDecoder decoder(4, 8);
  decoder->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : decoder->parameters()) p.normal_(0, 0.4);
  }
  at::Tensor code = torch::randn({1, 4}, torch::kFloat64).requires_grad_(true);
  const auto field_of = [&](const at::Tensor& c) {
    const at::Tensor features = decoder->code_features(c);
    return OccupancyField([&decoder, features](const at::Tensor& p, const at::Tensor& o) {
      return 10 * (0.3 - p.norm(2, 1)) + 0.5 * decoder->forward(p, features, o).select(1, 0);
    });
  };
  const at::Tensor pixels = torch::tensor({{{16, 16}, {14, 17}, {17, 14}, {15, 15}}}, torch::kLong);
  const Rays rays = pixel_rays(nmr_world_mat(30).to(torch::kFloat64), torch::full({1}, focal_from_fovy(kNmrFovyDegrees), torch::kFloat64),
                               pixels, kSize);
  MarchSettings s;
  s.steps = 64;
  s.secant_steps = 40;
  const at::Tensor weights = torch::tensor({1.0, -0.7, 0.4, 1.3}, torch::kFloat64);
  const auto loss_of = [&](const at::Tensor& c) {
    const OccupancyField f = field_of(c);
    const MarchResult m = march_rays(f, rays, s);
    EXPECT_GE(m.crossing.sum().item<int64_t>(), 3);
    return (differentiable_depth(f, rays, m) * weights).sum();
  };
  const at::Tensor loss = loss_of(code);
  loss.backward();

  const double eps = 1e-6;
  auto check = [&](at::Tensor param, const at::Tensor& grad, const char* name) {
    for (int64_t k = 0; k < std::min<int64_t>(param.numel(), 4); ++k) {
      const double analytic = grad.reshape({-1})[k].item<double>();
      double plus, minus;
      {
        torch::NoGradGuard no_grad;
        param.reshape({-1})[k] += eps;
      }
      plus = loss_of(code).item<double>();
      {
        torch::NoGradGuard no_grad;
        param.reshape({-1})[k] -= 2 * eps;
      }
      minus = loss_of(code).item<double>();
      {
        torch::NoGradGuard no_grad;
        param.reshape({-1})[k] += eps;
      }
      const double numeric = (plus - minus) / (2 * eps);
      EXPECT_NEAR(analytic, numeric, 1e-5 + 1e-4 * std::abs(numeric)) << name << "[" << k << "]";
    }
  };
  check(decoder->fc_p->weight, decoder->fc_p->weight.grad(), "fc_p.weight");
  check(decoder->fc_out->bias, decoder->fc_out->bias.grad(), "fc_out.bias");
  check(code, code.grad(), "code");
  EXPECT_GT(decoder->fc_p->weight.grad().abs().sum().item<double>(), 0);
}

}  // namespace
}  // namespace dibr
