// nearest_2d: validation and dispatch of the 2D nearest-neighbour kernels.
#include "render/nearest_2d.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>

#include "render/nearest_2d_kernels.h"
#include "render/tensor_checks.h"

namespace dibr {

Nearest2d nearest_2d(const at::Tensor& queries_in, const at::Tensor& targets_in, Nearest2dAlgorithm algorithm) {
  constexpr const char* kWho = "nearest_2d";
  TORCH_CHECK(queries_in.defined() && targets_in.defined(), kWho, ": queries and targets must be defined");
  TORCH_CHECK(queries_in.dim() == 3, kWho, ": queries must have shape (B,N,2), got ", shape_text(queries_in));
  const int64_t B = queries_in.size(0);
  check_shape(queries_in, kWho, "queries", {B, -1, 2});
  check_float_like(queries_in, kWho, "queries", queries_in, "queries");
  TORCH_CHECK(targets_in.dim() == 3, kWho, ": targets must have shape (B,K,2), got ", shape_text(targets_in));
  check_shape(targets_in, kWho, "targets", {B, -1, 2});
  check_float_like(targets_in, kWho, "targets", queries_in, "queries");
  TORCH_CHECK(targets_in.size(1) >= 1, kWho, ": targets must hold at least one point per image");
  const c10::OptionalDeviceGuard guard(queries_in.device());
  const at::Tensor queries = queries_in.detach().contiguous(), targets = targets_in.detach().contiguous();
  Nearest2d out;
  out.distance_sq = at::empty({B, queries.size(1)}, queries.options());
  out.index = at::empty({B, queries.size(1)}, queries.options().dtype(at::kLong));
  AT_DISPATCH_FLOATING_TYPES(queries.scalar_type(), "nearest_2d", [&] {
    points::NearestParams<scalar_t> p;
    p.sizes = {B, queries.size(1), targets.size(1)};
    p.queries = queries.data_ptr<scalar_t>();
    p.targets = targets.data_ptr<scalar_t>();
    p.distance_sq = out.distance_sq.data_ptr<scalar_t>();
    p.index = out.index.data_ptr<int64_t>();
    if (queries.is_cuda())
      DIBR_CUDA_OR_FAIL(kWho, points::nearest_2d_cuda(p, current_cuda_stream(queries)));
    else if (algorithm == Nearest2dAlgorithm::BruteForce)
      points::nearest_2d_cpu_brute_force(p);
    else
      points::nearest_2d_cpu(p);
  });
  return out;
}

}  // namespace dibr
