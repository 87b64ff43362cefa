#include <gtest/gtest.h>
#include <torch/torch.h>

#include <stdexcept>

#include "app/distance_colors.h"

using namespace dibr::studio;

TEST(DistanceColors, BlueOnTheSurfaceRedAtTheScaleAndBeyond) {
  const at::Tensor c = distance_colormap(torch::tensor({0.f, 0.025f, 0.05f, 1.f}), 0.05f);
  ASSERT_EQ(c.sizes(), (std::vector<int64_t>{4, 3}));
  EXPECT_GT(c[0][2].item<float>(), 0.8f);  // blue
  EXPECT_LT(c[0][0].item<float>(), 0.2f);
  EXPECT_GT(c[1][1].item<float>(), 0.7f);  // green in the middle
  EXPECT_GT(c[2][0].item<float>(), 0.85f);  // red
  EXPECT_LT(c[2][2].item<float>(), 0.15f);
  EXPECT_TRUE(torch::equal(c[2], c[3])) << "farther than the scale is the same red";
  EXPECT_GE(c.min().item<float>(), 0.f);
  EXPECT_LE(c.max().item<float>(), 1.f);
  EXPECT_THROW(distance_colormap(torch::zeros({2}), 0.f), std::invalid_argument);
}

TEST(DistanceColors, EachSideIsColouredByItsOwnNearestDistance) {
  // GT: two points. The prediction: one on the first GT point, one 0.1 away from the second.
  const at::Tensor gt = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 0.f}).reshape({2, 3});
  const at::Tensor pred = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.1f, 0.f}).reshape({2, 3});
  // The surface the GT measures to: only the first predicted point (the second GT point is 1 away from it).
  const at::Tensor surface = pred.narrow(0, 0, 1);
  const DistanceColoring d = color_by_distance(pred, surface, gt, 0.05f);
  EXPECT_TRUE(torch::equal(d.prediction_colors[0], distance_colormap(torch::zeros({1}), 0.05f)[0]));
  EXPECT_TRUE(torch::equal(d.prediction_colors[1], distance_colormap(torch::ones({1}), 0.05f)[0]));
  EXPECT_TRUE(torch::equal(d.gt_colors[1], d.prediction_colors[1])) << "1 away: red as well";
  EXPECT_NEAR(d.prediction_to_gt, 0.05, 1e-6);
  EXPECT_NEAR(d.gt_to_prediction, 0.5, 1e-6);
  EXPECT_THROW(color_by_distance(pred, surface, torch::zeros({0, 3}), 0.05f), std::invalid_argument);
}
