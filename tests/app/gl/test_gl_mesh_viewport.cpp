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
}

TEST_F(MeshViewportGl, RotateZoomPanAndReset) {
  dibr::MeshViewport view;
  const Cube cube = make_cube();
  view.set_mesh(cube.vertices, torch::Tensor(), cube.faces);  // no colours: default grey
  const Pixels start = render(view);
  const auto count_background_like = [&](const Pixels& p) {
    dibr::MeshViewport empty;
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
