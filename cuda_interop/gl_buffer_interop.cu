// CUDA side of the GL interop. No torch here: the C++ side passes raw device pointers and sizes.
// epoxy first: it provides the GL types and guards <GL/gl.h>, which cuda_gl_interop.h includes.
#include <epoxy/gl.h>

#include <cuda_gl_interop.h>
#include <cuda_runtime.h>

#include "cuda_interop/cuda_gl_calls.h"

namespace dibr::cuda_gl {
namespace {

bool failed(cudaError_t status, const char* what, std::string& error) {
  if (status == cudaSuccess) return false;
  error = std::string(what) + ": " + cudaGetErrorString(status);
  cudaGetLastError();  // clear the sticky-free error so later calls start clean
  return true;
}

// Created once. A blocking stream (not cudaStreamNonBlocking) so that it waits for work LibTorch
// queued on the legacy default stream, i.e. the tensor being copied is complete.
struct StreamAndEvent {
  cudaStream_t stream = nullptr;
  cudaEvent_t done = nullptr;
  std::string error;
  StreamAndEvent() {
    if (failed(cudaStreamCreate(&stream), "cudaStreamCreate", error)) return;
    failed(cudaEventCreateWithFlags(&done, cudaEventDisableTiming), "cudaEventCreate", error);
  }
};

StreamAndEvent* stream_and_event(std::string& error) {
  static StreamAndEvent instance;
  if (!instance.error.empty()) {
    error = instance.error;
    return nullptr;
  }
  return &instance;
}

// Map, run `copy` on the stream, unmap, wait. Unmapping orders the copy before later GL use.
template <typename Copy>
void mapped_copy(void* resource, std::string& error, Copy copy) {
  StreamAndEvent* se = stream_and_event(error);
  if (!se) return;
  auto res = static_cast<cudaGraphicsResource_t>(resource);
  if (failed(cudaGraphicsMapResources(1, &res, se->stream), "cudaGraphicsMapResources", error)) return;
  bool ok = copy(res, se->stream);
  std::string unmap_error;
  failed(cudaGraphicsUnmapResources(1, &res, se->stream), "cudaGraphicsUnmapResources", unmap_error);
  if (!ok) return;
  if (!unmap_error.empty()) {
    error = unmap_error;
    return;
  }
  if (failed(cudaEventRecord(se->done, se->stream), "cudaEventRecord", error)) return;
  failed(cudaEventSynchronize(se->done), "cudaEventSynchronize", error);
}

}  // namespace

int device_count(std::string& error) {
  int count = 0;
  if (failed(cudaGetDeviceCount(&count), "cudaGetDeviceCount", error)) return 0;
  return count;
}

void* register_buffer(unsigned int gl_buffer, std::string& error) {
  cudaGraphicsResource_t res = nullptr;
  if (failed(cudaGraphicsGLRegisterBuffer(&res, gl_buffer, cudaGraphicsRegisterFlagsWriteDiscard),
             "cudaGraphicsGLRegisterBuffer", error))
    return nullptr;
  return res;
}

void* register_texture(unsigned int gl_texture, std::string& error) {
  cudaGraphicsResource_t res = nullptr;
  if (failed(cudaGraphicsGLRegisterImage(&res, gl_texture, GL_TEXTURE_2D, cudaGraphicsRegisterFlagsWriteDiscard),
             "cudaGraphicsGLRegisterImage", error))
    return nullptr;
  return res;
}

void unregister(void* resource) {
  if (resource) cudaGraphicsUnregisterResource(static_cast<cudaGraphicsResource_t>(resource));
  cudaGetLastError();
}

void copy_to_buffer(void* resource, const void* src, std::size_t bytes, std::size_t offset, std::string& error) {
  mapped_copy(resource, error, [&](cudaGraphicsResource_t res, cudaStream_t stream) {
    void* dst = nullptr;
    std::size_t size = 0;
    if (failed(cudaGraphicsResourceGetMappedPointer(&dst, &size, res), "cudaGraphicsResourceGetMappedPointer", error))
      return false;
    if (offset + bytes > size) {
      error = "copy of " + std::to_string(bytes) + " bytes at offset " + std::to_string(offset) +
              " overflows the " + std::to_string(size) + "-byte GL buffer";
      return false;
    }
    return !failed(cudaMemcpyAsync(static_cast<char*>(dst) + offset, src, bytes, cudaMemcpyDeviceToDevice, stream),
                   "cudaMemcpyAsync", error);
  });
}

void copy_to_texture(void* resource, const void* src, std::size_t src_pitch, std::size_t width_bytes,
                     std::size_t height, std::string& error) {
  mapped_copy(resource, error, [&](cudaGraphicsResource_t res, cudaStream_t stream) {
    cudaArray_t array = nullptr;
    if (failed(cudaGraphicsSubResourceGetMappedArray(&array, res, 0, 0), "cudaGraphicsSubResourceGetMappedArray",
               error))
      return false;
    return !failed(cudaMemcpy2DToArrayAsync(array, 0, 0, src, src_pitch, width_bytes, height,
                                            cudaMemcpyDeviceToDevice, stream),
                   "cudaMemcpy2DToArrayAsync", error);
  });
}

}  // namespace dibr::cuda_gl
