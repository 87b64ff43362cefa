// CUDA kernels of the DIB-R rasterizer: one thread per output pixel running the shared per-pixel code of
// raster_pixel.h. Asynchronous on the caller's stream; no torch headers here.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "render/raster_kernels.h"
#include "render/raster_pixel.h"

namespace dibr::raster {
namespace {

constexpr int kThreads = 256;

template <typename scalar_t>
__global__ void forward_kernel(const RasterForwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) forward_pixel(p, i, AllFaces{p.sizes.num_faces});
}

struct AtomicAdd {
  template <typename T>
  __device__ void operator()(T* dst, T value) const {
    if (value != T(0)) atomicAdd(dst, value);
  }
};

template <typename scalar_t>
__global__ void backward_kernel(const RasterBackwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) backward_pixel(p, i, AllFaces{p.sizes.num_faces}, AtomicAdd{});
}

void check_launch(const char* what) {
  const cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("dibr_rasterize: CUDA ") + what + " launch failed: " + cudaGetErrorString(err));
}

unsigned blocks_for(int64_t pixels) {
  return static_cast<unsigned>((pixels + kThreads - 1) / kThreads);
}

}  // namespace

template <typename scalar_t>
void rasterize_forward_cuda(const RasterForwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  forward_kernel<scalar_t><<<blocks_for(pixels), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  check_launch("forward");
}

template <typename scalar_t>
void rasterize_backward_cuda(const RasterBackwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  backward_kernel<scalar_t><<<blocks_for(pixels), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  check_launch("backward");
}

template void rasterize_forward_cuda<float>(const RasterForwardParams<float>&, void*);
template void rasterize_forward_cuda<double>(const RasterForwardParams<double>&, void*);
template void rasterize_backward_cuda<float>(const RasterBackwardParams<float>&, void*);
template void rasterize_backward_cuda<double>(const RasterBackwardParams<double>&, void*);

}  // namespace dibr::raster
