// CPU squared distance transform: the column pass, then the row pass, lines in parallel.
#include <ATen/Parallel.h>

#include "render/distance_transform_kernels.h"
#include "render/distance_transform_line.h"

namespace dibr::edt {

template <typename scalar_t>
void distance_transform_cpu(const EdtParams<scalar_t>& p) {
  const EdtSizes& s = p.sizes;
  at::parallel_for(0, s.batch * s.width, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) distance_column(p, i);
  });
  at::parallel_for(0, s.batch * s.height, 16, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) distance_row(p, i);
  });
}

template void distance_transform_cpu<float>(const EdtParams<float>&);
template void distance_transform_cpu<double>(const EdtParams<double>&);

}  // namespace dibr::edt
