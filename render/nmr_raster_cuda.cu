// CUDA kernels of the NMR silhouette rasterizer: one thread per pixel for the forward (every face), one thread
// per face for the backward, running the shared code of nmr_raster_pixel.h. Asynchronous on the caller's stream.
#include "render/cuda_launch.h"
#include "render/nmr_raster_kernels.h"
#include "render/nmr_raster_pixel.h"
#include "render/tile_bins.h"

namespace dibr::nmr {
namespace {

template <typename scalar_t>
__global__ void nmr_forward_kernel(const NmrForwardParams<scalar_t> p, int64_t pixels) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < pixels) nmr_forward_pixel(p, i, raster::AllFaces{p.sizes.num_faces});
}

template <typename scalar_t>
__global__ void nmr_backward_kernel(const NmrBackwardParams<scalar_t> p, int64_t faces) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < faces) nmr_backward_face(p, i);
}

}  // namespace

template <typename scalar_t>
void nmr_rasterize_forward_cuda(const NmrForwardParams<scalar_t>& p, void* stream) {
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (pixels == 0) return;
  nmr_forward_kernel<scalar_t><<<cuda::blocks_for(pixels), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, pixels);
  cuda::check_launch("nmr_rasterize", "forward");
}

template <typename scalar_t>
void nmr_rasterize_backward_cuda(const NmrBackwardParams<scalar_t>& p, void* stream) {
  const int64_t faces = p.sizes.batch * p.sizes.num_faces;
  if (faces == 0) return;
  nmr_backward_kernel<scalar_t><<<cuda::blocks_for(faces), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, faces);
  cuda::check_launch("nmr_rasterize", "backward");
}

template void nmr_rasterize_forward_cuda<float>(const NmrForwardParams<float>&, void*);
template void nmr_rasterize_forward_cuda<double>(const NmrForwardParams<double>&, void*);
template void nmr_rasterize_backward_cuda<float>(const NmrBackwardParams<float>&, void*);
template void nmr_rasterize_backward_cuda<double>(const NmrBackwardParams<double>&, void*);

}  // namespace dibr::nmr
