// FusedAdam against LibTorch's Adam: the same trajectory to rounding, the same state (so checkpoints load in
// either), and the stock step where the fused one does not apply.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "trainer/adam_state.h"
#include "trainer/fused_adam.h"

namespace dibr {
namespace {

void expect_same_trajectory(torch::Dtype dtype, double weight_decay, double tolerance) {
  torch::manual_seed(3);
  const auto start_a = torch::randn({1000}, dtype), start_b = torch::randn({7, 5}, dtype);
  std::vector<at::Tensor> fused_params{start_a.clone().requires_grad_(), start_b.clone().requires_grad_()};
  std::vector<at::Tensor> stock_params{start_a.clone().requires_grad_(), start_b.clone().requires_grad_()};
  const auto options = torch::optim::AdamOptions(1e-2).weight_decay(weight_decay);
  FusedAdam fused(fused_params, options);
  torch::optim::Adam stock(stock_params, options);
  for (int step = 0; step < 25; ++step) {
    const auto ga = torch::randn({1000}, dtype), gb = torch::randn({7, 5}, dtype);
    fused_params[0].mutable_grad() = ga.clone();
    fused_params[1].mutable_grad() = gb.clone();
    stock_params[0].mutable_grad() = ga.clone();
    stock_params[1].mutable_grad() = gb.clone();
    fused.step();
    stock.step();
    ASSERT_TRUE(fused.last_step_fused());
  }
  for (size_t i = 0; i < 2; ++i)
    EXPECT_TRUE(torch::allclose(fused_params[i], stock_params[i], tolerance, tolerance)) << "parameter " << i;
  // The parameters moved, and both optimisers hold the same state under the same keys.
  EXPECT_GT((fused_params[0] - start_a).abs().max().item<double>(), 0.05);
  auto& state = adam_state_of(fused.state(), fused_params[0]);
  EXPECT_EQ(state.step(), 25);
}

TEST(FusedAdam, FollowsAdamFloat32) { expect_same_trajectory(torch::kFloat32, 0.0, 1e-5); }
TEST(FusedAdam, FollowsAdamFloat64WithWeightDecay) { expect_same_trajectory(torch::kFloat64, 0.1, 1e-12); }

TEST(FusedAdam, StateDictLoadsIntoAdam) {
  torch::manual_seed(4);
  auto p = torch::randn({50}).requires_grad_();
  FusedAdam fused({p}, torch::optim::AdamOptions(1e-3));
  for (int i = 0; i < 3; ++i) {
    p.mutable_grad() = torch::randn({50});
    fused.step();
  }
  std::stringstream buffer;
  torch::save(fused, buffer);
  auto q = p.detach().clone().requires_grad_();
  torch::optim::Adam stock({q}, torch::optim::AdamOptions(1e-3));
  torch::load(stock, buffer);
  const auto& a = adam_state_of(fused.state(), p);
  const auto& b = adam_state_of(stock.state(), q);
  EXPECT_EQ(a.step(), b.step());
  EXPECT_TRUE(torch::equal(a.exp_avg(), b.exp_avg()));
  EXPECT_TRUE(torch::equal(a.exp_avg_sq(), b.exp_avg_sq()));
}

TEST(FusedAdam, AmsgradAndStridedParametersTakeTheStockStep) {
  auto p = torch::randn({4}).requires_grad_();
  p.mutable_grad() = torch::ones({4});
  FusedAdam amsgrad({p}, torch::optim::AdamOptions(1e-3).amsgrad(true));
  amsgrad.step();
  EXPECT_FALSE(amsgrad.last_step_fused());
  auto base = torch::randn({4, 4});
  auto strided = base.t().detach().requires_grad_();  // not contiguous
  strided.mutable_grad() = torch::ones({4, 4});
  FusedAdam adam({strided}, torch::optim::AdamOptions(1e-3));
  const auto before = strided.detach().clone();
  adam.step();
  EXPECT_FALSE(adam.last_step_fused());
  EXPECT_FALSE(torch::equal(strided.detach(), before));
}

}  // namespace
}  // namespace dibr
