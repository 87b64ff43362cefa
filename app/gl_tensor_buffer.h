#pragma once
// A GL array buffer filled from tensors: device-to-device through CUDA-GL interop when the tensor is on
// CUDA and interop_available(), from host memory otherwise (CUDA tensors are copied to the host first).
// Needs a current GL context.
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <memory>

namespace dibr {
class GlBufferInterop;
}

namespace dibr::gl {

constexpr const char* kInteropUpload = "CUDA-GL interop";
constexpr const char* kHostUpload = "host upload";

class TensorBuffer {
 public:
  TensorBuffer();
  ~TensorBuffer();
  TensorBuffer(const TensorBuffer&) = delete;
  TensorBuffer& operator=(const TensorBuffer&) = delete;

  unsigned int id() const { return id_; }
  // Replaces the contents with `values` (any shape, float32, contiguous; converted otherwise), growing
  // the buffer when needed. Returns kInteropUpload or kHostUpload.
  const char* upload(const at::Tensor& values);

 private:
  unsigned int id_ = 0;
  std::size_t capacity_ = 0;
  std::unique_ptr<GlBufferInterop> interop_;
};

}  // namespace dibr::gl
