// The exact squared distance transform against the brute force, and an image without seeds.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/distance_transform.h"

namespace dibr {
namespace {

at::Tensor brute_force(const at::Tensor& mask, double threshold) {
  const int64_t H = mask.size(0), W = mask.size(1);
  auto out = torch::full({H, W}, 1e30, torch::kFloat64);
  for (int64_t r = 0; r < H; ++r)
    for (int64_t c = 0; c < W; ++c)
      for (int64_t rr = 0; rr < H; ++rr)
        for (int64_t cc = 0; cc < W; ++cc)
          if (mask[rr][cc].item<double>() >= threshold)
            out[r][c] = std::min(out[r][c].item<double>(), double((r - rr) * (r - rr) + (c - cc) * (c - cc)));
  return out;
}

TEST(DistanceTransform, EqualsTheBruteForce) {
  torch::manual_seed(19);
  const auto masks = (torch::rand({3, 13, 17}, torch::kFloat64) > 0.93).to(torch::kFloat64);
  for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
    const auto d = squared_distance_transform(masks.to(dtype), 0.5, -1.0).to(torch::kFloat64);
    for (int b = 0; b < 3; ++b) EXPECT_TRUE(torch::equal(d[b], brute_force(masks[b], 0.5))) << "image " << b;
  }
}

TEST(DistanceTransform, SingleSeedAndEmptyImage) {
  auto masks = torch::zeros({2, 5, 4}, torch::kFloat32);
  masks[0][1][2] = 0.96f;
  const auto d = squared_distance_transform(masks, 0.95, 123.0);
  EXPECT_EQ(d[0][1][2].item<float>(), 0.0f);
  EXPECT_EQ(d[0][4][0].item<float>(), 9.0f + 4.0f);
  EXPECT_EQ(d[1].min().item<float>(), 123.0f);
  EXPECT_EQ(d[1].max().item<float>(), 123.0f);
}

}  // namespace
}  // namespace dibr
