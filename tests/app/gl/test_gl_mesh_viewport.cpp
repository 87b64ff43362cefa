#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "app/mesh_viewport.h"
#include "gl_test_context.h"

namespace {

constexpr int kSize = 96;

// A cube of half-size `h` around the origin, outward winding, with a colour per vertex.
struct Cube {
  torch::Tensor vertices, colors, faces;
};
Cube make_cube(float h = 0.35f) {
  Cube c;
  c.vertices = torch::tensor({-h, -h, -h, h, -h, -h, h, h, -h, -h, h, -h, -h, -h, h, h, -h, h, h, h, h, -h, h, h})
                   .reshape({8, 3});
  c.colors = torch::tensor({0.9f, 0.1f, 0.1f}).expand({8, 3}).contiguous();
  c.faces = torch::tensor({0, 2, 1, 0, 3, 2, 4, 5, 6, 4, 6, 7, 0, 1, 5, 0, 5, 4,
                           2, 3, 7, 2, 7, 6, 1, 2, 6, 1, 6, 5, 0, 4, 7, 0, 7, 3},
                          torch::kLong)
                .reshape({12, 3});
  return c;
}

using Pixels = std::vector<std::uint8_t>;

const std::uint8_t* pixel(const Pixels& p, int x, int y) { return &p[(static_cast<size_t>(y) * kSize + x) * 4]; }

bool same_pixel(const Pixels& a, const Pixels& b, int x, int y) {
  const auto* pa = pixel(a, x, y);
  const auto* pb = pixel(b, x, y);
  return pa[0] == pb[0] && pa[1] == pb[1] && pa[2] == pb[2];
}

int count_different(const Pixels& a, const Pixels& b) {
  int n = 0;
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x) n += same_pixel(a, b, x, y) ? 0 : 1;
  return n;
}

class MeshViewportGl : public dibr::test::GlContext {
 protected:
  Pixels render(dibr::MeshViewport& view) {
    view.render(kSize, kSize);
    EXPECT_EQ(view.width(), kSize);
    EXPECT_EQ(view.height(), kSize);
    return view.read_pixels();
  }
};

}  // namespace

TEST_F(MeshViewportGl, MeshCoversTheCentreAndLeavesTheCornersToTheBackground) {
  dibr::MeshViewport view;
  view.show_grid = view.show_axes = false;  // the background alone (the guides have their own test)
  const Pixels background = render(view);
  ASSERT_EQ(background.size(), static_cast<size_t>(kSize) * kSize * 4);
  // The background is a gradient, not a flat clear colour.
  const auto* bottom = pixel(background, 0, 0);
  const auto* top = pixel(background, 0, kSize - 1);
  EXPECT_GT(top[2], bottom[2] + 20);

  const Cube cube = make_cube();
  view.set_mesh(cube.vertices, cube.colors, cube.faces);
  EXPECT_TRUE(view.has_mesh());
  EXPECT_STREQ(view.upload_path(), "host upload");
  const Pixels with_mesh = render(view);
  EXPECT_FALSE(same_pixel(with_mesh, background, kSize / 2, kSize / 2));
  for (int x : {0, kSize - 1})
    for (int y : {0, kSize - 1}) EXPECT_TRUE(same_pixel(with_mesh, background, x, y)) << "corner " << x << "," << y;
  // The lit mesh is red-dominant: vertex colours reach the image.
  const auto* c = pixel(with_mesh, kSize / 2, kSize / 2);
  EXPECT_GT(c[0], c[1] + 30);
  EXPECT_GT(c[0], c[2] + 30);

  view.clear();
  EXPECT_FALSE(view.has_mesh());
  EXPECT_EQ(count_different(render(view), background), 0);
}

TEST_F(MeshViewportGl, WireframeAndPointsDrawOverTheMesh) {
  dibr::MeshViewport view;
  const Cube cube = make_cube();
  view.set_mesh(cube.vertices, cube.colors, cube.faces);
  const Pixels plain = render(view);
  view.wireframe = true;
  const Pixels wire = render(view);
  EXPECT_GT(count_different(plain, wire), 20);
  view.wireframe = false;

  // A point right in front of the cube centre, towards the camera, is drawn on top.
  const glm::vec3 eye = glm::vec3(glm::inverse(view.view_matrix()) * glm::vec4(0, 0, 0, 1));
  const glm::vec3 p = glm::normalize(eye) * 0.8f;  // outside the cube (its corners are at 0.61)
  view.set_points(torch::tensor({p.x, p.y, p.z}).reshape({1, 3}));
  view.point_size = 9.0f;
  const Pixels with_point = render(view);
  const auto* c = pixel(with_point, kSize / 2, kSize / 2);
  EXPECT_FALSE(same_pixel(with_point, plain, kSize / 2, kSize / 2));
  EXPECT_GT(c[0], 200);  // the point colour is orange-red
  view.show_points = false;
  EXPECT_EQ(count_different(render(view), plain), 0);
  view.show_points = true;

  // With a colour of its own (the distance colouring), the point is drawn in it.
  view.set_points(torch::tensor({p.x, p.y, p.z}).reshape({1, 3}), torch::tensor({0.1f, 0.2f, 0.9f}).reshape({1, 3}));
  const auto* blue = pixel(render(view), kSize / 2, kSize / 2);
  EXPECT_LT(blue[0], 60);
  EXPECT_GT(blue[2], 200);
  EXPECT_THROW(view.set_points(torch::zeros({2, 3}), torch::zeros({1, 3})), std::invalid_argument);
}

TEST_F(MeshViewportGl, RotateZoomPanAndReset) {
  dibr::MeshViewport view;
  const Cube cube = make_cube();
  view.set_mesh(cube.vertices, torch::Tensor(), cube.faces);  // no colours: default grey
  view.show_grid = view.show_axes = false;
  const Pixels start = render(view);
  const auto count_background_like = [&](const Pixels& p) {
    dibr::MeshViewport empty;
    empty.show_grid = empty.show_axes = false;
    empty.render(kSize, kSize);
    const Pixels bg = empty.read_pixels();
    return kSize * kSize - count_different(p, bg);
  };
  const int background_at_start = count_background_like(start);

  view.zoom(-3.0f);  // farther away: the cube shrinks, more background
  EXPECT_GT(count_background_like(render(view)), background_at_start + 100);
  view.reset_view();
  EXPECT_EQ(count_different(render(view), start), 0);

  view.rotate({0, 0}, {0.6f, 0.2f});
  EXPECT_GT(count_different(render(view), start), 50);
  view.reset_view();
  view.pan({30, 0});  // 30 pixels right
  const Pixels panned = render(view);
  EXPECT_GT(count_different(panned, start), 50);
  view.reset_view();
  EXPECT_EQ(count_different(render(view), start), 0);
}

TEST_F(MeshViewportGl, TheGridLiesUnderTheObjectAndTheGizmoSitsInTheCorner) {
  dibr::MeshViewport view;
  const Cube cube = make_cube();
  view.set_mesh(cube.vertices, cube.colors, cube.faces);
  view.show_grid = view.show_axes = false;
  const Pixels plain = render(view);
  view.show_grid = true;
  const Pixels grid = render(view);
  int below = 0, above = 0;  // rows are bottom first: the grid shows in the lower half
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x)
      if (!same_pixel(plain, grid, x, y)) (y < kSize / 2 ? below : above)++;
  EXPECT_GT(below, 30);
  EXPECT_GT(below, 3 * above);
  view.show_grid = false;
  view.show_axes = true;
  const Pixels gizmo = render(view);
  const int side = std::max(24, kSize / 6);  // MeshViewport's gizmo square
  int corner = 0, elsewhere = 0;
  for (int y = 0; y < kSize; ++y)
    for (int x = 0; x < kSize; ++x)
      if (!same_pixel(plain, gizmo, x, y)) (x < side + 8 && y < side + 8 ? corner : elsewhere)++;
  EXPECT_GT(corner, 5);
  EXPECT_EQ(elsewhere, 0);
}

TEST_F(MeshViewportGl, FitToViewFramesAnObjectAwayFromTheOrigin) {
  dibr::MeshViewport view;
  view.show_grid = view.show_axes = false;
  Cube cube = make_cube(0.05f);
  cube.vertices = cube.vertices + torch::tensor({0.6f, 0.3f, 0.f});
  view.set_mesh(cube.vertices, cube.colors, cube.faces);
  dibr::MeshViewport empty;
  empty.show_grid = empty.show_axes = false;
  empty.render(kSize, kSize);
  const Pixels background = empty.read_pixels();
  const int small = count_different(render(view), background);
  EXPECT_TRUE(same_pixel(render(view), background, kSize / 2, kSize / 2)) << "off-centre before the fit";
  view.fit_to_view();
  const Pixels fitted = render(view);
  EXPECT_FALSE(same_pixel(fitted, background, kSize / 2, kSize / 2)) << "centred after the fit";
  EXPECT_GT(count_different(fitted, background), 10 * std::max(small, 1)) << "and filling the view";
  view.reset_view();
  EXPECT_TRUE(same_pixel(render(view), background, kSize / 2, kSize / 2));
}

TEST_F(MeshViewportGl, TheInputCameraShowsThePredictionOverThePicture) {
  dibr::MeshViewport view;
  const Cube cube = make_cube(0.2f);
  view.set_mesh(cube.vertices, cube.colors, cube.faces);
  const at::Tensor green = torch::zeros({3, 16, 16});
  green[1].fill_(1.0f);
  // A camera on the +z axis looking at the origin (OpenCV: y down, z forward).
  const at::Tensor world_mat = torch::tensor({1.f, 0.f, 0.f, 0.f, 0.f, -1.f, 0.f, 0.f, 0.f, 0.f, -1.f, 2.7f, 0.f, 0.f, 0.f, 1.f})
                                   .reshape({4, 4});
  view.set_input_camera(world_mat, 3.73f, green);
  EXPECT_TRUE(view.using_input_camera());
  view.overlay_opacity = 0.5f;
  const Pixels shown = render(view);
  const auto* corner = pixel(shown, 1, 1);
  EXPECT_LT(corner[0], 5);
  EXPECT_GT(corner[1], 250) << "the picture fills the view around the object";
  const auto* centre = pixel(shown, kSize / 2, kSize / 2);
  EXPECT_GT(centre[0], 60) << "the red cube is blended over it";
  EXPECT_GT(centre[1], 100) << "at half opacity the picture shows through";
  view.overlay_opacity = 1.0f;
  const Pixels opaque = render(view);
  EXPECT_LT(pixel(opaque, kSize / 2, kSize / 2)[1], 60);
  view.rotate({0, 0}, {0.5f, 0.5f});  // the orbit camera moves, the input camera does not
  EXPECT_EQ(count_different(render(view), opaque), 0);
  view.clear_input_camera();
  EXPECT_FALSE(view.using_input_camera());
  EXPECT_LT(pixel(render(view), 1, 1)[1], 200) << "back to the orbit view's background";
  EXPECT_THROW(view.set_input_camera(torch::eye(3), 3.7f, green), std::invalid_argument);
  EXPECT_THROW(view.set_input_camera(world_mat, 3.7f, torch::zeros({16, 16})), std::invalid_argument);
}

TEST_F(MeshViewportGl, RejectsBadShapesWithClearErrors) {
  dibr::MeshViewport view;
  const Cube cube = make_cube();
  EXPECT_THROW(view.set_mesh(cube.vertices.reshape({-1}), cube.colors, cube.faces), std::invalid_argument);
  EXPECT_THROW(view.set_mesh(cube.vertices, cube.colors.narrow(0, 0, 7), cube.faces), std::invalid_argument);
  EXPECT_THROW(view.set_mesh(cube.vertices, cube.colors, cube.faces.to(torch::kFloat)), std::invalid_argument);
  try {
    view.set_mesh(cube.vertices, cube.colors, cube.faces + 5);
    FAIL() << "out-of-range face indices were accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("faces"), std::string::npos) << e.what();
  }
  EXPECT_THROW(view.set_points(torch::zeros({4, 2})), std::invalid_argument);
  EXPECT_FALSE(view.has_mesh());
  // int32 faces and double vertices are converted.
  view.set_mesh(cube.vertices.to(torch::kDouble), cube.colors, cube.faces.to(torch::kInt));
  EXPECT_TRUE(view.has_mesh());
}
