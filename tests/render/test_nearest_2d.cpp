// 2D nearest neighbours: the k-d tree against the brute force and against torch's pairwise distances.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/nearest_2d.h"

namespace dibr {
namespace {

TEST(Nearest2d, KdTreeEqualsBruteForceAndPairwiseMinimum) {
  torch::manual_seed(17);
  for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
    const auto q = torch::rand({3, 500, 2}, dtype) * 64, t = torch::rand({3, 700, 2}, dtype) * 64;
    const Nearest2d tree = nearest_2d(q, t);
    const Nearest2d brute = nearest_2d(q, t, Nearest2dAlgorithm::BruteForce);
    EXPECT_TRUE(torch::equal(tree.distance_sq, brute.distance_sq));
    EXPECT_TRUE(torch::equal(tree.index, brute.index));
    const auto d = (q.to(torch::kFloat64).unsqueeze(2) - t.to(torch::kFloat64).unsqueeze(1)).pow(2).sum(-1);
    const auto [mn, arg] = d.min(2);
    EXPECT_TRUE(torch::allclose(brute.distance_sq.to(torch::kFloat64), mn, 1e-5, 1e-4));
    EXPECT_TRUE(torch::equal(brute.index, arg));
  }
}

TEST(Nearest2d, GatheredTargetsGiveADifferentiableDistance) {
  const auto q = torch::tensor({0.0, 0.0, 5.0, 5.0}, torch::kFloat64).view({1, 2, 2}).requires_grad_(true);
  const auto t = torch::tensor({1.0, 0.0, 4.0, 5.0, 10.0, 10.0}, torch::kFloat64).view({1, 3, 2});
  const Nearest2d nn = nearest_2d(q, t);
  EXPECT_EQ(nn.index[0][0].item<int64_t>(), 0);
  EXPECT_EQ(nn.index[0][1].item<int64_t>(), 1);
  const auto matched = t.index_select(1, nn.index[0]);
  const auto loss = (q - matched).pow(2).sum();
  const auto g = torch::autograd::grad({loss}, {q})[0];
  EXPECT_TRUE(torch::allclose(g, torch::tensor({-2.0, 0.0, 2.0, 0.0}, torch::kFloat64).view({1, 2, 2})));
}

TEST(Nearest2d, BadInputIsAnError) {
  EXPECT_THROW(nearest_2d(torch::zeros({1, 3, 2}), torch::zeros({1, 0, 2})), c10::Error);
  EXPECT_THROW(nearest_2d(torch::zeros({1, 3, 2}), torch::zeros({2, 4, 2})), c10::Error);
  EXPECT_THROW(nearest_2d(torch::zeros({1, 3, 3}), torch::zeros({1, 4, 2})), c10::Error);
}

}  // namespace
}  // namespace dibr
