// CPU 2D nearest neighbours: a nanoflann k-d tree per image (the fast path) and the brute-force baseline.
#include <ATen/Parallel.h>

#include <nanoflann.hpp>

#include "render/nearest_2d_kernels.h"
#include "render/nearest_2d_query.h"

namespace dibr::points {
namespace {

template <typename T>
struct TargetsAdaptor {
  const T* xy;
  size_t count;
  size_t kdtree_get_point_count() const { return count; }
  T kdtree_get_pt(size_t i, size_t d) const { return xy[2 * i + d]; }
  template <class Box>
  bool kdtree_get_bbox(Box&) const { return false; }
};

template <typename T>
using Tree2d = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<T, TargetsAdaptor<T>, T>,
                                                   TargetsAdaptor<T>, 2, size_t>;

}  // namespace

template <typename scalar_t>
void nearest_2d_cpu(const NearestParams<scalar_t>& p) {
  const NearestSizes& s = p.sizes;
  at::parallel_for(0, s.batch, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const TargetsAdaptor<scalar_t> adaptor{p.targets + b * s.num_targets * 2, static_cast<size_t>(s.num_targets)};
      Tree2d<scalar_t> tree(2, adaptor, nanoflann::KDTreeSingleIndexAdaptorParams(10));
      for (int64_t n = 0; n < s.num_queries; ++n) {
        const int64_t q = b * s.num_queries + n;
        size_t index = 0;
        scalar_t dist_sq = 0;
        tree.knnSearch(p.queries + 2 * q, 1, &index, &dist_sq);
        p.distance_sq[q] = dist_sq;
        p.index[q] = static_cast<int64_t>(index);
      }
    }
  });
}

template <typename scalar_t>
void nearest_2d_cpu_brute_force(const NearestParams<scalar_t>& p) {
  at::parallel_for(0, p.sizes.batch * p.sizes.num_queries, 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) nearest_2d_query(p, i);
  });
}

template void nearest_2d_cpu<float>(const NearestParams<float>&);
template void nearest_2d_cpu<double>(const NearestParams<double>&);
template void nearest_2d_cpu_brute_force<float>(const NearestParams<float>&);
template void nearest_2d_cpu_brute_force<double>(const NearestParams<double>&);

}  // namespace dibr::points
