// CUDA kernels of DRWR's fused repulsion: one thread per point running point_repulsion_point.h.
#include "render/cuda_launch.h"
#include "render/point_repulsion_kernels.h"
#include "render/point_repulsion_point.h"

namespace dibr::points {
namespace {

template <typename scalar_t>
__global__ void repulsion_forward_kernel(const RepulsionForwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) repulsion_forward_point(p, i);
}

template <typename scalar_t>
__global__ void repulsion_backward_kernel(const RepulsionBackwardParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) repulsion_backward_point(p, i);
}

}  // namespace

template <typename scalar_t>
void point_repulsion_forward_cuda(const RepulsionForwardParams<scalar_t>& p, void* stream) {
  const int64_t count = p.sizes.batch * p.sizes.num_points;
  if (count == 0) return;
  repulsion_forward_kernel<<<cuda::blocks_for(count), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, count);
  cuda::check_launch("point_repulsion", "forward");
}

template <typename scalar_t>
void point_repulsion_backward_cuda(const RepulsionBackwardParams<scalar_t>& p, void* stream) {
  const int64_t count = p.sizes.batch * p.sizes.num_points;
  if (count == 0) return;
  repulsion_backward_kernel<<<cuda::blocks_for(count), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, count);
  cuda::check_launch("point_repulsion", "backward");
}

template void point_repulsion_forward_cuda<float>(const RepulsionForwardParams<float>&, void*);
template void point_repulsion_forward_cuda<double>(const RepulsionForwardParams<double>&, void*);
template void point_repulsion_backward_cuda<float>(const RepulsionBackwardParams<float>&, void*);
template void point_repulsion_backward_cuda<double>(const RepulsionBackwardParams<double>&, void*);

}  // namespace dibr::points
