#pragma once
// Shared by the point-kernel tests: a float64 central-difference check of one input's analytic gradient.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>

namespace dibr::test {

// loss(x) is a scalar of a float64 tensor x; compares d loss / dx (autograd) with central differences at every
// entry of x (keep x small). Fails naming the entry.
inline void expect_gradient_matches_finite_differences(const std::function<at::Tensor(const at::Tensor&)>& loss,
                                                       const at::Tensor& x0, double eps, double tol,
                                                       const std::string& what) {
  const at::Tensor x = x0.detach().clone().to(torch::kFloat64).requires_grad_(true);
  const at::Tensor analytic = torch::autograd::grad({loss(x)}, {x})[0].contiguous();
  const at::Tensor flat = x0.detach().clone().to(torch::kFloat64).contiguous();
  double largest = 0;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    at::Tensor plus = flat.clone(), minus = flat.clone();
    plus.view(-1)[i] += eps;
    minus.view(-1)[i] -= eps;
    const double numeric = (loss(plus).item<double>() - loss(minus).item<double>()) / (2 * eps);
    const double got = analytic.view(-1)[i].item<double>();
    largest = std::max(largest, std::abs(numeric));
    EXPECT_NEAR(got, numeric, tol * std::max(1.0, std::abs(numeric))) << what << " entry " << i;
  }
  EXPECT_GT(largest, 0.0) << what << ": every numeric derivative is 0, the check proves nothing";
}

}  // namespace dibr::test
