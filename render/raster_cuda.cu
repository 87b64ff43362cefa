// CUDA kernels of the DIB-R rasterizer: one thread per output pixel running the shared per-pixel code of
// raster_pixel.h. Asynchronous on the caller's stream; no torch headers here.
#include "render/cuda_launch.h"
#include "render/raster_kernels.h"
#include "render/raster_pixel.h"

namespace dibr::raster {
namespace {

template <typename scalar_t>
__global__ void forward_kernel(const RasterForwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) forward_pixel(p, i, AllFaces{p.sizes.num_faces});
}

template <typename scalar_t>
__global__ void backward_kernel(const RasterBackwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) backward_pixel(p, i, AllFaces{p.sizes.num_faces}, cuda::AtomicAdd{});
}

}  // namespace

template <typename scalar_t>
void rasterize_forward_cuda(const RasterForwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  forward_kernel<scalar_t><<<cuda::blocks_for(pixels), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  cuda::check_launch("dibr_rasterize", "forward");
}

template <typename scalar_t>
void rasterize_backward_cuda(const RasterBackwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  backward_kernel<scalar_t><<<cuda::blocks_for(pixels), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  cuda::check_launch("dibr_rasterize", "backward");
}

template void rasterize_forward_cuda<float>(const RasterForwardParams<float>&, void*);
template void rasterize_forward_cuda<double>(const RasterForwardParams<double>&, void*);
template void rasterize_backward_cuda<float>(const RasterBackwardParams<float>&, void*);
template void rasterize_backward_cuda<double>(const RasterBackwardParams<double>&, void*);

}  // namespace dibr::raster
