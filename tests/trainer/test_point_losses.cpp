// The pieces of the point methods' losses, by hand: DRWR's bilinear and ring reads and mask distance field,
// 2DPM's silhouette samples, and the projection of a point onto the grid.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "render/camera.h"
#include "trainer/methods/point_projection.h"

namespace dibr {
namespace {

TEST(PointLosses, BilinearReadAndRings) {
  const auto image = torch::arange(16, torch::kFloat64).view({1, 4, 4});  // value = 4 row + col
  const auto p = torch::tensor({1.25, 2.5}, torch::kFloat64).view({1, 1, 2});  // x (col) 1.25, y (row) 2.5
  EXPECT_NEAR(bilinear_read(image, p).item<double>(), 4 * 2.5 + 1.25, 1e-12);
  // Ring 1: corners at cols 0 and 3, rows 1 and 4 -> clipped to 3; the plain read's weights.
  const double v = 0.75 * 0.5 * (4 * 1 + 0) + 0.25 * 0.5 * (4 * 1 + 3) + 0.75 * 0.5 * (4 * 3 + 0) + 0.25 * 0.5 * (4 * 3 + 3);
  EXPECT_NEAR(bilinear_read(image, p, 1).item<double>(), v, 1e-12);
  // Outside the grid the point is clipped to its border.
  const auto out = torch::tensor({-3.0, 9.0}, torch::kFloat64).view({1, 1, 2});
  EXPECT_NEAR(bilinear_read(image, out).item<double>(), 12.0, 1e-12);
  // The gradient w.r.t. the point is the image's slope.
  const auto q = p.clone().requires_grad_(true);
  const auto g = torch::autograd::grad({bilinear_read(image, q).sum()}, {q})[0];
  EXPECT_NEAR(g[0][0][0].item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(g[0][0][1].item<double>(), 4.0, 1e-12);
}

TEST(PointLosses, MaskDistanceFieldAsReleased) {
  auto mask = torch::zeros({1, 64, 64}, torch::kFloat32);
  mask[0][10][10] = 1.0f;
  mask[0][10][11] = 0.5f;
  const auto s = mask_distance_field(mask);
  EXPECT_FLOAT_EQ(s[0][10][10].item<float>(), 1.0f);
  EXPECT_FLOAT_EQ(s[0][10][11].item<float>(), 0.5f);  // partial pixels keep m
  // 3 pixels at 64^2 are 6 pixels of the 128^2 render the field was defined on.
  const double expected = (220.0 - 255.0 / (64.0 * std::sqrt(2.0)) * 6.0) / 255.0;
  EXPECT_NEAR(s[0][13][10].item<float>(), expected, 1e-6);
  EXPECT_NEAR(s[0][10][9].item<float>(), (220.0 - 255.0 / (64.0 * std::sqrt(2.0)) * 2.0) / 255.0, 1e-6);
}

TEST(PointLosses, SilhouetteSamplesAreRowMajorThenToppedUpInside) {
  auto mask = torch::zeros({2, 4, 4}, torch::kFloat32);
  mask[0][1][2] = 1;
  mask[0][3][0] = 1;
  mask[0][0][3] = 0.7f;
  mask[0][2][2] = 0.5f;  // below 0.6: not silhouette
  const auto s = silhouette_samples(mask, 7, 0.6);
  EXPECT_TRUE(torch::equal(s.points[0].slice(0, 0, 3),
                           torch::tensor({3.0f, 0.0f, 2.0f, 1.0f, 0.0f, 3.0f}).view({3, 2})))
      << s.points[0];
  for (int k = 3; k < 7; ++k) {
    const float x = s.points[0][k][0].item<float>(), y = s.points[0][k][1].item<float>();
    EXPECT_GE(mask[0][int(y)][int(x)].item<float>(), 0.6f) << "sample " << k << " is outside the silhouette";
  }
  EXPECT_EQ(s.valid[0].item<float>(), 1.0f);
  EXPECT_EQ(s.valid[1].item<float>(), 0.0f);  // an empty mask
}

TEST(PointLosses, ProjectionMatchesThePixelCentreConvention) {
  // The origin is seen at the image centre by every NMR camera; grid 32 puts it between pixels 15 and 16.
  const auto g = project_points_to_grid(torch::zeros({1, 1, 3}), nmr_world_mat(40), torch::full({1}, focal_from_fovy(30)), 32);
  EXPECT_NEAR(g.pixels[0][0][0].item<float>(), 15.5f, 1e-5);
  EXPECT_NEAR(g.pixels[0][0][1].item<float>(), 15.5f, 1e-5);
  EXPECT_NEAR(g.depth[0][0].item<float>(), kNmrDistance, 1e-5);
  // A point above the origin (world y up) projects to a smaller row.
  const auto up = project_points_to_grid(torch::tensor({0.0f, 0.2f, 0.0f}).view({1, 1, 3}), nmr_world_mat(40),
                                         torch::full({1}, focal_from_fovy(30)), 32);
  EXPECT_LT(up.pixels[0][0][1].item<float>(), 15.0f);
}

}  // namespace
}  // namespace dibr
