// CUDA kernels of the SoftRas soft rasterizer: one thread per output pixel running the shared per-pixel code
// of soft_raster_pixel.h over every face. Asynchronous on the caller's stream; no torch headers here.
#include "render/cuda_launch.h"
#include "render/soft_raster_kernels.h"
#include "render/soft_raster_pixel.h"

namespace dibr::softras {
namespace {

template <typename scalar_t>
__global__ void soft_forward_kernel(const SoftRasForwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) soft_forward_pixel(p, i, raster::AllFaces{p.sizes.num_faces});
}

template <typename scalar_t>
__global__ void soft_backward_kernel(const SoftRasBackwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) soft_backward_pixel(p, i, raster::AllFaces{p.sizes.num_faces}, cuda::AtomicAdd{});
}

}  // namespace

template <typename scalar_t>
void soft_rasterize_forward_cuda(const SoftRasForwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  soft_forward_kernel<scalar_t><<<cuda::blocks_for(pixels), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  cuda::check_launch("soft_rasterize", "forward");
}

template <typename scalar_t>
void soft_rasterize_backward_cuda(const SoftRasBackwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  soft_backward_kernel<scalar_t><<<cuda::blocks_for(pixels), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  cuda::check_launch("soft_rasterize", "backward");
}

template void soft_rasterize_forward_cuda<float>(const SoftRasForwardParams<float>&, void*);
template void soft_rasterize_forward_cuda<double>(const SoftRasForwardParams<double>&, void*);
template void soft_rasterize_backward_cuda<float>(const SoftRasBackwardParams<float>&, void*);
template void soft_rasterize_backward_cuda<double>(const SoftRasBackwardParams<double>&, void*);

}  // namespace dibr::softras
