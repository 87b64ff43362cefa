// CUDA kernels of the SoftRas soft rasterizer: one thread per output pixel running the shared per-pixel code
// of soft_raster_pixel.h over every face. Asynchronous on the caller's stream; no torch headers here.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "render/soft_raster_kernels.h"
#include "render/soft_raster_pixel.h"

namespace dibr::softras {
namespace {

constexpr int kThreads = 256;

template <typename scalar_t>
__global__ void soft_forward_kernel(const SoftRasForwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) soft_forward_pixel(p, i, raster::AllFaces{p.sizes.num_faces});
}

struct AtomicAdd {
  template <typename T>
  __device__ void operator()(T* dst, T value) const {
    if (value != T(0)) atomicAdd(dst, value);
  }
};

template <typename scalar_t>
__global__ void soft_backward_kernel(const SoftRasBackwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) soft_backward_pixel(p, i, raster::AllFaces{p.sizes.num_faces}, AtomicAdd{});
}

void check_launch(const char* what) {
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("soft_rasterize: CUDA ") + what + " launch failed: " + cudaGetErrorString(err));
}

unsigned blocks_for(int64_t pixels) {
  return static_cast<unsigned>((pixels + kThreads - 1) / kThreads);
}

}  // namespace

template <typename scalar_t>
void soft_rasterize_forward_cuda(const SoftRasForwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  soft_forward_kernel<scalar_t><<<blocks_for(pixels), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  check_launch("forward");
}

template <typename scalar_t>
void soft_rasterize_backward_cuda(const SoftRasBackwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  soft_backward_kernel<scalar_t><<<blocks_for(pixels), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  check_launch("backward");
}

template void soft_rasterize_forward_cuda<float>(const SoftRasForwardParams<float>&, void*);
template void soft_rasterize_forward_cuda<double>(const SoftRasForwardParams<double>&, void*);
template void soft_rasterize_backward_cuda<float>(const SoftRasBackwardParams<float>&, void*);
template void soft_rasterize_backward_cuda<double>(const SoftRasBackwardParams<double>&, void*);

}  // namespace dibr::softras
