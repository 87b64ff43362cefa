#include <gtest/gtest.h>

#include <glm/gtc/constants.hpp>

#include <cmath>

#include "app/arcball.h"

namespace {

constexpr float kTol = 1e-5f;

void expect_quat_near(const glm::quat& a, const glm::quat& b) {
  // q and -q are the same rotation.
  const float d = std::abs(glm::dot(a, b));
  EXPECT_NEAR(d, 1.0f, kTol) << "quaternions (" << a.w << "," << a.x << "," << a.y << "," << a.z << ") vs ("
                             << b.w << "," << b.x << "," << b.y << "," << b.z << ")";
}

void expect_vec_near(const glm::vec3& a, const glm::vec3& b) {
  EXPECT_NEAR(a.x, b.x, kTol);
  EXPECT_NEAR(a.y, b.y, kTol);
  EXPECT_NEAR(a.z, b.z, kTol);
}

const glm::quat kIdentity(1, 0, 0, 0);

}  // namespace

TEST(ArcballMath, SpherePointInsideAndOutsideTheDisc) {
  expect_vec_near(dibr::arcball_sphere_point({0, 0}), {0, 0, 1});
  expect_vec_near(dibr::arcball_sphere_point({0.6f, 0}), {0.6f, 0, 0.8f});
  expect_vec_near(dibr::arcball_sphere_point({0, -0.8f}), {0, -0.8f, 0.6f});
  // Outside: the nearest rim point.
  expect_vec_near(dibr::arcball_sphere_point({3, 4}), {0.6f, 0.8f, 0});
  for (glm::vec2 p : {glm::vec2(0.1f, 0.2f), glm::vec2(-0.7f, 0.7f), glm::vec2(2, -5)})
    EXPECT_NEAR(glm::length(dibr::arcball_sphere_point(p)), 1.0f, kTol);
}

TEST(ArcballMath, KnownDragGivesAxisAndAngle) {
  // Centre (0,0,1) to (0.5, 0, sqrt(0.75)): 30 degrees about +y.
  const glm::quat q = dibr::arcball_rotation({0, 0}, {0.5f, 0});
  EXPECT_NEAR(glm::degrees(glm::angle(q)), 30.0f, 1e-3f);
  expect_vec_near(glm::axis(q), {0, 1, 0});
  // Dragging up rotates about -x: the front of the sphere moves up.
  const glm::quat up = dibr::arcball_rotation({0, 0}, {0, 0.5f});
  expect_vec_near(glm::axis(up), {-1, 0, 0});
  // The grabbed sphere point follows the cursor.
  const glm::vec2 from(0.2f, -0.3f), to(-0.4f, 0.1f);
  expect_vec_near(dibr::arcball_rotation(from, to) * dibr::arcball_sphere_point(from), dibr::arcball_sphere_point(to));
}

TEST(ArcballMath, OppositeRimPointsGiveAHalfTurn) {
  const glm::quat q = dibr::arcball_rotation({2, 0}, {-2, 0});
  EXPECT_FALSE(std::isnan(q.w) || std::isnan(q.x) || std::isnan(q.y) || std::isnan(q.z));
  EXPECT_NEAR(glm::degrees(glm::angle(q)), 180.0f, 1e-3f);
  expect_vec_near(q * glm::vec3(1, 0, 0), {-1, 0, 0});
}

TEST(Arcball, IdentityWithoutDrag) {
  dibr::Arcball ball;
  expect_quat_near(ball.rotation(), kIdentity);
  ball.begin({0.3f, 0.2f});
  ball.drag({0.3f, 0.2f});
  EXPECT_TRUE(ball.dragging());
  expect_quat_near(ball.rotation(), kIdentity);
  ball.end();
  EXPECT_FALSE(ball.dragging());
  expect_quat_near(ball.rotation(), kIdentity);
  // A move without a press does nothing.
  ball.drag({0.9f, -0.5f});
  expect_quat_near(ball.rotation(), kIdentity);
}

TEST(Arcball, DragIsVisibleBeforeReleaseAndCommittedAfter) {
  dibr::Arcball ball;
  ball.begin({0, 0});
  ball.drag({0.5f, 0});
  const glm::quat during = ball.rotation();
  EXPECT_NEAR(glm::degrees(glm::angle(during)), 30.0f, 1e-3f);
  ball.end();
  expect_quat_near(ball.rotation(), during);
}

TEST(Arcball, DragsCompose) {
  dibr::Arcball ball;
  ball.begin({0, 0});
  ball.drag({0.5f, 0});
  ball.end();
  ball.begin({0, 0});
  ball.drag({0.5f, 0});
  ball.end();
  EXPECT_NEAR(glm::degrees(glm::angle(ball.rotation())), 60.0f, 1e-3f);
  expect_vec_near(glm::axis(ball.rotation()), {0, 1, 0});

  // Different axes: the later drag applies on top (in view space) of the earlier one.
  dibr::Arcball other;
  other.begin({0, 0});
  other.drag({0.5f, 0});
  other.end();
  other.begin({0, 0});
  other.drag({0, 0.5f});
  other.end();
  const glm::quat expected = dibr::arcball_rotation({0, 0}, {0, 0.5f}) * dibr::arcball_rotation({0, 0}, {0.5f, 0});
  expect_quat_near(other.rotation(), expected);
  const glm::quat wrong_order = dibr::arcball_rotation({0, 0}, {0.5f, 0}) * dibr::arcball_rotation({0, 0}, {0, 0.5f});
  EXPECT_LT(std::abs(glm::dot(other.rotation(), wrong_order)), 1.0f - 1e-4f);
}

TEST(Arcball, ResetReturnsToInitialOrientation) {
  const glm::quat initial = glm::angleAxis(glm::radians(25.0f), glm::vec3(1, 0, 0));
  dibr::Arcball ball(initial);
  expect_quat_near(ball.rotation(), initial);
  ball.begin({0.1f, 0.1f});
  ball.drag({-0.6f, 0.3f});
  ball.end();
  ball.begin({0, 0});
  ball.drag({0.2f, 0.4f});  // reset also cancels a drag in progress
  EXPECT_LT(std::abs(glm::dot(ball.rotation(), initial)), 1.0f - 1e-4f);
  ball.reset();
  EXPECT_FALSE(ball.dragging());
  expect_quat_near(ball.rotation(), initial);
  // The matrix is the rotation's.
  const glm::mat4 m = ball.matrix();
  const glm::vec3 y = glm::vec3(m * glm::vec4(0, 1, 0, 0));
  expect_vec_near(y, initial * glm::vec3(0, 1, 0));
}
