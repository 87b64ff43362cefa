// point_repulsion: validation, dispatch and the autograd Function around the fused repulsion kernels.
#include "render/point_repulsion.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "render/point_repulsion_kernels.h"
#include "render/tensor_checks.h"

namespace dibr {
namespace {

using points::RepulsionBackwardParams;
using points::RepulsionForwardParams;
using points::RepulsionSizes;

constexpr const char* kWho = "point_repulsion";

RepulsionSizes sizes_of(const at::Tensor& pts, double tau) {
  RepulsionSizes s;
  s.batch = pts.size(0);
  s.num_points = pts.size(1);
  s.threshold = tau;
  return s;
}

class PointRepulsion : public torch::autograd::Function<PointRepulsion> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& pts, const at::Tensor& weights,
                            const at::Tensor& bias, double tau) {
    const c10::OptionalDeviceGuard guard(pts.device());
    at::Tensor energy = at::empty({pts.size(0), pts.size(1)}, pts.options());
    AT_DISPATCH_FLOATING_TYPES(pts.scalar_type(), "point_repulsion_forward", [&] {
      RepulsionForwardParams<scalar_t> p;
      p.sizes = sizes_of(pts, tau);
      p.points = pts.data_ptr<scalar_t>();
      p.weights = weights.data_ptr<scalar_t>();
      p.bias = bias.data_ptr<scalar_t>();
      p.energy = energy.data_ptr<scalar_t>();
      if (pts.is_cuda())
        DIBR_CUDA_OR_FAIL(kWho, points::point_repulsion_forward_cuda(p, current_cuda_stream(pts)));
      else
        points::point_repulsion_forward_cpu(p);
    });
    ctx->save_for_backward({pts, weights, bias, energy});
    ctx->saved_data["tau"] = tau;
    return energy;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& pts = saved[0];
    const at::Tensor& weights = saved[1];
    const at::Tensor& bias = saved[2];
    const c10::OptionalDeviceGuard guard(pts.device());
    at::Tensor grad_points = at::zeros_like(pts);
    at::Tensor grad_weights = at::zeros_like(weights);
    at::Tensor grad_bias = at::zeros_like(bias);
    if (grads[0].defined()) {
      const at::Tensor grad_energy = grads[0].contiguous();
      const at::Tensor pair_scale = (grad_energy * weights * at::exp(bias) / double(pts.size(1))).contiguous();
      AT_DISPATCH_FLOATING_TYPES(pts.scalar_type(), "point_repulsion_backward", [&] {
        RepulsionBackwardParams<scalar_t> p;
        p.sizes = sizes_of(pts, ctx->saved_data["tau"].toDouble());
        p.points = pts.data_ptr<scalar_t>();
        p.weights = weights.data_ptr<scalar_t>();
        p.bias = bias.data_ptr<scalar_t>();
        p.energy = saved[3].data_ptr<scalar_t>();
        p.grad_energy = grad_energy.data_ptr<scalar_t>();
        p.pair_scale = pair_scale.data_ptr<scalar_t>();
        p.grad_points = grad_points.data_ptr<scalar_t>();
        p.grad_weights = grad_weights.data_ptr<scalar_t>();
        p.grad_bias = grad_bias.data_ptr<scalar_t>();
        if (pts.is_cuda())
          DIBR_CUDA_OR_FAIL(kWho, points::point_repulsion_backward_cuda(p, current_cuda_stream(pts)));
        else
          points::point_repulsion_backward_cpu(p);
      });
    }
    return {grad_points, grad_weights, grad_bias, at::Tensor()};
  }
};

}  // namespace

at::Tensor point_repulsion(const at::Tensor& points, const at::Tensor& weights, const at::Tensor& bias, double tau) {
  TORCH_CHECK(points.defined() && weights.defined() && bias.defined(), kWho,
              ": points, weights and bias must all be defined");
  TORCH_CHECK(points.dim() == 3, kWho, ": points must have shape (B,N,2), got ", shape_text(points));
  const int64_t B = points.size(0), N = points.size(1);
  check_shape(points, kWho, "points", {B, N, 2});
  check_float_like(points, kWho, "points", points, "points");
  check_shape(weights, kWho, "weights", {B, N});
  check_float_like(weights, kWho, "weights", points, "points");
  check_shape(bias, kWho, "bias", {B, N});
  check_float_like(bias, kWho, "bias", points, "points");
  TORCH_CHECK(tau > 0 && std::isfinite(tau), kWho, ": tau must be > 0, got ", tau);
  return PointRepulsion::apply(points.contiguous(), weights.contiguous(), bias.contiguous(), tau);
}

}  // namespace dibr
