#include "app/viewport_guides.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace dibr {

void LineVertices::add(glm::vec3 a, glm::vec3 b, glm::vec3 color) {
  for (const glm::vec3& p : {a, b}) {
    positions.insert(positions.end(), {p.x, p.y, p.z});
    colors.insert(colors.end(), {color.r, color.g, color.b});
  }
}

LineVertices axis_lines(float length) {
  LineVertices lines;
  lines.add(glm::vec3(0), glm::vec3(length, 0, 0), glm::vec3(0.95f, 0.25f, 0.2f));
  lines.add(glm::vec3(0), glm::vec3(0, length, 0), glm::vec3(0.3f, 0.9f, 0.3f));
  lines.add(glm::vec3(0), glm::vec3(0, 0, length), glm::vec3(0.3f, 0.5f, 1.0f));
  return lines;
}

LineVertices ground_grid(float height, int cells, float cell) {
  LineVertices lines;
  const float half = 0.5f * static_cast<float>(cells) * cell;
  for (int i = 0; i <= cells; ++i) {
    const float t = -half + static_cast<float>(i) * cell;
    const glm::vec3 color = 2 * i == cells ? glm::vec3(0.55f) : glm::vec3(0.36f);
    lines.add(glm::vec3(t, height, -half), glm::vec3(t, height, half), color);
    lines.add(glm::vec3(-half, height, t), glm::vec3(half, height, t), color);
  }
  return lines;
}

void Bounds::add(const at::Tensor& points) {
  if (!points.defined() || points.numel() == 0) return;
  if (points.dim() != 2 || points.size(1) != 3) throw std::invalid_argument("Bounds: points must be (N,3)");
  const at::Tensor p = points.detach().to(at::kCPU, at::kFloat);
  const at::Tensor mn = std::get<0>(p.min(0)), mx = std::get<0>(p.max(0));
  for (int k = 0; k < 3; ++k) {
    lo[k] = std::min(lo[k], mn[k].item<float>());
    hi[k] = std::max(hi[k], mx[k].item<float>());
  }
}

float Bounds::radius() const { return empty() ? 0.f : 0.5f * glm::length(hi - lo); }

float fit_distance(float radius, float fovy_degrees, float margin) {
  return margin * radius / std::sin(0.5f * glm::radians(fovy_degrees));
}

glm::mat4 input_camera_view(const at::Tensor& world_mat) {
  if (!world_mat.defined() || world_mat.dim() != 2 || (world_mat.size(0) != 3 && world_mat.size(0) != 4) ||
      world_mat.size(1) != 4)
    throw std::invalid_argument("input camera: world_mat must be (4,4) or (3,4)");
  const at::Tensor m = world_mat.detach().to(at::kCPU, at::kFloat).contiguous();
  const float* a = m.data_ptr<float>();
  glm::mat4 view(1.0f);
  for (int r = 0; r < m.size(0); ++r) {
    const float flip = (r == 1 || r == 2) ? -1.0f : 1.0f;  // OpenCV y down, z forward -> GL y up, z back
    for (int c = 0; c < 4; ++c) view[c][r] = flip * a[r * 4 + c];
  }
  return view;
}

glm::mat4 input_camera_projection(float focal, float near_plane, float far_plane) {
  if (!(focal > 0)) throw std::invalid_argument("input camera: the focal length must be positive");
  glm::mat4 p(0.0f);
  p[0][0] = focal;
  p[1][1] = focal;
  p[2][2] = -(far_plane + near_plane) / (far_plane - near_plane);
  p[2][3] = -1.0f;
  p[3][2] = -2.0f * far_plane * near_plane / (far_plane - near_plane);
  return p;
}

}  // namespace dibr
