// CUDA kernels of the Gaussian point splat: one thread per point running point_splat_point.h.
#include "render/cuda_launch.h"
#include "render/point_splat_kernels.h"
#include "render/point_splat_point.h"

namespace dibr::points {
namespace {

template <typename scalar_t>
__global__ void splat_forward_kernel(const SplatForwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) splat_forward_point(p, i, cuda::AtomicAdd{});
}

template <typename scalar_t>
__global__ void splat_backward_kernel(const SplatBackwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) splat_backward_point(p, i);
}

}  // namespace

template <typename scalar_t>
void point_splat_forward_cuda(const SplatForwardParams<scalar_t>& p, void* stream) {
  const int64_t count = p.sizes.batch * p.sizes.num_points;
  if (count == 0) return;
  splat_forward_kernel<<<cuda::blocks_for(count), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, count);
  cuda::check_launch("point_splat", "forward");
}

template <typename scalar_t>
void point_splat_backward_cuda(const SplatBackwardParams<scalar_t>& p, void* stream) {
  const int64_t count = p.sizes.batch * p.sizes.num_points;
  if (count == 0) return;
  splat_backward_kernel<<<cuda::blocks_for(count), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, count);
  cuda::check_launch("point_splat", "backward");
}

template void point_splat_forward_cuda<float>(const SplatForwardParams<float>&, void*);
template void point_splat_forward_cuda<double>(const SplatForwardParams<double>&, void*);
template void point_splat_backward_cuda<float>(const SplatBackwardParams<float>&, void*);
template void point_splat_backward_cuda<double>(const SplatBackwardParams<double>&, void*);

}  // namespace dibr::points
