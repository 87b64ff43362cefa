#pragma once
// Ken Shoemake's arcball (Graphics Interface 1992): a drag between two points of the viewport rotates
// the unit sphere under the cursor so that the grabbed point follows the cursor. Pure math, no GL.
// Points are in arcball coordinates: centre of the viewport at (0,0), radius 1 = half the smaller side,
// x right, y up.
#include <glm/glm.hpp>
#include <glm/gtc/quaternion.hpp>

namespace dibr {

// The point of the unit sphere under `p`; outside the unit disc, the nearest point on its rim (z = 0).
glm::vec3 arcball_sphere_point(glm::vec2 p);
// The shortest rotation taking the sphere point under `from` to the sphere point under `to`.
glm::quat arcball_rotation(glm::vec2 from, glm::vec2 to);

class Arcball {
 public:
  explicit Arcball(glm::quat initial = glm::quat(1, 0, 0, 0));

  void begin(glm::vec2 p);  // press
  void drag(glm::vec2 p);   // move while pressed; ignored when not dragging
  void end();               // release: the drag is committed
  void reset();             // back to the initial orientation, drag cancelled
  void set_initial(glm::quat initial);

  bool dragging() const { return dragging_; }
  // Committed rotation with the current drag applied on top (the drag acts in view space).
  glm::quat rotation() const;
  glm::mat4 matrix() const;

 private:
  glm::quat initial_;
  glm::quat committed_;
  glm::quat drag_ = glm::quat(1, 0, 0, 0);
  glm::vec2 start_{0, 0};
  bool dragging_ = false;
};

}  // namespace dibr
