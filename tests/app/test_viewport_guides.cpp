#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "app/viewport_guides.h"
#include "render/camera.h"

using namespace dibr;

TEST(ViewportGuides, AxesAreRedGreenBlueAndTheGridLiesFlatUnderTheObjects) {
  const LineVertices axes = axis_lines(1.0f);
  ASSERT_EQ(axes.count(), 6);
  EXPECT_EQ(axes.positions[3], 1.0f);  // the first segment ends at (1,0,0)
  EXPECT_GT(axes.colors[0], 0.8f);     // red
  EXPECT_GT(axes.colors[3 * 2 + 1], 0.8f);  // the second segment (y) is green
  EXPECT_GT(axes.colors[3 * 4 + 2], 0.8f);  // the third (z) is blue

  const LineVertices grid = ground_grid(-0.4f, 12, 0.1f);
  ASSERT_EQ(grid.count(), 13 * 2 * 2);
  float extent = 0;
  for (int i = 0; i < grid.count(); ++i) {
    EXPECT_FLOAT_EQ(grid.positions[3 * i + 1], -0.4f);
    extent = std::max(extent, std::abs(grid.positions[3 * i]));
  }
  EXPECT_NEAR(extent, 0.6f, 1e-6);
}

TEST(ViewportGuides, BoundsAndFitDistanceFrameWhatIsOnShow) {
  Bounds b;
  EXPECT_TRUE(b.empty());
  EXPECT_EQ(b.radius(), 0.f);
  b.add(at::Tensor());
  EXPECT_TRUE(b.empty());
  b.add(torch::tensor({1.f, 2.f, 3.f, 3.f, 2.f, 1.f}).reshape({2, 3}));
  b.add(torch::tensor({2.f, 0.f, 2.f}).reshape({1, 3}));
  EXPECT_FALSE(b.empty());
  EXPECT_EQ(b.centre(), glm::vec3(2, 1, 2));
  EXPECT_NEAR(b.radius(), 0.5f * std::sqrt(4.f + 4.f + 4.f), 1e-6);
  EXPECT_THROW(b.add(torch::zeros({3, 2})), std::invalid_argument);
  // A sphere of radius r at the fit distance spans the view's half angle (times the margin).
  const float d = fit_distance(0.5f, 30.0f, 1.0f);
  EXPECT_NEAR(std::asin(0.5f / d), glm::radians(15.0f), 1e-6);
  EXPECT_GT(fit_distance(0.5f, 30.0f), d);
}

TEST(ViewportGuides, TheInputCameraProjectsLikeTheRenderersCamera) {
  torch::manual_seed(2);
  const at::Tensor world_mats = nmr_world_mat(40.0, 30.0).to(torch::kFloat);  // (1,4,4)
  const at::Tensor world_mat = world_mats[0];
  const float focal = static_cast<float>(focal_from_fovy(kNmrFovyDegrees));
  const at::Tensor points = torch::rand({20, 3}) - 0.5;
  const at::Tensor expected = project_vertices(points.unsqueeze(0), opengl_view_from_opencv(world_mats),
                                               torch::tensor({focal}))
                                  .ndc[0];
  const glm::mat4 pv = input_camera_projection(focal) * input_camera_view(world_mat);
  for (int i = 0; i < 20; ++i) {
    const glm::vec4 clip = pv * glm::vec4(points[i][0].item<float>(), points[i][1].item<float>(), points[i][2].item<float>(), 1);
    EXPECT_NEAR(clip.x / clip.w, expected[i][0].item<float>(), 1e-5) << i;
    EXPECT_NEAR(clip.y / clip.w, expected[i][1].item<float>(), 1e-5) << i;
    EXPECT_GT(clip.w, 0) << "in front of the camera";
  }
  EXPECT_NO_THROW(input_camera_view(world_mat.narrow(0, 0, 3)));
  EXPECT_THROW(input_camera_view(torch::eye(3)), std::invalid_argument);
  EXPECT_THROW(input_camera_projection(0), std::invalid_argument);
}
