#include "app/mesh_viewport.h"

#include <epoxy/gl.h>
#include <imgui.h>
#include <imgui_internal.h>  // SetItemUsingMouseWheel: the wheel zooms instead of scrolling the panel
#include <glm/gtc/constants.hpp>
#include <glm/gtc/matrix_transform.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "app/arcball.h"
#include "app/viewport_guides.h"
#include "app/gl_program.h"
#include "render/camera.h"
#include "render/mesh_ops.h"
#include "app/gl_tensor_buffer.h"
#include "dibr_embedded_shaders.h"

namespace dibr {
namespace {

// The NMR renderings' camera: a unit-cube object fills most of the view.
constexpr float kFovyDegrees = static_cast<float>(kNmrFovyDegrees);
constexpr float kDefaultDistance = static_cast<float>(kNmrDistance);
constexpr float kMinDistance = 0.3f, kMaxDistance = 30.0f;
constexpr float kZoomPerWheelStep = 0.85f;
const glm::vec3 kBackgroundTop(0.30f, 0.33f, 0.40f);
const glm::vec3 kBackgroundBottom(0.10f, 0.11f, 0.14f);
const glm::vec4 kWireColor(0.05f, 0.05f, 0.05f, 1.0f);
const glm::vec3 kPointColor(1.0f, 0.25f, 0.1f);  // the GT points without per-point colours
const glm::vec3 kDefaultMeshColor(0.8f, 0.8f, 0.8f);

// Seen slightly from above and from the side, like the NMR views.
glm::quat default_orientation() {
  return glm::angleAxis(glm::radians(25.0f), glm::vec3(1, 0, 0)) *
         glm::angleAxis(glm::radians(-35.0f), glm::vec3(0, 1, 0));
}

std::string shape_string(const at::Tensor& t) {
  std::string s = "(";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? "," : "") + std::to_string(t.size(i));
  return s + ")";
}

// (rows,3), or (N,3) when rows < 0.
void check_shape(const at::Tensor& t, const char* name, int64_t rows) {
  if (!t.defined()) throw std::invalid_argument(std::string("MeshViewport: ") + name + " is undefined");
  if (t.dim() != 2 || t.size(1) != 3 || (rows >= 0 && t.size(0) != rows))
    throw std::invalid_argument(std::string("MeshViewport: ") + name + " must be (" +
                                (rows >= 0 ? std::to_string(rows) : std::string("N")) + ",3), got " +
                                shape_string(t));
}

void attribute(GLuint vao, GLuint buffer, GLuint location) {
  glBindVertexArray(vao);
  glBindBuffer(GL_ARRAY_BUFFER, buffer);
  glEnableVertexAttribArray(location);
  glVertexAttribPointer(location, 3, GL_FLOAT, GL_FALSE, 3 * sizeof(float), nullptr);
}

}  // namespace

struct MeshViewport::Impl {
  Arcball arcball{default_orientation()};
  float distance = kDefaultDistance;
  glm::vec2 pan{0, 0};
  glm::vec3 target{0, 0, 0};  // the orbit centre (fit_to_view moves it)
  Bounds mesh_bounds, cloud_bounds, point_bounds;
  bool guides_stale = true;   // the grid follows the bottom of what is on show
  GLsizei axis_count = 0, grid_count = 0;
  bool input_camera = false;
  glm::mat4 input_view{1.0f}, input_projection{1.0f};
  GLuint image_texture = 0;
  bool has_image = false;
  int width = 0, height = 0;
  const char* upload_path = gl::kHostUpload;

  bool gl_ready = false;
  GLuint fbo = 0, color_texture = 0, depth_buffer = 0;
  GLuint mesh_vao = 0, points_vao = 0, cloud_vao = 0, lines_vao = 0, empty_vao = 0;
  std::unique_ptr<gl::TensorBuffer> positions, normals, colors, points, point_colors, cloud_positions, cloud_colors,
      line_positions, line_colors;
  gl::Program mesh_program, wire_program, points_program, cloud_program, background_program, lines_program, image_program;
  GLsizei corner_count = 0, point_count = 0, cloud_count = 0;

  ~Impl() { release(); }

  void ensure_gl() {
    if (gl_ready) return;
    mesh_program = gl::Program("mesh", shaders::mesh_vert, shaders::mesh_frag);
    wire_program = gl::Program("wire", shaders::wire_vert, shaders::wire_frag);
    points_program = gl::Program("points", shaders::points_vert, shaders::points_frag);
    cloud_program = gl::Program("cloud", shaders::cloud_vert, shaders::cloud_frag);
    background_program = gl::Program("background", shaders::background_vert, shaders::background_frag);
    lines_program = gl::Program("lines", shaders::lines_vert, shaders::lines_frag);
    image_program = gl::Program("image", shaders::background_vert, shaders::image_frag);
    positions = std::make_unique<gl::TensorBuffer>();
    normals = std::make_unique<gl::TensorBuffer>();
    colors = std::make_unique<gl::TensorBuffer>();
    points = std::make_unique<gl::TensorBuffer>();
    point_colors = std::make_unique<gl::TensorBuffer>();
    cloud_positions = std::make_unique<gl::TensorBuffer>();
    cloud_colors = std::make_unique<gl::TensorBuffer>();
    line_positions = std::make_unique<gl::TensorBuffer>();
    line_colors = std::make_unique<gl::TensorBuffer>();
    glGenVertexArrays(1, &mesh_vao);
    glGenVertexArrays(1, &lines_vao);
    glGenVertexArrays(1, &points_vao);
    glGenVertexArrays(1, &cloud_vao);
    glGenVertexArrays(1, &empty_vao);
    // Buffer names never change (uploads re-allocate in place), so the attribute bindings are set once.
    attribute(mesh_vao, positions->id(), 0);
    attribute(mesh_vao, normals->id(), 1);
    attribute(mesh_vao, colors->id(), 2);
    attribute(points_vao, points->id(), 0);
    attribute(points_vao, point_colors->id(), 1);
    attribute(cloud_vao, cloud_positions->id(), 0);
    attribute(cloud_vao, cloud_colors->id(), 1);
    attribute(lines_vao, line_positions->id(), 0);
    attribute(lines_vao, line_colors->id(), 1);
    glBindVertexArray(0);
    gl_ready = true;
    gl::check_error("MeshViewport: creating GL objects");
  }

  void release() {
    if (!gl_ready) return;
    gl_ready = false;
    if (!gl::context_current()) {
      // The context (and with it every GL object) is gone already: nothing to delete, just forget.
      positions.release();
      normals.release();
      colors.release();
      points.release();
      point_colors.release();
      cloud_positions.release();
      cloud_colors.release();
      line_positions.release();
      line_colors.release();
      lines_program.forget();
      image_program.forget();
      mesh_program.forget();
      wire_program.forget();
      points_program.forget();
      cloud_program.forget();
      background_program.forget();
      return;
    }
    positions.reset();
    normals.reset();
    colors.reset();
    points.reset();
    point_colors.reset();
    cloud_positions.reset();
    cloud_colors.reset();
    line_positions.reset();
    line_colors.reset();
    lines_program = {};
    image_program = {};
    if (image_texture) glDeleteTextures(1, &image_texture);
    image_texture = 0;
    has_image = false;
    mesh_program = {};
    wire_program = {};
    points_program = {};
    cloud_program = {};
    background_program = {};
    GLuint vaos[] = {mesh_vao, points_vao, cloud_vao, lines_vao, empty_vao};
    glDeleteVertexArrays(5, vaos);
    if (fbo) glDeleteFramebuffers(1, &fbo);
    if (color_texture) glDeleteTextures(1, &color_texture);
    if (depth_buffer) glDeleteRenderbuffers(1, &depth_buffer);
  }

  void resize(int w, int h) {
    if (fbo && w == width && h == height) return;
    if (!fbo) {
      glGenFramebuffers(1, &fbo);
      glGenTextures(1, &color_texture);
      glGenRenderbuffers(1, &depth_buffer);
    }
    glBindTexture(GL_TEXTURE_2D, color_texture);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glBindRenderbuffer(GL_RENDERBUFFER, depth_buffer);
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color_texture, 0);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth_buffer);
    const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    if (status != GL_FRAMEBUFFER_COMPLETE)
      throw std::runtime_error("MeshViewport: framebuffer " + std::to_string(w) + "x" + std::to_string(h) +
                               " is incomplete (status " + std::to_string(status) + ")");
    width = w;
    height = h;
  }

  glm::mat4 view() const {
    if (input_camera) return input_view;
    return glm::translate(glm::mat4(1.0f), glm::vec3(pan, -distance)) * arcball.matrix() *
           glm::translate(glm::mat4(1.0f), -target);
  }

  glm::mat4 projection() const {
    if (input_camera) return input_projection;
    const float aspect = height > 0 ? static_cast<float>(width) / static_cast<float>(height) : 1.0f;
    return glm::perspective(glm::radians(kFovyDegrees), aspect, 0.02f, 100.0f);
  }

  Bounds shown_bounds(bool with_points) const {
    Bounds b = mesh_bounds;
    for (const Bounds* other : {&cloud_bounds, with_points ? &point_bounds : nullptr}) {
      if (!other || other->empty()) continue;
      b.lo = glm::min(b.lo, other->lo);
      b.hi = glm::max(b.hi, other->hi);
    }
    return b;
  }

  // The gizmo's axes, then the grid just under the prediction (or under the unit cube of the objects' frame).
  void upload_guides() {
    if (!guides_stale) return;
    guides_stale = false;
    const Bounds b = shown_bounds(false);
    const float floor = b.empty() ? -0.5f : b.lo.y - 0.02f;
    LineVertices lines = axis_lines(1.0f);
    axis_count = lines.count();
    const LineVertices grid = ground_grid(floor, 12, 0.1f);
    lines.positions.insert(lines.positions.end(), grid.positions.begin(), grid.positions.end());
    lines.colors.insert(lines.colors.end(), grid.colors.begin(), grid.colors.end());
    grid_count = grid.count();
    const int64_t n = lines.count();
    line_positions->upload(torch::from_blob(lines.positions.data(), {n, 3}, torch::kFloat).clone());
    line_colors->upload(torch::from_blob(lines.colors.data(), {n, 3}, torch::kFloat).clone());
  }

  void draw_lines(const glm::mat4& model_view, const glm::mat4& proj, GLint first, GLsizei count) {
    lines_program.use();
    lines_program.set("u_model_view", model_view);
    lines_program.set("u_projection", proj);
    glBindVertexArray(lines_vao);
    glDrawArrays(GL_LINES, first, count);
  }

  // The axes as the camera sees them, in a square in the lower-left corner, over everything.
  void draw_gizmo() {
    const int side = std::max(24, std::min(width, height) / 6);
    glViewport(4, 4, side, side);
    glDisable(GL_DEPTH_TEST);
    const glm::mat4 rotation = glm::translate(glm::mat4(1.0f), glm::vec3(0, 0, -3)) * glm::mat4(glm::mat3(view()));
    draw_lines(rotation, glm::ortho(-1.2f, 1.2f, -1.2f, 1.2f, 0.1f, 10.0f), 0, axis_count);
    glViewport(0, 0, width, height);
  }

  void draw_scene(bool wireframe, bool show_points, float point_size, float cloud_point_size, float ambient, bool show_grid,
                  bool show_axes, float overlay_opacity) {
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_CULL_FACE);  // predicted meshes are not watertight or consistently wound
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);
    glDepthMask(GL_FALSE);
    glBindVertexArray(empty_vao);
    if (input_camera && has_image) {
      image_program.use();
      glActiveTexture(GL_TEXTURE0);
      glBindTexture(GL_TEXTURE_2D, image_texture);
      glDrawArrays(GL_TRIANGLES, 0, 3);
      glBindTexture(GL_TEXTURE_2D, 0);
    } else {
      background_program.use();
      background_program.set("u_top", kBackgroundTop);
      background_program.set("u_bottom", kBackgroundBottom);
      glDrawArrays(GL_TRIANGLES, 0, 3);
    }

    glDepthMask(GL_TRUE);
    glClear(GL_DEPTH_BUFFER_BIT);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LEQUAL);
    const glm::mat4 model_view = view(), proj = projection();
    upload_guides();
    if (show_grid && !input_camera) draw_lines(model_view, proj, axis_count, grid_count);
    if (input_camera && has_image) {
      // The prediction over the picture: a constant opacity, whatever the shaders write as alpha.
      glEnable(GL_BLEND);
      glBlendColor(0, 0, 0, overlay_opacity);
      glBlendFunc(GL_CONSTANT_ALPHA, GL_ONE_MINUS_CONSTANT_ALPHA);
    }
    // The filled triangles, pushed back a little so that the wireframe drawn on top is not z-fighting.
    const auto draw_triangles = [&] {
      glEnable(GL_POLYGON_OFFSET_FILL);
      glPolygonOffset(1.0f, 1.0f);
      mesh_program.use();
      mesh_program.set("u_model_view", model_view);
      mesh_program.set("u_projection", proj);
      mesh_program.set("u_ambient", ambient);
      glBindVertexArray(mesh_vao);
      glDrawArrays(GL_TRIANGLES, 0, corner_count);
      glDisable(GL_POLYGON_OFFSET_FILL);
    };
    if (corner_count > 0 && input_camera && has_image) {
      // Depth first, so that only the nearest surface is blended over the picture (once, not once per layer).
      glColorMask(GL_FALSE, GL_FALSE, GL_FALSE, GL_FALSE);
      draw_triangles();
      glColorMask(GL_TRUE, GL_TRUE, GL_TRUE, GL_TRUE);
    }
    if (corner_count > 0) {
      draw_triangles();
      if (wireframe) {
        wire_program.use();
        wire_program.set("u_model_view", model_view);
        wire_program.set("u_projection", proj);
        wire_program.set("u_color", kWireColor);
        glPolygonMode(GL_FRONT_AND_BACK, GL_LINE);
        glDrawArrays(GL_TRIANGLES, 0, corner_count);
        glPolygonMode(GL_FRONT_AND_BACK, GL_FILL);
      }
    }
    if (cloud_count > 0) {
      glEnable(GL_PROGRAM_POINT_SIZE);
      cloud_program.use();
      cloud_program.set("u_model_view", model_view);
      cloud_program.set("u_projection", proj);
      cloud_program.set("u_point_size", cloud_point_size);
      cloud_program.set("u_ambient", ambient);
      glBindVertexArray(cloud_vao);
      glDrawArrays(GL_POINTS, 0, cloud_count);
      glDisable(GL_PROGRAM_POINT_SIZE);
    }
    if (show_points && point_count > 0) {
      glEnable(GL_PROGRAM_POINT_SIZE);
      points_program.use();
      points_program.set("u_model_view", model_view);
      points_program.set("u_projection", proj);
      points_program.set("u_point_size", point_size);
      glBindVertexArray(points_vao);
      glDrawArrays(GL_POINTS, 0, point_count);
      glDisable(GL_PROGRAM_POINT_SIZE);
    }
    glDisable(GL_BLEND);
    if (show_axes && !input_camera) draw_gizmo();
    glBindVertexArray(0);
    glUseProgram(0);
    glDisable(GL_DEPTH_TEST);
  }
};

MeshViewport::MeshViewport() : impl_(std::make_unique<Impl>()) {}
MeshViewport::~MeshViewport() = default;
MeshViewport::MeshViewport(MeshViewport&&) noexcept = default;
MeshViewport& MeshViewport::operator=(MeshViewport&&) noexcept = default;

void MeshViewport::set_mesh(const at::Tensor& vertices, const at::Tensor& colors, const at::Tensor& faces) {
  check_shape(vertices, "vertices", -1);
  const int64_t num_vertices = vertices.size(0);
  if (colors.defined()) check_shape(colors, "colors", num_vertices);
  check_shape(faces, "faces", -1);
  if (at::isFloatingType(faces.scalar_type()))
    throw std::invalid_argument("MeshViewport: faces must hold integer vertex indices, got floating point");
  if (colors.defined() && colors.device() != vertices.device())
    throw std::invalid_argument("MeshViewport: colors and vertices are on different devices");

  at::NoGradGuard no_grad;
  const at::Tensor corners = faces.detach().to(vertices.device(), at::kLong).reshape({-1});
  if (corners.numel() > 0) {
    const int64_t lo = corners.min().item<int64_t>(), hi = corners.max().item<int64_t>();
    if (lo < 0 || hi >= num_vertices)
      throw std::invalid_argument("MeshViewport: faces index vertex " + std::to_string(lo < 0 ? lo : hi) +
                                  " but there are " + std::to_string(num_vertices) + " vertices");
  }
  impl_->ensure_gl();

  // De-indexed corners with their face's normal: flat shading without geometry shaders.
  const at::Tensor v = vertices.detach().to(at::kFloat);
  const at::Tensor corner_positions = v.index_select(0, corners).reshape({-1, 3, 3});
  const at::Tensor normals = face_normals(corner_positions.unsqueeze(0)).squeeze(0);
  const at::Tensor corner_normals = normals.unsqueeze(1).expand({-1, 3, 3});
  at::Tensor corner_colors;
  if (colors.defined()) {
    corner_colors = colors.detach().to(at::kFloat).index_select(0, corners).clamp(0.0, 1.0);
  } else {
    corner_colors = at::empty({corners.numel(), 3}, v.options());
    for (int c = 0; c < 3; ++c) corner_colors.select(1, c).fill_(kDefaultMeshColor[c]);
  }

  const char* path = impl_->positions->upload(corner_positions);
  impl_->normals->upload(corner_normals);
  impl_->colors->upload(corner_colors);
  impl_->mesh_bounds = Bounds();
  impl_->mesh_bounds.add(v);
  impl_->guides_stale = true;
  impl_->corner_count = static_cast<GLsizei>(corners.numel());
  impl_->upload_path = path;
  gl::check_error("MeshViewport::set_mesh");
}

void MeshViewport::set_points(const at::Tensor& points, const at::Tensor& colors) {
  if (!points.defined() || points.numel() == 0) {
    impl_->point_count = 0;
    impl_->point_bounds = Bounds();
    return;
  }
  if (points.dim() != 2 || points.size(1) != 3)
    throw std::invalid_argument("MeshViewport: points must be (K,3), got " + std::to_string(points.dim()) +
                                "-d with last size " + std::to_string(points.size(-1)));
  if (colors.defined()) check_shape(colors, "point colors", points.size(0));
  impl_->ensure_gl();
  at::NoGradGuard no_grad;
  at::Tensor c;
  if (colors.defined()) {
    c = colors.detach().to(points.device(), at::kFloat).clamp(0.0, 1.0).contiguous();
  } else {
    c = at::empty({points.size(0), 3}, points.options().dtype(at::kFloat));
    for (int k = 0; k < 3; ++k) c.select(1, k).fill_(kPointColor[k]);
  }
  impl_->point_colors->upload(c);
  impl_->upload_path = impl_->points->upload(points);
  impl_->point_bounds = Bounds();
  impl_->point_bounds.add(points);
  impl_->point_count = static_cast<GLsizei>(points.size(0));
  gl::check_error("MeshViewport::set_points");
}

void MeshViewport::set_cloud(const at::Tensor& points, const at::Tensor& colors) {
  if (!points.defined() || points.numel() == 0) {
    impl_->cloud_count = 0;
    impl_->cloud_bounds = Bounds();
    impl_->guides_stale = true;
    return;
  }
  check_shape(points, "cloud points", -1);
  if (colors.defined()) check_shape(colors, "cloud colors", points.size(0));
  impl_->ensure_gl();
  at::NoGradGuard no_grad;
  const at::Tensor p = points.detach().to(at::kFloat).contiguous();
  at::Tensor c;
  if (colors.defined()) {
    c = colors.detach().to(p.device(), at::kFloat).clamp(0.0, 1.0).contiguous();
  } else {
    c = at::empty_like(p);
    for (int k = 0; k < 3; ++k) c.select(1, k).fill_(kDefaultMeshColor[k]);
  }
  impl_->upload_path = impl_->cloud_positions->upload(p);
  impl_->cloud_colors->upload(c);
  impl_->cloud_count = static_cast<GLsizei>(p.size(0));
  impl_->cloud_bounds = Bounds();
  impl_->cloud_bounds.add(p);
  impl_->guides_stale = true;
  gl::check_error("MeshViewport::set_cloud");
}

void MeshViewport::clear() {
  impl_->corner_count = 0;
  impl_->point_count = 0;
  impl_->cloud_count = 0;
  impl_->mesh_bounds = impl_->cloud_bounds = impl_->point_bounds = Bounds();
  impl_->guides_stale = true;
}

bool MeshViewport::has_mesh() const { return impl_->corner_count > 0; }
bool MeshViewport::has_cloud() const { return impl_->cloud_count > 0; }

void MeshViewport::render(int width, int height) {
  impl_->ensure_gl();
  width = std::max(width, 1);
  height = std::max(height, 1);
  GLint previous_fbo = 0, previous_viewport[4] = {0, 0, 0, 0};
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previous_fbo);
  glGetIntegerv(GL_VIEWPORT, previous_viewport);

  impl_->resize(width, height);
  glBindFramebuffer(GL_FRAMEBUFFER, impl_->fbo);
  glViewport(0, 0, width, height);
  impl_->draw_scene(wireframe, show_points, point_size, cloud_point_size, ambient, show_grid, show_axes, overlay_opacity);

  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous_fbo));
  glViewport(previous_viewport[0], previous_viewport[1], previous_viewport[2], previous_viewport[3]);
  gl::check_error("MeshViewport::render");
}

std::vector<std::uint8_t> MeshViewport::read_pixels() const {
  std::vector<std::uint8_t> pixels(static_cast<size_t>(impl_->width) * impl_->height * 4);
  if (pixels.empty()) return pixels;
  GLint previous_fbo = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previous_fbo);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, impl_->fbo);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, impl_->width, impl_->height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(previous_fbo));
  gl::check_error("MeshViewport::read_pixels");
  return pixels;
}

int MeshViewport::width() const { return impl_->width; }
int MeshViewport::height() const { return impl_->height; }

void MeshViewport::draw(const char* id, float width, float height) {
  ImVec2 size(std::max(width, 1.0f), std::max(height, 1.0f));
  if (impl_->input_camera) {
    // The input picture is square; the camera does not move.
    size.x = size.y = std::min(size.x, size.y);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::Dummy(size);
    const ImGuiIO& io = ImGui::GetIO();
    const float sx = io.DisplayFramebufferScale.x > 0 ? io.DisplayFramebufferScale.x : 1.0f;
    render(static_cast<int>(size.x * sx), static_cast<int>(size.y * sx));
    ImGui::GetWindowDrawList()->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(impl_->color_texture)),
                                         origin, ImVec2(origin.x + size.x, origin.y + size.y), ImVec2(0, 1), ImVec2(1, 0));
    return;
  }
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, size,
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                             ImGuiButtonFlags_MouseButtonMiddle);
  const bool hovered = ImGui::IsItemHovered(), active = ImGui::IsItemActive();
  if (hovered) ImGui::SetItemUsingMouseWheel();

  const ImGuiIO& io = ImGui::GetIO();
  const float radius = 0.5f * std::min(size.x, size.y);
  const auto to_arcball = [&](ImVec2 m) {
    return glm::vec2((m.x - (origin.x + 0.5f * size.x)) / radius, -(m.y - (origin.y + 0.5f * size.y)) / radius);
  };
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    reset_view();
  } else if (ImGui::IsItemActivated() && ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
    impl_->arcball.begin(to_arcball(io.MousePos));
  }
  if (impl_->arcball.dragging()) {
    if (active && ImGui::IsMouseDown(ImGuiMouseButton_Left))
      impl_->arcball.drag(to_arcball(io.MousePos));
    else
      impl_->arcball.end();
  }
  // The FBO has framebuffer pixels (HiDPI: more than ImGui's logical ones); pan() works in those.
  const ImVec2 scale(io.DisplayFramebufferScale.x > 0 ? io.DisplayFramebufferScale.x : 1.0f,
                     io.DisplayFramebufferScale.y > 0 ? io.DisplayFramebufferScale.y : 1.0f);
  if (active && (ImGui::IsMouseDown(ImGuiMouseButton_Right) || ImGui::IsMouseDown(ImGuiMouseButton_Middle)))
    pan({io.MouseDelta.x * scale.x, io.MouseDelta.y * scale.y});
  if (hovered && io.MouseWheel != 0.0f) zoom(io.MouseWheel);

  render(static_cast<int>(size.x * scale.x), static_cast<int>(size.y * scale.y));
  // GL textures start at the bottom row: flip v.
  ImGui::GetWindowDrawList()->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(impl_->color_texture)),
                                       origin, ImVec2(origin.x + size.x, origin.y + size.y), ImVec2(0, 1),
                                       ImVec2(1, 0));
}

void MeshViewport::reset_view() {
  impl_->arcball.reset();
  impl_->distance = kDefaultDistance;
  impl_->pan = {0, 0};
  impl_->target = {0, 0, 0};
}

void MeshViewport::fit_to_view() {
  const Bounds b = impl_->shown_bounds(show_points);
  if (b.empty()) {
    reset_view();
    return;
  }
  impl_->target = b.centre();
  impl_->pan = {0, 0};
  impl_->distance = std::clamp(fit_distance(std::max(b.radius(), 0.01f), kFovyDegrees), kMinDistance, kMaxDistance);
}

void MeshViewport::set_input_camera(const at::Tensor& world_mat, float focal, const at::Tensor& image) {
  const glm::mat4 view = input_camera_view(world_mat);
  const glm::mat4 projection = input_camera_projection(focal);
  at::Tensor rgb;
  if (image.defined()) {
    if (image.dim() != 3 || image.size(0) != 3) throw std::invalid_argument("MeshViewport: the input image must be (3,H,W)");
    rgb = (image.detach().to(at::kCPU, at::kFloat).clamp(0, 1) * 255).round().to(at::kByte).permute({1, 2, 0}).contiguous();
  }
  impl_->ensure_gl();
  impl_->input_view = view;
  impl_->input_projection = projection;
  impl_->input_camera = true;
  impl_->has_image = rgb.defined();
  if (!rgb.defined()) return;
  if (!impl_->image_texture) glGenTextures(1, &impl_->image_texture);
  glBindTexture(GL_TEXTURE_2D, impl_->image_texture);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, static_cast<GLsizei>(rgb.size(1)), static_cast<GLsizei>(rgb.size(0)), 0, GL_RGB,
               GL_UNSIGNED_BYTE, rgb.data_ptr<std::uint8_t>());
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);  // the dataset's 64x64 pixels, not a blur
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glBindTexture(GL_TEXTURE_2D, 0);
  gl::check_error("MeshViewport::set_input_camera");
}

void MeshViewport::clear_input_camera() { impl_->input_camera = false; }
bool MeshViewport::using_input_camera() const { return impl_->input_camera; }

void MeshViewport::zoom(float wheel_steps) {
  impl_->distance = std::clamp(impl_->distance * std::pow(kZoomPerWheelStep, wheel_steps), kMinDistance, kMaxDistance);
}

void MeshViewport::pan(glm::vec2 pixels) {
  const float h = static_cast<float>(std::max(impl_->height, 1));
  const float world_per_pixel = 2.0f * impl_->distance * std::tan(glm::radians(kFovyDegrees) * 0.5f) / h;
  impl_->pan += glm::vec2(pixels.x, -pixels.y) * world_per_pixel;
}

void MeshViewport::rotate(glm::vec2 from, glm::vec2 to) {
  impl_->arcball.begin(from);
  impl_->arcball.drag(to);
  impl_->arcball.end();
}

glm::mat4 MeshViewport::view_matrix() const { return impl_->view(); }
const char* MeshViewport::upload_path() const { return impl_->upload_path; }

}  // namespace dibr
