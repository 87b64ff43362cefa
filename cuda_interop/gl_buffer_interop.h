#pragma once
// CUDA -> OpenGL uploads without a trip through host memory. The GL buffer/texture is registered with
// CUDA once, then every update maps it on our own stream, copies device-to-device and unmaps.
// No CUDA types here: app code compiles without CUDA headers, and a build without CUDA links a
// fallback where interop_available() is always false (callers then upload from the host).
// Every function needs the GL context that owns the objects to be current on the calling thread.
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

namespace dibr {

// True when this build has CUDA, a CUDA device is present and the current GL context runs on an
// NVIDIA GPU (Mesa/llvmpipe or another vendor's GPU cannot share memory with CUDA). Decided once and
// cached; interop_disable() turns it off for good.
bool interop_available();
// Why interop is (not) used, for the UI, e.g. "no CUDA device" or "GL renderer is llvmpipe".
std::string interop_status();
// After a CUDA error: log once to stderr and fall back to host uploads permanently.
void interop_disable(const std::string& reason);

// Thrown by the copies below when CUDA fails; interop is already disabled when it is thrown.
struct InteropError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A GL buffer object registered with CUDA (write-discard: CUDA overwrites, never reads it).
// Re-create it when the buffer is re-allocated with glBufferData.
class GlBufferInterop {
 public:
  explicit GlBufferInterop(unsigned int gl_buffer);
  ~GlBufferInterop();
  GlBufferInterop(const GlBufferInterop&) = delete;
  GlBufferInterop& operator=(const GlBufferInterop&) = delete;

  unsigned int gl_buffer() const;
  // Copies `bytes` from device memory into the buffer at byte `offset`. Returns when the copy is done,
  // so the source may be freed right after. Work queued on the legacy default stream before the call
  // is waited for (our stream is a blocking one).
  void copy_from_device(const void* device_src, std::size_t bytes, std::size_t offset = 0);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A GL_TEXTURE_2D with internal format GL_RGBA8 registered with CUDA.
class GlTextureInterop {
 public:
  explicit GlTextureInterop(unsigned int gl_texture);
  ~GlTextureInterop();
  GlTextureInterop(const GlTextureInterop&) = delete;
  GlTextureInterop& operator=(const GlTextureInterop&) = delete;

  unsigned int gl_texture() const;
  // Copies `height` rows of `width * 4` bytes (RGBA8), rows `src_pitch` bytes apart, into level 0.
  void copy_rgba8_from_device(const void* device_src, std::size_t src_pitch, std::size_t width, std::size_t height);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
