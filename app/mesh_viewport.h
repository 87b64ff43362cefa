#pragma once
// Offscreen rendering of a coloured triangle mesh (vertex colours x headlight Lambert + ambient) with an
// optional wireframe overlay and GT point cloud, or a coloured predicted point cloud, over a ground grid with an
// axis gizmo, shown in ImGui with arcball rotate (left drag), zoom (wheel), pan (right or middle drag), reset
// (double click or reset_view()) and fit_to_view(); or seen from the input camera over the input picture.
// GL objects are created on first use, so the viewport may be constructed before the GL context; every
// other call needs the context current and the viewport must be destroyed while it still is.
#include <ATen/core/Tensor.h>
#include <glm/glm.hpp>

#include <cstdint>
#include <memory>
#include <vector>

namespace dibr {

class MeshViewport {
 public:
  MeshViewport();
  ~MeshViewport();
  MeshViewport(MeshViewport&&) noexcept;
  MeshViewport& operator=(MeshViewport&&) noexcept;

  // vertices (V,3), colors (V,3) in [0,1] (undefined: light grey), faces (F,3) integer; CPU or CUDA.
  // Throws std::invalid_argument naming the argument when a shape or index is wrong.
  void set_mesh(const at::Tensor& vertices, const at::Tensor& colors, const at::Tensor& faces);
  // The GT overlay: points (K,3), CPU or CUDA, in `colors` (K,3) in [0,1] or, undefined, in one colour; an
  // undefined or empty tensor removes them.
  void set_points(const at::Tensor& points, const at::Tensor& colors = {});
  // A predicted point cloud: points (K,3), colors (K,3) in [0,1] (undefined: light grey), CPU or CUDA, drawn as
  // shaded sprites of cloud_point_size pixels; an undefined or empty tensor removes it.
  void set_cloud(const at::Tensor& points, const at::Tensor& colors);
  void clear();  // removes the mesh, the cloud and the GT points
  bool has_mesh() const;
  bool has_cloud() const;

  // Renders into the FBO, shows it as an ImGui image of that size and handles mouse input on it.
  void draw(const char* id, float width, float height);
  // Only the offscreen part of draw(): for tests and exports. Sizes below 1 are clamped to 1.
  void render(int width, int height);
  // RGBA8 pixels of the last render(), bottom row first (glReadPixels order).
  std::vector<std::uint8_t> read_pixels() const;
  int width() const;
  int height() const;

  void reset_view();
  // Frames what is on show (prediction and GT points): the orbit centre moves to its middle and the camera
  // back until it fits. Nothing on show: reset_view().
  void fit_to_view();
  // Draws from a dataset camera instead of the orbit camera: world_mat (4,4) OpenCV world->camera, focal in NDC
  // units, over `image` (3,S,S) in [0,1] (the input picture; undefined: the usual background), the prediction at
  // overlay_opacity. The view is square. Mouse input leaves it alone; clear_input_camera() returns to the orbit.
  void set_input_camera(const at::Tensor& world_mat, float focal, const at::Tensor& image);
  void clear_input_camera();
  bool using_input_camera() const;
  void zoom(float wheel_steps);        // > 0 moves closer
  void pan(glm::vec2 pixels);          // in screen pixels of the current viewport, y down
  void rotate(glm::vec2 from, glm::vec2 to);  // a full arcball drag in arcball coordinates
  glm::mat4 view_matrix() const;

  // "CUDA-GL interop" or "host upload": how the last set_mesh/set_points reached the GPU.
  const char* upload_path() const;

  bool wireframe = false;
  bool show_points = true;
  float point_size = 3.0f;        // the GT points
  float cloud_point_size = 4.0f;  // a predicted cloud's points (the 3D view's size slider)
  float ambient = 0.25f;
  bool show_grid = true;          // a ground grid under the objects (orbit view)
  bool show_axes = true;          // the axis gizmo in the corner (x red, y green, z blue)
  float overlay_opacity = 0.6f;   // the prediction over the input picture (input camera view)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
