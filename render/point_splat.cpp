// point_splat: validation, dispatch and the autograd Function around the splat kernels.
#include "render/point_splat.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "render/point_splat_kernels.h"
#include "render/tensor_checks.h"

namespace dibr {
namespace {

using points::SplatBackwardParams;
using points::SplatForwardParams;
using points::SplatSizes;

constexpr const char* kWho = "point_splat";

SplatSizes sizes_of(const at::Tensor& pts, const PointSplatSettings& st) {
  SplatSizes s;
  s.batch = pts.size(0);
  s.num_points = pts.size(1);
  s.height = st.height;
  s.width = st.width;
  s.sigma_sq = st.sigma_sq;
  s.radius = point_splat_radius(st);
  return s;
}

class PointSplat : public torch::autograd::Function<PointSplat> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& pts, const PointSplatSettings& st) {
    const c10::OptionalDeviceGuard guard(pts.device());
    const SplatSizes s = sizes_of(pts, st);
    at::Tensor density = at::zeros({s.batch, s.height, s.width}, pts.options());
    AT_DISPATCH_FLOATING_TYPES(pts.scalar_type(), "point_splat_forward", [&] {
      SplatForwardParams<scalar_t> p;
      p.sizes = s;
      p.points = pts.data_ptr<scalar_t>();
      p.density = density.data_ptr<scalar_t>();
      if (pts.is_cuda())
        DIBR_CUDA_OR_FAIL(kWho, points::point_splat_forward_cuda(p, current_cuda_stream(pts)));
      else
        points::point_splat_forward_cpu(p);
    });
    ctx->save_for_backward({pts});
    ctx->saved_data["height"] = static_cast<int64_t>(st.height);
    ctx->saved_data["width"] = static_cast<int64_t>(st.width);
    ctx->saved_data["sigma_sq"] = st.sigma_sq;
    ctx->saved_data["cutoff"] = st.cutoff;
    return density;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const at::Tensor pts = ctx->get_saved_variables()[0];
    const c10::OptionalDeviceGuard guard(pts.device());
    PointSplatSettings st;
    st.height = static_cast<int>(ctx->saved_data["height"].toInt());
    st.width = static_cast<int>(ctx->saved_data["width"].toInt());
    st.sigma_sq = ctx->saved_data["sigma_sq"].toDouble();
    st.cutoff = ctx->saved_data["cutoff"].toDouble();
    at::Tensor grad_points = at::zeros_like(pts);
    if (grads[0].defined()) {
      const at::Tensor grad_density = grads[0].contiguous();
      AT_DISPATCH_FLOATING_TYPES(pts.scalar_type(), "point_splat_backward", [&] {
        SplatBackwardParams<scalar_t> p;
        p.sizes = sizes_of(pts, st);
        p.points = pts.data_ptr<scalar_t>();
        p.grad_density = grad_density.data_ptr<scalar_t>();
        p.grad_points = grad_points.data_ptr<scalar_t>();
        if (pts.is_cuda())
          DIBR_CUDA_OR_FAIL(kWho, points::point_splat_backward_cuda(p, current_cuda_stream(pts)));
        else
          points::point_splat_backward_cpu(p);
      });
    }
    return {grad_points, at::Tensor()};
  }
};

}  // namespace

double point_splat_radius(const PointSplatSettings& st) {
  return std::sqrt(2.0 * st.sigma_sq * std::log(1.0 / st.cutoff));
}

at::Tensor point_splat_density(const at::Tensor& points, const PointSplatSettings& settings) {
  TORCH_CHECK(points.defined(), kWho, ": points is undefined");
  TORCH_CHECK(points.dim() == 3, kWho, ": points must have shape (B,N,2), got ", shape_text(points));
  check_shape(points, kWho, "points", {-1, -1, 2});
  check_float_like(points, kWho, "points", points, "points");
  TORCH_CHECK(settings.height > 0 && settings.width > 0, kWho, ": settings height and width must be > 0, got ",
              settings.height, "x", settings.width);
  TORCH_CHECK(settings.sigma_sq > 0 && std::isfinite(settings.sigma_sq), kWho, ": settings sigma_sq must be > 0, got ",
              settings.sigma_sq);
  TORCH_CHECK(settings.cutoff > 0 && settings.cutoff < 1, kWho, ": settings cutoff must be in (0, 1), got ",
              settings.cutoff);
  TORCH_CHECK(point_splat_radius(settings) < 1024, kWho, ": settings give a window of more than 1024 pixels");
  return PointSplat::apply(points.contiguous(), settings);
}

at::Tensor point_splat_mask(const at::Tensor& points, const PointSplatSettings& settings) {
  return at::tanh(point_splat_density(points, settings));
}

}  // namespace dibr
