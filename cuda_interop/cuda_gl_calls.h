#pragma once
// The CUDA runtime calls behind gl_buffer_interop.cpp, implemented in gl_buffer_interop.cu.
// Plain types only: handles are opaque pointers, errors come back as a message (empty on success).
#include <cstddef>
#include <string>

namespace dibr::cuda_gl {

int device_count(std::string& error);
// Registers a buffer (write-discard) or an RGBA8 2D texture; returns the cudaGraphicsResource_t.
void* register_buffer(unsigned int gl_buffer, std::string& error);
void* register_texture(unsigned int gl_texture, std::string& error);
void unregister(void* resource);  // errors ignored: called from destructors

// Map on our stream, copy device-to-device, unmap, wait for the copy.
void copy_to_buffer(void* resource, const void* src, std::size_t bytes, std::size_t offset, std::string& error);
void copy_to_texture(void* resource, const void* src, std::size_t src_pitch, std::size_t width_bytes,
                     std::size_t height, std::string& error);

}  // namespace dibr::cuda_gl
