// CUDA 2D nearest neighbours: one thread per query over its image's targets (nearest_2d_query.h).
#include "render/cuda_launch.h"
#include "render/nearest_2d_kernels.h"
#include "render/nearest_2d_query.h"

namespace dibr::points {
namespace {

template <typename scalar_t>
__global__ void nearest_2d_kernel(const NearestParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) nearest_2d_query(p, i);
}

}  // namespace

template <typename scalar_t>
void nearest_2d_cuda(const NearestParams<scalar_t>& p, void* stream) {
  const int64_t count = p.sizes.batch * p.sizes.num_queries;
  if (count == 0) return;
  nearest_2d_kernel<<<cuda::blocks_for(count), cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p, count);
  cuda::check_launch("nearest_2d");
}

template void nearest_2d_cuda<float>(const NearestParams<float>&, void*);
template void nearest_2d_cuda<double>(const NearestParams<double>&, void*);

}  // namespace dibr::points
