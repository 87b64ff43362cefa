#pragma once
// A linked GLSL program with uniform setters. Needs a current GL context (core 3.3).
#include <glm/glm.hpp>

#include <string>

namespace dibr::gl {

// Whether the calling thread has a current GL context (destructors skip GL calls without one).
bool context_current();

// Throws std::runtime_error naming `where` and the GL error when glGetError reports one.
void check_error(const char* where);

class Program {
 public:
  Program() = default;
  // Compiles and links; throws std::runtime_error with `name` and the driver's info log on failure.
  Program(const std::string& name, const char* vertex_source, const char* fragment_source);
  ~Program();
  Program(Program&& other) noexcept;
  Program& operator=(Program&& other) noexcept;
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  unsigned int id() const { return id_; }
  void forget() { id_ = 0; }  // drop the name without deleting (its context is gone)
  void use() const;
  // Setters act on the program in use; unknown names (optimised away) are ignored like GL does.
  void set(const char* name, float value) const;
  void set(const char* name, const glm::vec3& value) const;
  void set(const char* name, const glm::vec4& value) const;
  void set(const char* name, const glm::mat4& value) const;

 private:
  int location(const char* name) const;
  unsigned int id_ = 0;
};

}  // namespace dibr::gl
