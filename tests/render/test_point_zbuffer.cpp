// DIFFER's soft z-buffer: a hand-computed pixel, uncovered pixels, float64 finite differences w.r.t. depth and
// features, no gradient to x and y, and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "render/point_zbuffer.h"
#include "test_point_kernels_util.h"

namespace dibr {
namespace {

TEST(PointZbuffer, HandComputedPixel) {
  PointZbufferSettings st;
  st.height = 5;
  st.width = 6;
  st.well_radius = 1.0;
  st.beta = 2.0;
  // Pixel (row 2, col 3) is in the wells of points 0 (x 3.4, y 2.9) and 1 (x 2.1, y 1.2), not of point 2 (x 4.6).
  const auto pts = torch::tensor({3.4, 2.9, 2.1, 1.2, 4.6, 2.0}, torch::kFloat64).view({1, 3, 2});
  const auto depth = torch::tensor({2.0, 4.0, 1.0}, torch::kFloat64).view({1, 3});
  const auto feat = torch::tensor({1.0, 0.0, 0.0, 1.0, 0.5, 0.5}, torch::kFloat64).view({1, 3, 2});
  const auto out = point_zbuffer(pts, depth, feat, st);
  const double e0 = std::exp(2.0 / 2.0), e1 = std::exp(2.0 / 4.0);
  EXPECT_NEAR(out.image[0][2][3][0].item<double>(), e0 / (e0 + e1), 1e-12);
  EXPECT_NEAR(out.image[0][2][3][1].item<double>(), e1 / (e0 + e1), 1e-12);
  EXPECT_EQ(out.coverage[0][2][3].item<double>(), 1.0);
  // Pixel (row 0, col 0) is in no well: 0, uncovered.
  EXPECT_EQ(out.image[0][0][0][0].item<double>(), 0.0);
  EXPECT_EQ(out.coverage[0][0][0].item<double>(), 0.0);
  // Pixel (row 2, col 5): only point 2 (|4.6 - 5| <= 1): its own feature.
  EXPECT_NEAR(out.image[0][2][5][0].item<double>(), 0.5, 1e-12);
}

TEST(PointZbuffer, LargeBetaStaysFiniteByTheMaxSubtraction) {
  PointZbufferSettings st;
  st.height = st.width = 4;
  st.beta = 1e4;
  const auto pts = torch::tensor({1.0, 1.0, 1.2, 1.1}, torch::kFloat32).view({1, 2, 2});
  const auto depth = torch::tensor({1.0, 1.5}, torch::kFloat32).view({1, 2});
  const auto feat = torch::tensor({0.25f, 0.75f}, torch::kFloat32).view({1, 2, 1});
  const auto out = point_zbuffer(pts, depth, feat, st);
  EXPECT_TRUE(torch::isfinite(out.image).all().item<bool>());
  EXPECT_NEAR(out.image[0][1][1][0].item<float>(), 0.25f, 1e-6);  // the nearer point wins outright
}

TEST(PointZbuffer, GradientMatchesFiniteDifferencesAndSkipsXY) {
  torch::manual_seed(7);
  PointZbufferSettings st;
  st.height = 7;
  st.width = 8;
  st.beta = 3.0;
  const auto pts = torch::rand({2, 6, 2}, torch::kFloat64) * 5 + 1;
  const auto depth = torch::rand({2, 6}, torch::kFloat64) + 1.0;
  const auto feat = torch::rand({2, 6, 3}, torch::kFloat64);
  const auto w = torch::randn({2, 7, 8, 3}, torch::kFloat64);
  test::expect_gradient_matches_finite_differences(
      [&](const at::Tensor& z) { return (point_zbuffer(pts, z, feat, st).image * w).sum(); }, depth, 1e-6, 1e-6,
      "zbuffer depth");
  test::expect_gradient_matches_finite_differences(
      [&](const at::Tensor& f) { return (point_zbuffer(pts, depth, f, st).image * w).sum(); }, feat, 1e-6, 1e-6,
      "zbuffer features");
  const auto p = pts.clone().requires_grad_(true);
  const auto g = torch::autograd::grad({(point_zbuffer(p, depth, feat, st).image * w).sum()}, {p})[0];
  EXPECT_EQ(g.abs().max().item<double>(), 0.0);
}

TEST(PointZbuffer, BadInputIsAnErrorNamingTheArgument) {
  PointZbufferSettings st;
  const auto pts = torch::zeros({1, 3, 2});
  EXPECT_THROW(point_zbuffer(pts, torch::ones({1, 2}), torch::zeros({1, 3, 3}), st), c10::Error);
  EXPECT_THROW(point_zbuffer(pts, torch::ones({1, 3}), torch::zeros({1, 3}), st), c10::Error);
  EXPECT_THROW(point_zbuffer(pts, torch::ones({1, 3}, torch::kFloat64), torch::zeros({1, 3, 3}), st), c10::Error);
  st.beta = -1;
  try {
    point_zbuffer(pts, torch::ones({1, 3}), torch::zeros({1, 3, 3}), st);
    FAIL() << "beta -1 accepted";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what()).find("beta"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dibr
