// CAPNet's Gaussian point splat: a hand-computed pixel, the truncation against the dense sum, float64 finite
// differences, and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "render/point_splat.h"
#include "test_point_kernels_util.h"

namespace dibr {
namespace {

// Every point on every pixel: B x N x H x W, CAPNet's own formulation.
at::Tensor dense_density(const at::Tensor& points, int H, int W, double sigma_sq) {
  const auto cols = torch::arange(W, points.options()).view({1, 1, 1, W});
  const auto rows = torch::arange(H, points.options()).view({1, 1, H, 1});
  const auto x = points.select(2, 0).unsqueeze(-1).unsqueeze(-1), y = points.select(2, 1).unsqueeze(-1).unsqueeze(-1);
  return (torch::exp(-(x - cols).pow(2) / (2 * sigma_sq)) * torch::exp(-(y - rows).pow(2) / (2 * sigma_sq))).sum(1);
}

TEST(PointSplat, HandComputedPixel) {
  PointSplatSettings st;
  st.height = 4;
  st.width = 5;
  st.sigma_sq = 0.4;
  // Points at (x 2.3, y 1.6) and (x 1.0, y 1.0); pixel (row 1, col 2).
  const auto pts = torch::tensor({2.3, 1.6, 1.0, 1.0}, torch::kFloat64).view({1, 2, 2});
  const auto density = point_splat_density(pts, st);
  const double g1 = std::exp(-0.3 * 0.3 / 0.8) * std::exp(-0.6 * 0.6 / 0.8);
  const double g2 = std::exp(-1.0 / 0.8) * std::exp(0.0);
  EXPECT_NEAR(density[0][1][2].item<double>(), g1 + g2, 1e-12);
  EXPECT_NEAR(point_splat_mask(pts, st)[0][1][2].item<double>(), std::tanh(g1 + g2), 1e-12);
}

TEST(PointSplat, TruncatedSumIsWithin1e3OfTheDenseSum) {
  torch::manual_seed(3);
  PointSplatSettings st;
  st.height = st.width = 64;
  st.sigma_sq = 0.5;
  // 1024 points crowded into a 20-pixel square: many tails overlap every pixel near it.
  const auto pts = torch::rand({2, 1024, 2}, torch::kFloat64) * 20 + 20;
  const auto truncated = point_splat_mask(pts, st);
  const auto dense = torch::tanh(dense_density(pts, 64, 64, st.sigma_sq));
  EXPECT_LT((truncated - dense).abs().max().item<double>(), 1e-3);
  EXPECT_GT(truncated.max().item<double>(), 0.99);
  EXPECT_GT(point_splat_radius(st), 2.0);
}

TEST(PointSplat, PointsOffTheImageAddNothingAndFloat32MatchesFloat64) {
  PointSplatSettings st;
  st.height = st.width = 16;
  const auto pts = torch::tensor({-30.0, 4.0, 4.0, 1e9, 7.5, 7.5, std::nan(""), 3.0}, torch::kFloat64).view({1, 4, 2});
  const auto d64 = point_splat_density(pts, st);
  const auto only = point_splat_density(pts.narrow(1, 2, 1), st);
  EXPECT_TRUE(torch::allclose(d64, only, 0, 1e-15));
  EXPECT_TRUE(torch::allclose(point_splat_density(pts.to(torch::kFloat32), st).to(torch::kFloat64), d64, 1e-5, 1e-6));
}

TEST(PointSplat, GradientMatchesFiniteDifferences) {
  torch::manual_seed(5);
  PointSplatSettings st;
  st.height = 9;
  st.width = 11;
  st.sigma_sq = 0.4;
  const auto pts = torch::rand({2, 5, 2}, torch::kFloat64) * 7 + 1;
  const auto w = torch::randn({2, 9, 11}, torch::kFloat64);
  test::expect_gradient_matches_finite_differences(
      [&](const at::Tensor& x) { return (point_splat_mask(x, st) * w).sum(); }, pts, 1e-6, 1e-6, "splat points");
}

TEST(PointSplat, BadInputIsAnErrorNamingTheArgument) {
  PointSplatSettings st;
  EXPECT_THROW(point_splat_density(torch::zeros({2, 3}), st), c10::Error);
  EXPECT_THROW(point_splat_density(torch::zeros({1, 3, 3}), st), c10::Error);
  EXPECT_THROW(point_splat_density(torch::zeros({1, 3, 2}, torch::kInt), st), c10::Error);
  st.sigma_sq = 0;
  try {
    point_splat_density(torch::zeros({1, 3, 2}), st);
    FAIL() << "sigma_sq 0 accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("sigma_sq"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dibr
