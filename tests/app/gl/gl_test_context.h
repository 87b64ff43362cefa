#pragma once
// A hidden GLFW window with a GL 3.3 core context, shared by the GL tests of one binary. Without a
// display every GL test fails with a message saying how to run them (ctest uses xvfb-run -a).
#include <epoxy/gl.h>
#ifndef GLFW_INCLUDE_NONE
#define GLFW_INCLUDE_NONE
#endif
#include <GLFW/glfw3.h>
#include <gtest/gtest.h>

#include <string>

namespace dibr::test {

class GlContext : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (window_ || !error_.empty()) return;
    glfwSetErrorCallback([](int code, const char* description) { last_glfw_error() = description; });
    if (!glfwInit()) {
      error_ = "cannot initialise GLFW (" + last_glfw_error() +
               "): no display? Run the GL tests under Xvfb, e.g. `xvfb-run -a <test binary>`";
      return;
    }
    glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
    window_ = glfwCreateWindow(kWindowSize, kWindowSize, "dibr GL test", nullptr, nullptr);
    if (!window_) {
      error_ = "cannot create a GL 3.3 core context (" + last_glfw_error() + ")";
      return;
    }
    glfwMakeContextCurrent(window_);
  }

  void SetUp() override {
    if (!window_) GTEST_FAIL() << error_;
    glfwMakeContextCurrent(window_);
    while (glGetError() != GL_NO_ERROR) {
    }
  }

  static constexpr int kWindowSize = 64;
  static GLFWwindow* window() { return window_; }

 private:
  static std::string& last_glfw_error() {
    static std::string e;
    return e;
  }
  static inline GLFWwindow* window_ = nullptr;
  static inline std::string error_;
};

}  // namespace dibr::test
