#include "app/gl_tensor_buffer.h"

#include <epoxy/gl.h>

#include "app/gl_program.h"
#include "cuda_interop/gl_buffer_interop.h"

namespace dibr::gl {

TensorBuffer::TensorBuffer() { glGenBuffers(1, &id_); }

TensorBuffer::~TensorBuffer() {
  interop_.reset();  // unregister from CUDA before GL deletes the buffer
  if (id_ && context_current()) glDeleteBuffers(1, &id_);
}

const char* TensorBuffer::upload(const at::Tensor& values) {
  const at::Tensor data = values.detach().to(at::kFloat).contiguous();
  const std::size_t bytes = static_cast<std::size_t>(data.numel()) * sizeof(float);
  glBindBuffer(GL_ARRAY_BUFFER, id_);
  if (bytes > capacity_ || capacity_ == 0) {
    interop_.reset();
    capacity_ = std::max<std::size_t>(bytes, 16);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(capacity_), nullptr, GL_DYNAMIC_DRAW);
  }
  if (bytes == 0) return kHostUpload;

  if (data.is_cuda() && interop_available()) {
    try {
      if (!interop_) interop_ = std::make_unique<GlBufferInterop>(id_);
      interop_->copy_from_device(data.data_ptr<float>(), bytes);
      return kInteropUpload;
    } catch (const InteropError&) {
      interop_.reset();  // interop is now disabled for good; this upload goes through the host
    }
  }
  const at::Tensor host = data.is_cuda() ? data.cpu() : data;
  glBindBuffer(GL_ARRAY_BUFFER, id_);
  glBufferSubData(GL_ARRAY_BUFFER, 0, static_cast<GLsizeiptr>(bytes), host.data_ptr<float>());
  return kHostUpload;
}

}  // namespace dibr::gl
