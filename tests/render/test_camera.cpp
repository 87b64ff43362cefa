#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "render/camera.h"

namespace {

constexpr double kPi = 3.14159265358979323846;

dibr::ProjectedVertices project_world_point(double x, double y, double z, double azimuth = 0.0) {
  auto view = dibr::opengl_view_from_opencv(dibr::nmr_world_mat(azimuth));
  auto point = torch::tensor({x, y, z}, torch::kFloat32).view({1, 1, 3});
  return dibr::project_vertices(point, view, torch::tensor(dibr::focal_from_fovy(dibr::kNmrFovyDegrees)));
}

TEST(Camera, FocalFromFovyMatchesNmr) {
  EXPECT_NEAR(dibr::focal_from_fovy(30.0), 1.0 / std::tan(15.0 * kPi / 180.0), 1e-12);
  EXPECT_NEAR(dibr::focal_from_fovy(30.0), 3.7320508, 1e-6);
  EXPECT_NEAR(dibr::focal_from_fovy(90.0), 1.0, 1e-12);
  EXPECT_THROW(dibr::focal_from_fovy(0.0), std::invalid_argument);
  auto K = dibr::nmr_camera_mat();
  ASSERT_EQ(K.sizes(), (at::IntArrayRef{1, 4, 4}));
  auto expected = torch::diag(torch::tensor({3.7320508f, 3.7320508f, 1.0f, 1.0f})).unsqueeze(0);
  EXPECT_TRUE(torch::allclose(K, expected, 1e-5, 1e-6));
}

TEST(Camera, OriginProjectsToImageCentreInFrontOfCamera) {
  for (double azimuth : {0.0, 15.0, 90.0, 345.0}) {
    auto p = project_world_point(0, 0, 0, azimuth);
    EXPECT_NEAR(p.ndc[0][0][0].item<float>(), 0.0f, 1e-5) << azimuth;
    EXPECT_NEAR(p.ndc[0][0][1].item<float>(), 0.0f, 1e-5) << azimuth;
    EXPECT_NEAR(p.camera[0][0][2].item<float>(), -dibr::kNmrDistance, 1e-5) << "in front = negative z";
  }
}

TEST(Camera, WorldUpProjectsToUpperHalf) {
  auto p = project_world_point(0, 0.3, 0);
  const float y_ndc = p.ndc[0][0][1].item<float>();
  EXPECT_GT(y_ndc, 0.0f);
  EXPECT_GT(p.camera[0][0][1].item<float>(), 0.0f) << "OpenGL camera y is up";
  const auto [row, col] = dibr::ndc_to_pixel(p.ndc[0][0][0].item<float>(), y_ndc, 64, 64);
  EXPECT_LT(row, 31.5);
  EXPECT_NEAR(col, 31.5, 1e-3);
}

TEST(Camera, CameraRightProjectsToPositiveNdcX) {
  // At azimuth 0 the camera sits on +z looking towards -z, so world +x is to its right.
  auto p = project_world_point(0.3, 0, 0);
  EXPECT_GT(p.ndc[0][0][0].item<float>(), 0.0f);
  EXPECT_NEAR(p.ndc[0][0][1].item<float>(), 0.0f, 0.05f);
  // At azimuth 90 the camera sits on +x, so world -z is to its right.
  auto q = project_world_point(0, 0, -0.3, 90.0);
  EXPECT_GT(q.ndc[0][0][0].item<float>(), 0.0f);
  // The OpenCV world_mat agrees: x right means x_cam > 0 there too.
  auto cv = torch::matmul(dibr::nmr_world_mat(0.0)[0], torch::tensor({0.3f, 0.0f, 0.0f, 1.0f}));
  EXPECT_GT(cv[0].item<float>(), 0.0f);
  EXPECT_GT(cv[2].item<float>(), 0.0f) << "OpenCV z is forward";
}

TEST(Camera, NmrRigDistanceElevationAzimuth) {
  for (int view = 0; view < dibr::kNmrViewsPerObject; ++view) {
    auto M = dibr::nmr_world_mat(15.0 * view);
    auto R = M[0].slice(0, 0, 3).slice(1, 0, 3);
    EXPECT_TRUE(torch::allclose(torch::matmul(R, R.t()), torch::eye(3), 1e-5, 1e-5)) << "rotation, view " << view;
    EXPECT_NEAR(torch::det(R).item<float>(), 1.0f, 1e-5);
    EXPECT_TRUE(torch::allclose(M[0][3], torch::tensor({0.0f, 0.0f, 0.0f, 1.0f})));
    auto c = dibr::camera_center_from_world_mat(M)[0];
    const double x = c[0].item<float>(), y = c[1].item<float>(), z = c[2].item<float>();
    const double dist = std::sqrt(x * x + y * y + z * z);
    EXPECT_NEAR(dist, 2.732, 1e-4) << view;
    EXPECT_NEAR(std::asin(y / dist) * 180.0 / kPi, 30.0, 1e-3) << view;
    double azimuth = std::atan2(x, z) * 180.0 / kPi;
    if (azimuth < -1e-3) azimuth += 360.0;
    EXPECT_NEAR(azimuth, 15.0 * view, 1e-3) << view;
    // OpenCV z axis (third row of R) looks at the origin.
    auto forward = R[2];
    auto to_origin = -c / dist;
    EXPECT_TRUE(torch::allclose(forward, to_origin, 1e-5, 1e-5)) << view;
  }
}

TEST(Camera, OpenglViewFlipsRowsOneAndTwo) {
  auto M = torch::arange(32, torch::kFloat64).view({2, 4, 4});
  auto G = dibr::opengl_view_from_opencv(M);
  ASSERT_EQ(G.sizes(), M.sizes());
  EXPECT_TRUE(torch::equal(G.select(1, 0), M.select(1, 0)));
  EXPECT_TRUE(torch::equal(G.select(1, 1), -M.select(1, 1)));
  EXPECT_TRUE(torch::equal(G.select(1, 2), -M.select(1, 2)));
  EXPECT_TRUE(torch::equal(G.select(1, 3), M.select(1, 3)));
  EXPECT_TRUE(torch::equal(G, torch::matmul(torch::diag(torch::tensor({1.0, -1.0, -1.0, 1.0}, torch::kFloat64)), M)));
  EXPECT_THROW(dibr::opengl_view_from_opencv(torch::zeros({4, 4})), c10::Error);
}

TEST(Camera, PixelCentreFormula) {
  auto centres = dibr::pixel_center_ndc(4, 8, torch::dtype(torch::kFloat64));
  ASSERT_EQ(centres.sizes(), (at::IntArrayRef{4, 8, 2}));
  // Pixel (0,0) is the top-left: NDC x = (1-8)/8, y = (4-1)/4.
  EXPECT_DOUBLE_EQ(centres[0][0][0].item<double>(), -7.0 / 8.0);
  EXPECT_DOUBLE_EQ(centres[0][0][1].item<double>(), 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(centres[3][7][0].item<double>(), 7.0 / 8.0);
  EXPECT_DOUBLE_EQ(centres[3][7][1].item<double>(), -3.0 / 4.0);
  for (int h = 0; h < 4; ++h) {
    for (int w = 0; w < 8; ++w) {
      const auto [row, col] =
          dibr::ndc_to_pixel(centres[h][w][0].item<double>(), centres[h][w][1].item<double>(), 4, 8);
      EXPECT_NEAR(row, h, 1e-12);
      EXPECT_NEAR(col, w, 1e-12);
    }
  }
  // Image edges are at NDC +-1.
  EXPECT_NEAR(dibr::ndc_to_pixel(-1.0, 1.0, 4, 8).first, -0.5, 1e-12);
  EXPECT_NEAR(dibr::ndc_to_pixel(-1.0, 1.0, 4, 8).second, -0.5, 1e-12);
}

TEST(Camera, ProjectVerticesBatchedFocalAndGradients) {
  auto views = dibr::opengl_view_from_opencv(torch::cat({dibr::nmr_world_mat(0.0), dibr::nmr_world_mat(30.0)}));
  auto verts = (torch::rand({2, 5, 3}, torch::kFloat64) - 0.5).requires_grad_(true);
  auto focal = torch::tensor({2.0, 4.0}, torch::kFloat64);
  auto p = dibr::project_vertices(verts, views, focal);
  ASSERT_EQ(p.camera.sizes(), (at::IntArrayRef{2, 5, 3}));
  ASSERT_EQ(p.ndc.sizes(), (at::IntArrayRef{2, 5, 2}));
  EXPECT_EQ(p.ndc.scalar_type(), torch::kFloat64);
  // Manual projection of one vertex of the second batch element.
  auto v = verts[1][2].detach();
  auto cam = torch::matmul(views[1].slice(0, 0, 3).slice(1, 0, 3).to(torch::kFloat64), v) +
             views[1].slice(0, 0, 3).select(1, 3).to(torch::kFloat64);
  EXPECT_NEAR(p.ndc[1][2][0].item<double>(), 4.0 * cam[0].item<double>() / -cam[2].item<double>(), 1e-6);
  EXPECT_NEAR(p.ndc[1][2][1].item<double>(), 4.0 * cam[1].item<double>() / -cam[2].item<double>(), 1e-6);
  p.ndc.sum().backward();
  ASSERT_TRUE(verts.grad().defined());
  EXPECT_TRUE(torch::isfinite(verts.grad()).all().item<bool>());
  EXPECT_GT(verts.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
