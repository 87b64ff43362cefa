// CPU reference of DRWR's fused repulsion: every point in parallel, each looping over its image's points.
#include <ATen/Parallel.h>

#include "render/point_repulsion_kernels.h"
#include "render/point_repulsion_point.h"

namespace dibr::points {

template <typename scalar_t>
void point_repulsion_forward_cpu(const RepulsionForwardParams<scalar_t>& p) {
  at::parallel_for(0, p.sizes.batch * p.sizes.num_points, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) repulsion_forward_point(p, i);
  });
}

template <typename scalar_t>
void point_repulsion_backward_cpu(const RepulsionBackwardParams<scalar_t>& p) {
  at::parallel_for(0, p.sizes.batch * p.sizes.num_points, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) repulsion_backward_point(p, i);
  });
}

template void point_repulsion_forward_cpu<float>(const RepulsionForwardParams<float>&);
template void point_repulsion_forward_cpu<double>(const RepulsionForwardParams<double>&);
template void point_repulsion_backward_cpu<float>(const RepulsionBackwardParams<float>&);
template void point_repulsion_backward_cpu<double>(const RepulsionBackwardParams<double>&);

}  // namespace dibr::points
