#include "render/camera.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace dibr {
namespace {

constexpr double kPi = 3.14159265358979323846;

double radians(double degrees) { return degrees * kPi / 180.0; }

void check_batched_mat4(const at::Tensor& m, const char* name) {
  TORCH_CHECK(m.defined() && m.dim() == 3 && m.size(1) == 4 && m.size(2) == 4, "camera: ", name,
              " must be (B,4,4), got ", m.defined() ? m.sizes() : at::IntArrayRef{});
}

}  // namespace

double focal_from_fovy(double fovy_degrees) {
  if (!(fovy_degrees > 0.0 && fovy_degrees < 180.0))
    throw std::invalid_argument("focal_from_fovy: fovy_degrees must be in (0,180), got " +
                                std::to_string(fovy_degrees));
  return 1.0 / std::tan(radians(fovy_degrees) / 2.0);
}

at::Tensor opengl_view_from_opencv(const at::Tensor& world_mat) {
  check_batched_mat4(world_mat, "world_mat");
  // OpenCV (y down, z forward) -> OpenGL (y up, looking down -z): negate the y and z rows.
  auto flip = torch::tensor({1.0, -1.0, -1.0, 1.0}, world_mat.options()).view({1, 4, 1});
  return world_mat * flip;
}

at::Tensor nmr_world_mat(double azimuth_degrees, double elevation_degrees, double distance) {
  if (!(distance > 0.0))
    throw std::invalid_argument("nmr_world_mat: distance must be > 0, got " + std::to_string(distance));
  if (!(std::abs(elevation_degrees) < 90.0))
    throw std::invalid_argument("nmr_world_mat: |elevation_degrees| must be < 90 (world y is up), got " +
                                std::to_string(elevation_degrees));
  const double az = radians(azimuth_degrees), el = radians(elevation_degrees);
  const double eye[3] = {distance * std::cos(el) * std::sin(az), distance * std::sin(el),
                         distance * std::cos(el) * std::cos(az)};
  // OpenCV axes in world coordinates: forward looks at the origin, right = forward x up, down = forward x right.
  double fwd[3] = {-eye[0] / distance, -eye[1] / distance, -eye[2] / distance};
  double right[3] = {-fwd[2], 0.0, fwd[0]};  // fwd x (0,1,0)
  const double rn = std::sqrt(right[0] * right[0] + right[2] * right[2]);
  right[0] /= rn;
  right[2] /= rn;
  const double down[3] = {fwd[1] * right[2] - fwd[2] * right[1], fwd[2] * right[0] - fwd[0] * right[2],
                          fwd[0] * right[1] - fwd[1] * right[0]};
  const double* rows[3] = {right, down, fwd};
  auto m = torch::eye(4, torch::kFloat32);
  auto a = m.accessor<float, 2>();
  for (int r = 0; r < 3; ++r) {
    double t = 0.0;
    for (int c = 0; c < 3; ++c) {
      a[r][c] = static_cast<float>(rows[r][c]);
      t -= rows[r][c] * eye[c];
    }
    a[r][3] = static_cast<float>(t);
  }
  return m.unsqueeze(0);
}

at::Tensor nmr_camera_mat(double fovy_degrees) {
  const float f = static_cast<float>(focal_from_fovy(fovy_degrees));
  return torch::diag(torch::tensor({f, f, 1.0f, 1.0f})).unsqueeze(0);
}

at::Tensor camera_center_from_world_mat(const at::Tensor& world_mat) {
  check_batched_mat4(world_mat, "world_mat");
  auto R = world_mat.slice(1, 0, 3).slice(2, 0, 3);
  auto t = world_mat.slice(1, 0, 3).slice(2, 3, 4);
  return -at::matmul(R.transpose(1, 2), t).squeeze(-1);
}

ProjectedVertices project_vertices(const at::Tensor& vertices, const at::Tensor& view, const at::Tensor& focal) {
  TORCH_CHECK(vertices.defined() && vertices.dim() == 3 && vertices.size(2) == 3,
              "project_vertices: vertices must be (B,V,3), got ",
              vertices.defined() ? vertices.sizes() : at::IntArrayRef{});
  check_batched_mat4(view, "view");
  TORCH_CHECK(view.size(0) == vertices.size(0) || view.size(0) == 1 || vertices.size(0) == 1,
              "project_vertices: batch of vertices (", vertices.size(0), ") and view (", view.size(0),
              ") differ");
  TORCH_CHECK(focal.defined() && (focal.dim() == 0 || (focal.dim() == 1 && (focal.size(0) == 1 ||
                                                                           focal.size(0) == view.size(0)))),
              "project_vertices: focal must be a scalar or (B) tensor");
  auto v = view.to(vertices.options());
  auto R = v.slice(1, 0, 3).slice(2, 0, 3);  // (B,3,3)
  auto t = v.slice(1, 0, 3).slice(2, 3, 4).transpose(1, 2);  // (B,1,3)
  auto camera = at::matmul(vertices, R.transpose(1, 2)) + t;
  auto f = focal.to(vertices.options()).reshape({-1, 1, 1});
  auto z = camera.slice(2, 2, 3);
  auto ndc = f * camera.slice(2, 0, 2) / (-z);
  return {camera, ndc};
}

at::Tensor pixel_center_ndc(int64_t height, int64_t width, const at::TensorOptions& options) {
  TORCH_CHECK(height > 0 && width > 0, "pixel_center_ndc: height and width must be > 0");
  auto h = torch::arange(height, options);
  auto w = torch::arange(width, options);
  auto y = (static_cast<double>(height) - 2.0 * h - 1.0) / static_cast<double>(height);
  auto x = (2.0 * w + 1.0 - static_cast<double>(width)) / static_cast<double>(width);
  auto grid_y = y.view({height, 1}).expand({height, width});
  auto grid_x = x.view({1, width}).expand({height, width});
  return torch::stack({grid_x, grid_y}, -1);
}

std::pair<double, double> ndc_to_pixel(double x_ndc, double y_ndc, int64_t height, int64_t width) {
  // Inverse of the pixel-centre formula: (row, col) as continuous coordinates, centres at integers.
  const double col = (x_ndc * width + width - 1.0) / 2.0;
  const double row = (height - 1.0 - y_ndc * height) / 2.0;
  return {row, col};
}

}  // namespace dibr
