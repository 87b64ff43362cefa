// CUDA kernels of DIFFER's soft z-buffer: one thread per point (passes 1, 2 and the backward) or per pixel
// (pass 3), running point_zbuffer_point.h. No host synchronisation between the passes.
#include "render/cuda_launch.h"
#include "render/point_zbuffer_kernels.h"
#include "render/point_zbuffer_point.h"

namespace dibr::points {
namespace {

struct AtomicMax {
  template <typename T>
  __device__ void operator()(T* dst, T value) const { cuda::atomic_max(dst, value); }
};

template <typename scalar_t>
__global__ void zbuffer_max_kernel(const ZbufferForwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) zbuffer_max_point(p, i, AtomicMax{});
}

template <typename scalar_t>
__global__ void zbuffer_accumulate_kernel(const ZbufferForwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) zbuffer_accumulate_point(p, i, cuda::AtomicAdd{});
}

template <typename scalar_t>
__global__ void zbuffer_normalize_kernel(const ZbufferForwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) zbuffer_normalize_pixel(p, i);
}

template <typename scalar_t>
__global__ void zbuffer_backward_kernel(const ZbufferBackwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) zbuffer_backward_point(p, i);
}

}  // namespace

template <typename scalar_t>
void point_zbuffer_forward_cuda(const ZbufferForwardParams<scalar_t>& p, void* stream) {
  const int64_t points = p.sizes.batch * p.sizes.num_points;
  const int64_t pixels = p.sizes.batch * p.sizes.height * p.sizes.width;
  if (points == 0) return;
  const cudaStream_t st = static_cast<cudaStream_t>(stream);
  zbuffer_max_kernel<<<cuda::blocks_for(points), cuda::kThreads, 0, st>>>(p, points);
  zbuffer_accumulate_kernel<<<cuda::blocks_for(points), cuda::kThreads, 0, st>>>(p, points);
  zbuffer_normalize_kernel<<<cuda::blocks_for(pixels), cuda::kThreads, 0, st>>>(p, pixels);
  cuda::check_launch("point_zbuffer", "forward");
}

template <typename scalar_t>
void point_zbuffer_backward_cuda(const ZbufferBackwardParams<scalar_t>& p, void* stream) {
  const int64_t points = p.sizes.batch * p.sizes.num_points;
  if (points == 0) return;
  zbuffer_backward_kernel<<<cuda::blocks_for(points), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, points);
  cuda::check_launch("point_zbuffer", "backward");
}

template void point_zbuffer_forward_cuda<float>(const ZbufferForwardParams<float>&, void*);
template void point_zbuffer_forward_cuda<double>(const ZbufferForwardParams<double>&, void*);
template void point_zbuffer_backward_cuda<float>(const ZbufferBackwardParams<float>&, void*);
template void point_zbuffer_backward_cuda<double>(const ZbufferBackwardParams<double>&, void*);

}  // namespace dibr::points
