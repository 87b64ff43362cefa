// CUDA 2D nearest neighbours: one thread per query, the targets streamed through shared memory (nearest_2d_query.h).
#include "render/cuda_launch.h"
#include "render/nearest_2d_kernels.h"
#include "render/nearest_2d_query.h"

namespace dibr::points {
namespace {

// Block (x, image): kThreads queries of one image; the image's targets pass through shared memory in tiles of
// kThreads, each thread comparing its query with the whole tile (in index order, as the CPU brute force).
template <typename scalar_t>
__global__ void nearest_2d_kernel(const NearestParams<scalar_t> p) {
  __shared__ scalar_t tile[2 * cuda::kThreads];
  const NearestSizes& s = p.sizes;
  const int64_t image = blockIdx.y;
  const int64_t query = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  const bool active = query < s.num_queries;
  const int64_t index = image * s.num_queries + query;
  const scalar_t x = active ? p.queries[2 * index] : scalar_t(0), y = active ? p.queries[2 * index + 1] : scalar_t(0);
  const scalar_t* targets = p.targets + image * s.num_targets * 2;
  scalar_t best = 0;
  int64_t best_index = -1;
  for (int64_t start = 0; start < s.num_targets; start += cuda::kThreads) {
    const int64_t load = start + threadIdx.x;
    if (load < s.num_targets) {
      tile[2 * threadIdx.x] = targets[2 * load];
      tile[2 * threadIdx.x + 1] = targets[2 * load + 1];
    }
    __syncthreads();
    const int64_t n = s.num_targets - start < cuda::kThreads ? s.num_targets - start : cuda::kThreads;
    for (int64_t k = 0; active && k < n; ++k) nearest_2d_consider(x, y, tile[2 * k], tile[2 * k + 1], start + k, best, best_index);
    __syncthreads();
  }
  if (active) nearest_2d_store(p, index, best, best_index);
}

}  // namespace

template <typename scalar_t>
void nearest_2d_cuda(const NearestParams<scalar_t>& p, void* stream) {
  if (p.sizes.batch == 0 || p.sizes.num_queries == 0) return;
  if (p.sizes.batch > 65535) throw std::runtime_error("nearest_2d: more than 65535 images in one call");
  const dim3 grid(cuda::blocks_for(p.sizes.num_queries), static_cast<unsigned>(p.sizes.batch));
  nearest_2d_kernel<<<grid, cuda::kThreads, 0, static_cast<cudaStream_t>(stream)>>>(p);
  cuda::check_launch("nearest_2d", "search");
}

template void nearest_2d_cuda<float>(const NearestParams<float>&, void*);
template void nearest_2d_cuda<double>(const NearestParams<double>&, void*);

}  // namespace dibr::points
