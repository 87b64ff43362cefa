#include "app/arcball.h"

#include <cmath>

#include <glm/gtc/constants.hpp>

namespace dibr {

glm::vec3 arcball_sphere_point(glm::vec2 p) {
  const float r2 = glm::dot(p, p);
  if (r2 <= 1.0f) return {p.x, p.y, std::sqrt(1.0f - r2)};
  const glm::vec2 rim = p / std::sqrt(r2);
  return {rim.x, rim.y, 0.0f};
}

glm::quat arcball_rotation(glm::vec2 from, glm::vec2 to) {
  const glm::vec3 a = arcball_sphere_point(from);
  const glm::vec3 b = arcball_sphere_point(to);
  const float d = glm::dot(a, b);
  // Half-way quaternion: (1 + a.b, a x b) normalised is the rotation by angle(a,b) about a x b.
  // Opposite rim points (d = -1) have no unique axis; the view z axis is orthogonal to both.
  if (d < -0.999999f) return glm::angleAxis(glm::pi<float>(), glm::vec3(0, 0, 1));
  const glm::vec3 c = glm::cross(a, b);
  return glm::normalize(glm::quat(1.0f + d, c.x, c.y, c.z));
}

Arcball::Arcball(glm::quat initial) : initial_(glm::normalize(initial)), committed_(initial_) {}

void Arcball::begin(glm::vec2 p) {
  start_ = p;
  drag_ = glm::quat(1, 0, 0, 0);
  dragging_ = true;
}

void Arcball::drag(glm::vec2 p) {
  if (dragging_) drag_ = arcball_rotation(start_, p);
}

void Arcball::end() {
  if (!dragging_) return;
  committed_ = glm::normalize(drag_ * committed_);
  drag_ = glm::quat(1, 0, 0, 0);
  dragging_ = false;
}

void Arcball::reset() {
  committed_ = initial_;
  drag_ = glm::quat(1, 0, 0, 0);
  dragging_ = false;
}

void Arcball::set_initial(glm::quat initial) { initial_ = glm::normalize(initial); }

glm::quat Arcball::rotation() const { return glm::normalize(drag_ * committed_); }

glm::mat4 Arcball::matrix() const { return glm::mat4_cast(rotation()); }

}  // namespace dibr
