// End-to-end checks of docs/conventions.md: camera -> NDC -> pixel grid -> rasterizer.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "render/camera.h"
#include "render/mesh_ops.h"
#include "render/rasterize.h"
#include "render/render_mesh.h"

namespace {

// Rasterizes triangles given in NDC (B=1) with per-face constant depth; normals z from screen winding.
dibr::RasterizeOutput rasterize_ndc(const at::Tensor& tris_ndc, const at::Tensor& face_z, int height, int width) {
  const int64_t F = tris_ndc.size(0);
  auto image = tris_ndc.view({1, F, 3, 2}).to(torch::kFloat64);
  auto z = face_z.to(torch::kFloat64).view({1, F, 1}).expand({1, F, 3}).contiguous();
  auto features = torch::arange(F, torch::kFloat64).add(1).view({1, F, 1, 1}).expand({1, F, 3, 1}).contiguous();
  dibr::RasterizeSettings s;
  s.height = height;
  s.width = width;
  return dibr::dibr_rasterize(z, image, features, dibr::screen_normals_z(image), s);
}

// Small counter-clockwise triangle around an NDC point.
at::Tensor ccw_triangle_around(double x, double y, double r) {
  return torch::tensor({x - r, y - r, x + r, y - r, x, y + r}, torch::kFloat64).view({1, 3, 2});
}

TEST(Conventions, PixelCentreFormulaMatchesRasterizer) {
  const int H = 12, W = 20;  // non-square to catch a transposed grid
  auto centres = dibr::pixel_center_ndc(H, W, torch::dtype(torch::kFloat64));
  for (auto [h, w] : {std::pair{0, 0}, std::pair{3, 17}, std::pair{11, 19}, std::pair{7, 2}}) {
    const double x = centres[h][w][0].item<double>(), y = centres[h][w][1].item<double>();
    EXPECT_DOUBLE_EQ(x, (2.0 * w + 1 - W) / W);
    EXPECT_DOUBLE_EQ(y, (H - 2.0 * h - 1) / H);
    // A triangle smaller than a pixel around that centre covers exactly pixel (h,w).
    auto out = rasterize_ndc(ccw_triangle_around(x, y, 0.3 / W), torch::tensor({-2.0}), H, W);
    auto covered = out.face_index[0] >= 0;
    EXPECT_EQ(covered.sum().item<int64_t>(), 1) << h << "," << w;
    EXPECT_TRUE(covered[h][w].item<bool>()) << h << "," << w;
  }
}

TEST(Conventions, RowZeroIsTheTopAndNdcXGrowsToTheRight) {
  const int H = 16, W = 16;
  // A triangle at NDC y > 0 (up) lands in rows < H/2; at NDC x > 0 in columns >= W/2.
  auto out = rasterize_ndc(ccw_triangle_around(0.5, 0.6, 0.2), torch::tensor({-2.0}), H, W);
  auto nz = torch::nonzero(out.face_index[0] >= 0);
  ASSERT_GT(nz.size(0), 0);
  EXPECT_LT(nz.select(1, 0).max().item<int64_t>(), H / 2);
  EXPECT_GE(nz.select(1, 1).min().item<int64_t>(), W / 2);
}

TEST(Conventions, CounterClockwiseOnScreenIsFrontFacingClockwiseIsCulled) {
  auto ccw = ccw_triangle_around(0.0, 0.0, 0.5);
  auto cw = ccw.index_select(1, torch::tensor({0, 2, 1}, torch::kLong));
  EXPECT_GT(dibr::screen_normals_z(ccw.unsqueeze(0)).item<double>(), 0.0);
  EXPECT_LT(dibr::screen_normals_z(cw.unsqueeze(0)).item<double>(), 0.0);
  EXPECT_GT((rasterize_ndc(ccw, torch::tensor({-2.0}), 16, 16).face_index >= 0).sum().item<int64_t>(), 0);
  EXPECT_EQ((rasterize_ndc(cw, torch::tensor({-2.0}), 16, 16).face_index >= 0).sum().item<int64_t>(), 0);
}

TEST(Conventions, WorldTriangleWoundCounterClockwiseTowardsCameraIsVisible) {
  // A triangle in the plane z = 0 whose normal (+z) points at the azimuth-0 camera (which sits on +z).
  auto verts = torch::tensor({-0.3f, -0.3f, 0.0f, 0.3f, -0.3f, 0.0f, 0.0f, 0.3f, 0.0f}).view({1, 3, 3});
  auto faces = torch::tensor({0, 1, 2}, torch::kLong).view({1, 3});
  EXPECT_GT(dibr::face_normals(verts.unsqueeze(1))[0][0][2].item<float>(), 0.0f);
  auto focal = torch::tensor(dibr::focal_from_fovy(dibr::kNmrFovyDegrees));
  dibr::RasterizeSettings s;
  s.height = s.width = 32;
  auto colours = torch::ones({1, 3, 1});
  auto front = dibr::render_mesh(verts, faces, colours, dibr::nmr_world_mat(0.0, 0.0), focal, s);
  auto back = dibr::render_mesh(verts, faces, colours, dibr::nmr_world_mat(180.0, 0.0), focal, s);
  EXPECT_GT((front.face_index >= 0).sum().item<int64_t>(), 0);
  EXPECT_EQ((back.face_index >= 0).sum().item<int64_t>(), 0) << "seen from behind the face is culled";
}

TEST(Conventions, LargerCameraZIsNearerAndWinsTheDepthTest) {
  // Two overlapping triangles; face 1 has the larger (less negative) z so it is nearer the camera.
  auto tris = torch::cat({ccw_triangle_around(0.0, 0.0, 0.5), ccw_triangle_around(0.1, 0.0, 0.5)});
  for (auto order : {std::pair{-3.0, -2.0}, std::pair{-2.0, -3.0}}) {
    auto out = rasterize_ndc(tris, torch::tensor({order.first, order.second}), 16, 16);
    const int64_t nearer = order.first > order.second ? 0 : 1;
    EXPECT_EQ(out.face_index[0][8][8].item<int64_t>(), nearer);
    EXPECT_DOUBLE_EQ(out.features[0][8][8][0].item<double>(), nearer + 1.0);
  }
  // And the OpenGL camera frame puts the world origin at negative z, nearer points at larger z.
  auto view = dibr::opengl_view_from_opencv(dibr::nmr_world_mat(0.0));
  auto pts = torch::tensor({0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.4f}).view({1, 2, 3});  // the second is nearer the camera
  auto cam = dibr::project_vertices(pts, view, torch::tensor(1.0)).camera;
  EXPECT_LT(cam[0][0][2].item<float>(), 0.0f);
  EXPECT_GT(cam[0][1][2].item<float>(), cam[0][0][2].item<float>());
}

TEST(Conventions, SigmainvIsInInverseSquaredNdc) {
  // One uncovered pixel centre at NDC distance d from a triangle's edge: soft mask = exp(-sigmainv d^2).
  const int H = 8, W = 8;
  auto centres = dibr::pixel_center_ndc(H, W, torch::dtype(torch::kFloat64));
  const double px = centres[4][4][0].item<double>(), py = centres[4][4][1].item<double>();
  const double d = 0.01;
  // Right edge of the triangle is vertical at x = px - d, spanning well above and below the pixel.
  auto tri = torch::tensor({px - d - 0.02, py - 0.02, px - d, py - 0.02, px - d, py + 0.02}, torch::kFloat64)
                 .view({1, 3, 2});
  ASSERT_GT(dibr::screen_normals_z(tri.unsqueeze(0)).item<double>(), 0.0);
  auto out = rasterize_ndc(tri, torch::tensor({-2.0}), H, W);
  EXPECT_EQ(out.face_index[0][4][4].item<int64_t>(), -1);
  EXPECT_NEAR(out.soft_mask[0][4][4].item<double>(), std::exp(-7000.0 * d * d), 1e-9);
}

}  // namespace
