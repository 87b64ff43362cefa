#include <gtest/gtest.h>

#include "app/studio_model.h"

using dibr::studio::silhouette_diff_image;

TEST(SilhouetteDiff, ColoursCodeAgreement) {
  auto pred = torch::tensor({{1.f, 1.f}, {0.f, 0.f}});
  auto gt = torch::tensor({{1.f, 0.f}, {1.f, 0.f}});
  auto d = silhouette_diff_image(pred, gt);
  ASSERT_EQ(d.sizes(), (std::vector<int64_t>{3, 2, 2}));
  auto px = [&](int y, int x) {
    return std::vector<float>{d[0][y][x].item<float>(), d[1][y][x].item<float>(), d[2][y][x].item<float>()};
  };
  EXPECT_EQ(px(0, 0), (std::vector<float>{1, 1, 1}));  // both: white
  EXPECT_EQ(px(0, 1), (std::vector<float>{1, 0, 0}));  // predicted only: red
  EXPECT_EQ(px(1, 0), (std::vector<float>{0, 1, 0}));  // GT only: green
  EXPECT_EQ(px(1, 1), (std::vector<float>{0, 0, 0}));  // neither: black
}

TEST(SilhouetteDiff, RejectsMismatchedShapes) {
  EXPECT_THROW(silhouette_diff_image(torch::zeros({4, 4}), torch::zeros({4, 5})), c10::Error);
}
