// CUDA squared distance transform: one thread per column, then one per row (distance_transform_line.h).
#include "render/cuda_launch.h"
#include "render/distance_transform_kernels.h"
#include "render/distance_transform_line.h"

namespace dibr::edt {
namespace {

template <typename scalar_t>
__global__ void column_kernel(const EdtParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) distance_column(p, i);
}

template <typename scalar_t>
__global__ void row_kernel(const EdtParams<scalar_t> p, int64_t count) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < count) distance_row(p, i);
}

}  // namespace

template <typename scalar_t>
void distance_transform_cuda(const EdtParams<scalar_t>& p, void* stream) {
  const EdtSizes& s = p.sizes;
  if (s.batch == 0) return;
  const cudaStream_t st = static_cast<cudaStream_t>(stream);
  column_kernel<<<cuda::blocks_for(s.batch * s.width), cuda::kThreads, 0, st>>>(p, s.batch * s.width);
  row_kernel<<<cuda::blocks_for(s.batch * s.height), cuda::kThreads, 0, st>>>(p, s.batch * s.height);
  cuda::check_launch("distance_transform", "pass");
}

template void distance_transform_cuda<float>(const EdtParams<float>&, void*);
template void distance_transform_cuda<double>(const EdtParams<double>&, void*);

}  // namespace dibr::edt
