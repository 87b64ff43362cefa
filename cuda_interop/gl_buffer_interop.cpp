#include "cuda_interop/gl_buffer_interop.h"

#include <epoxy/gl.h>

#include <cctype>
#include <cstdio>
#include <mutex>
#include <optional>

#ifdef DIBR_INTEROP_WITH_CUDA
#include "cuda_interop/cuda_gl_calls.h"
#endif

namespace dibr {
namespace {

struct InteropState {
  std::mutex mutex;
  std::optional<bool> available;  // unset until decided with a GL context current
  std::string status = "not decided yet (no GL context)";
};

InteropState& state() {
  static InteropState s;
  return s;
}

#ifdef DIBR_INTEROP_WITH_CUDA
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Decides with the current GL context; nullopt when there is none yet.
std::optional<std::pair<bool, std::string>> decide() {
  const auto* vendor = reinterpret_cast<const char*>(glGetString(GL_VENDOR));
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  if (!vendor) return std::nullopt;
  std::string error;
  const int devices = cuda_gl::device_count(error);
  if (devices <= 0) return std::make_pair(false, error.empty() ? "no CUDA device" : "no CUDA device (" + error + ")");
  if (lower(vendor).find("nvidia") == std::string::npos)
    return std::make_pair(false, std::string("GL renderer is ") + (renderer ? renderer : vendor) + ", not NVIDIA");
  return std::make_pair(true, std::string("CUDA-GL interop on ") + (renderer ? renderer : vendor));
}

[[noreturn]] void fail(const std::string& what, const std::string& error) {
  const std::string message = what + ": " + error;
  interop_disable(message);
  throw InteropError("cuda_interop: " + message);
}
#endif

}  // namespace

bool interop_available() {
  InteropState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.available) return *s.available;
#ifdef DIBR_INTEROP_WITH_CUDA
  auto decision = decide();
  if (!decision) return false;
  s.available = decision->first;
  s.status = decision->second;
#else
  s.available = false;
  s.status = "built without CUDA";
#endif
  return *s.available;
}

std::string interop_status() {
  InteropState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.status;
}

void interop_disable(const std::string& reason) {
  InteropState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.available.value_or(true)) std::fprintf(stderr, "cuda_interop: disabled, using host uploads: %s\n", reason.c_str());
  s.available = false;
  s.status = "disabled after an error: " + reason;
}

#ifdef DIBR_INTEROP_WITH_CUDA

struct GlBufferInterop::Impl {
  unsigned int buffer = 0;
  void* resource = nullptr;
};

GlBufferInterop::GlBufferInterop(unsigned int gl_buffer) : impl_(std::make_unique<Impl>()) {
  impl_->buffer = gl_buffer;
  std::string error;
  impl_->resource = cuda_gl::register_buffer(gl_buffer, error);
  if (!impl_->resource) fail("registering GL buffer " + std::to_string(gl_buffer), error);
}

GlBufferInterop::~GlBufferInterop() { cuda_gl::unregister(impl_->resource); }

unsigned int GlBufferInterop::gl_buffer() const { return impl_->buffer; }

void GlBufferInterop::copy_from_device(const void* device_src, std::size_t bytes, std::size_t offset) {
  std::string error;
  cuda_gl::copy_to_buffer(impl_->resource, device_src, bytes, offset, error);
  if (!error.empty()) fail("copy into GL buffer " + std::to_string(impl_->buffer), error);
}

struct GlTextureInterop::Impl {
  unsigned int texture = 0;
  void* resource = nullptr;
};

GlTextureInterop::GlTextureInterop(unsigned int gl_texture) : impl_(std::make_unique<Impl>()) {
  impl_->texture = gl_texture;
  std::string error;
  impl_->resource = cuda_gl::register_texture(gl_texture, error);
  if (!impl_->resource) fail("registering GL texture " + std::to_string(gl_texture), error);
}

GlTextureInterop::~GlTextureInterop() { cuda_gl::unregister(impl_->resource); }

unsigned int GlTextureInterop::gl_texture() const { return impl_->texture; }

void GlTextureInterop::copy_rgba8_from_device(const void* device_src, std::size_t src_pitch, std::size_t width,
                                              std::size_t height) {
  std::string error;
  cuda_gl::copy_to_texture(impl_->resource, device_src, src_pitch, width * 4, height, error);
  if (!error.empty()) fail("copy into GL texture " + std::to_string(impl_->texture), error);
}

#else  // Built without CUDA: interop_available() is false, so callers never construct these.

struct GlBufferInterop::Impl {};
GlBufferInterop::GlBufferInterop(unsigned int) {
  throw InteropError("cuda_interop: GlBufferInterop needs a CUDA build (check interop_available() first)");
}
GlBufferInterop::~GlBufferInterop() = default;
unsigned int GlBufferInterop::gl_buffer() const { return 0; }
void GlBufferInterop::copy_from_device(const void*, std::size_t, std::size_t) {}

struct GlTextureInterop::Impl {};
GlTextureInterop::GlTextureInterop(unsigned int) {
  throw InteropError("cuda_interop: GlTextureInterop needs a CUDA build (check interop_available() first)");
}
GlTextureInterop::~GlTextureInterop() = default;
unsigned int GlTextureInterop::gl_texture() const { return 0; }
void GlTextureInterop::copy_rgba8_from_device(const void*, std::size_t, std::size_t, std::size_t) {}

#endif

}  // namespace dibr
