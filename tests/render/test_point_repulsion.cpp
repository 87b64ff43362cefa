// DRWR's fused repulsion: against the dense B x N x N formula, float64 finite differences w.r.t. every input,
// and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/point_repulsion.h"
#include "test_point_kernels_util.h"

namespace dibr {
namespace {

at::Tensor dense_repulsion(const at::Tensor& p, const at::Tensor& w, const at::Tensor& b, double tau) {
  const auto d = (p.unsqueeze(2) - p.unsqueeze(1)).pow(2).sum(-1);  // (B,N,N)
  return w * (w.unsqueeze(1) * torch::exp(-d / tau + b.unsqueeze(2))).mean(2);
}

TEST(PointRepulsion, EqualsTheDenseFormula) {
  torch::manual_seed(11);
  const auto p = torch::rand({3, 200, 2}, torch::kFloat64) * 32;
  const auto w = torch::rand({3, 200}, torch::kFloat64), b = torch::rand({3, 200}, torch::kFloat64) + 3.5;
  EXPECT_TRUE(torch::allclose(point_repulsion(p, w, b, 5.0), dense_repulsion(p, w, b, 5.0), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(point_repulsion(p.to(torch::kFloat32), w.to(torch::kFloat32), b.to(torch::kFloat32), 5.0)
                                  .to(torch::kFloat64),
                              dense_repulsion(p, w, b, 5.0), 1e-4, 1e-5));
}

TEST(PointRepulsion, HandComputedPair) {
  // Two points 2 apart, tau 4: E_0 = w0 e^{b0} (w0 + w1 e^{-1}) / 2.
  const auto p = torch::tensor({0.0, 0.0, 2.0, 0.0}, torch::kFloat64).view({1, 2, 2});
  const auto w = torch::tensor({0.5, 1.0}, torch::kFloat64).view({1, 2});
  const auto b = torch::tensor({1.0, 0.0}, torch::kFloat64).view({1, 2});
  const auto e = point_repulsion(p, w, b, 4.0);
  EXPECT_NEAR(e[0][0].item<double>(), 0.5 * std::exp(1.0) * (0.5 + std::exp(-1.0)) / 2, 1e-12);
  EXPECT_NEAR(e[0][1].item<double>(), 1.0 * (0.5 * std::exp(-1.0) + 1.0) / 2, 1e-12);
}

TEST(PointRepulsion, GradientMatchesFiniteDifferences) {
  torch::manual_seed(13);
  const auto p = torch::rand({2, 7, 2}, torch::kFloat64) * 4;
  const auto w = torch::rand({2, 7}, torch::kFloat64), b = torch::rand({2, 7}, torch::kFloat64);
  const auto g = torch::randn({2, 7}, torch::kFloat64);
  test::expect_gradient_matches_finite_differences(
      [&](const at::Tensor& x) { return (point_repulsion(x, w, b, 5.0) * g).sum(); }, p, 1e-6, 1e-6, "points");
  test::expect_gradient_matches_finite_differences(
      [&](const at::Tensor& x) { return (point_repulsion(p, x, b, 5.0) * g).sum(); }, w, 1e-6, 1e-6, "weights");
  test::expect_gradient_matches_finite_differences(
      [&](const at::Tensor& x) { return (point_repulsion(p, w, x, 5.0) * g).sum(); }, b, 1e-6, 1e-6, "bias");
}

TEST(PointRepulsion, BadInputIsAnError) {
  const auto p = torch::zeros({1, 4, 2});
  EXPECT_THROW(point_repulsion(p, torch::zeros({1, 3}), torch::zeros({1, 4}), 5.0), c10::Error);
  EXPECT_THROW(point_repulsion(p, torch::zeros({1, 4}), torch::zeros({1, 4}), 0.0), c10::Error);
  EXPECT_THROW(point_repulsion(p, torch::zeros({1, 4}, torch::kFloat64), torch::zeros({1, 4}), 5.0), c10::Error);
}

}  // namespace
}  // namespace dibr
