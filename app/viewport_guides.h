#pragma once
// What the 3D view draws besides the prediction, as plain geometry (tested without GL): a ground grid under the
// objects, the axes of the corner gizmo, the bounds that fit-to-view frames, and the input camera's matrices.
#include <ATen/core/Tensor.h>
#include <glm/glm.hpp>

#include <vector>

namespace dibr {

// Line segments: two vertices each, xyz and rgb per vertex.
struct LineVertices {
  std::vector<float> positions, colors;
  int count() const { return static_cast<int>(positions.size() / 3); }
  void add(glm::vec3 a, glm::vec3 b, glm::vec3 color);
};

// The three axes from the origin, `length` long: x red, y green, z blue (6 vertices, in that order).
LineVertices axis_lines(float length);
// A square grid in the plane y = height, centred on the origin, `cells` per side of `cell` size (grey; the two
// lines through the centre lighter).
LineVertices ground_grid(float height, int cells, float cell);

// Axis-aligned bounds of what is on show.
struct Bounds {
  glm::vec3 lo{1e30f}, hi{-1e30f};
  bool empty() const { return lo.x > hi.x; }
  void add(const at::Tensor& points);  // (N,3), any device; an undefined or empty tensor adds nothing
  glm::vec3 centre() const { return empty() ? glm::vec3(0) : 0.5f * (lo + hi); }
  float radius() const;  // of the bounding sphere; 0 when empty
};

// The camera distance at which a sphere of `radius` fills a view of `fovy_degrees` (with a margin).
float fit_distance(float radius, float fovy_degrees, float margin = 1.1f);

// A dataset camera in GL terms: world_mat (4,4) or (3,4) OpenCV world->camera (NMR cameras.npz) -> GL world->camera (rows y
// and z negated); the projection of a pinhole with `focal` in NDC units (render/camera.h) on a square image.
glm::mat4 input_camera_view(const at::Tensor& world_mat);
glm::mat4 input_camera_projection(float focal, float near_plane = 0.02f, float far_plane = 100.0f);

}  // namespace dibr
