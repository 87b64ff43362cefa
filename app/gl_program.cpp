#include "app/gl_program.h"

#include <epoxy/gl.h>
#ifndef GLFW_INCLUDE_NONE
#define GLFW_INCLUDE_NONE
#endif
#include <GLFW/glfw3.h>
#include <glm/gtc/type_ptr.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace dibr::gl {
namespace {

std::string error_name(GLenum error) {
  switch (error) {
    case GL_INVALID_ENUM: return "GL_INVALID_ENUM";
    case GL_INVALID_VALUE: return "GL_INVALID_VALUE";
    case GL_INVALID_OPERATION: return "GL_INVALID_OPERATION";
    case GL_INVALID_FRAMEBUFFER_OPERATION: return "GL_INVALID_FRAMEBUFFER_OPERATION";
    case GL_OUT_OF_MEMORY: return "GL_OUT_OF_MEMORY";
    default: return "GL error " + std::to_string(error);
  }
}

GLuint compile(const std::string& name, GLenum type, const char* source) {
  const GLuint shader = glCreateShader(type);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<size_t>(std::max(length, 1)), '\0');
    glGetShaderInfoLog(shader, length, nullptr, log.data());
    glDeleteShader(shader);
    throw std::runtime_error("shader '" + name + (type == GL_VERTEX_SHADER ? ".vert" : ".frag") +
                             "' does not compile: " + log);
  }
  return shader;
}

}  // namespace

bool context_current() { return glfwGetCurrentContext() != nullptr; }

void check_error(const char* where) {
  const GLenum error = glGetError();
  if (error != GL_NO_ERROR) throw std::runtime_error(std::string(where) + ": " + error_name(error));
}

Program::Program(const std::string& name, const char* vertex_source, const char* fragment_source) {
  const GLuint vs = compile(name, GL_VERTEX_SHADER, vertex_source);
  GLuint fs = 0;
  try {
    fs = compile(name, GL_FRAGMENT_SHADER, fragment_source);
  } catch (...) {
    glDeleteShader(vs);
    throw;
  }
  id_ = glCreateProgram();
  glAttachShader(id_, vs);
  glAttachShader(id_, fs);
  glLinkProgram(id_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = GL_FALSE;
  glGetProgramiv(id_, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetProgramiv(id_, GL_INFO_LOG_LENGTH, &length);
    std::string log(static_cast<size_t>(std::max(length, 1)), '\0');
    glGetProgramInfoLog(id_, length, nullptr, log.data());
    glDeleteProgram(id_);
    id_ = 0;
    throw std::runtime_error("shader program '" + name + "' does not link: " + log);
  }
}

Program::~Program() {
  if (id_ && context_current()) glDeleteProgram(id_);
}

Program::Program(Program&& other) noexcept : id_(std::exchange(other.id_, 0)) {}

Program& Program::operator=(Program&& other) noexcept {
  if (this != &other) {
    if (id_) glDeleteProgram(id_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void Program::use() const { glUseProgram(id_); }

int Program::location(const char* name) const { return glGetUniformLocation(id_, name); }

void Program::set(const char* name, float value) const { glUniform1f(location(name), value); }
void Program::set(const char* name, const glm::vec3& value) const {
  glUniform3fv(location(name), 1, glm::value_ptr(value));
}
void Program::set(const char* name, const glm::vec4& value) const {
  glUniform4fv(location(name), 1, glm::value_ptr(value));
}
void Program::set(const char* name, const glm::mat4& value) const {
  glUniformMatrix4fv(location(name), 1, GL_FALSE, glm::value_ptr(value));
}

}  // namespace dibr::gl
