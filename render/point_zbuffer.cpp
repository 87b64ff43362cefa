// point_zbuffer: validation, dispatch and the autograd Function around the soft z-buffer kernels.
#include "render/point_zbuffer.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>
#include <limits>

#include "render/point_zbuffer_kernels.h"
#include "render/tensor_checks.h"

namespace dibr {
namespace {

using points::ZbufferBackwardParams;
using points::ZbufferForwardParams;
using points::ZbufferSizes;

constexpr const char* kWho = "point_zbuffer";

ZbufferSizes sizes_of(const at::Tensor& pts, const at::Tensor& features, const PointZbufferSettings& st) {
  ZbufferSizes s;
  s.batch = pts.size(0);
  s.num_points = pts.size(1);
  s.feature_dim = features.size(2);
  s.height = st.height;
  s.width = st.width;
  s.well_radius = st.well_radius;
  s.beta = st.beta;
  return s;
}

class PointZbuffer : public torch::autograd::Function<PointZbuffer> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& pts,
                                                const at::Tensor& depth, const at::Tensor& features,
                                                const PointZbufferSettings& st) {
    const c10::OptionalDeviceGuard guard(pts.device());
    const ZbufferSizes s = sizes_of(pts, features, st);
    const auto opts = pts.options();
    at::Tensor logit_max = at::full({s.batch, s.height, s.width}, -std::numeric_limits<double>::infinity(), opts);
    at::Tensor weight_sum = at::zeros({s.batch, s.height, s.width}, opts);
    at::Tensor image = at::zeros({s.batch, s.height, s.width, s.feature_dim}, opts);
    AT_DISPATCH_FLOATING_TYPES(pts.scalar_type(), "point_zbuffer_forward", [&] {
      ZbufferForwardParams<scalar_t> p;
      p.sizes = s;
      p.points = pts.data_ptr<scalar_t>();
      p.depth = depth.data_ptr<scalar_t>();
      p.features = features.data_ptr<scalar_t>();
      p.logit_max = logit_max.data_ptr<scalar_t>();
      p.weight_sum = weight_sum.data_ptr<scalar_t>();
      p.image = image.data_ptr<scalar_t>();
      if (pts.is_cuda())
        DIBR_CUDA_OR_FAIL(kWho, points::point_zbuffer_forward_cuda(p, current_cuda_stream(pts)));
      else
        points::point_zbuffer_forward_cpu(p);
    });
    ctx->save_for_backward({pts, depth, features, logit_max, weight_sum, image});
    ctx->saved_data["height"] = static_cast<int64_t>(st.height);
    ctx->saved_data["width"] = static_cast<int64_t>(st.width);
    ctx->saved_data["well_radius"] = st.well_radius;
    ctx->saved_data["beta"] = st.beta;
    ctx->mark_non_differentiable({weight_sum});
    return {image, weight_sum};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& pts = saved[0];
    const at::Tensor& depth = saved[1];
    const at::Tensor& features = saved[2];
    const c10::OptionalDeviceGuard guard(pts.device());
    PointZbufferSettings st;
    st.height = static_cast<int>(ctx->saved_data["height"].toInt());
    st.width = static_cast<int>(ctx->saved_data["width"].toInt());
    st.well_radius = ctx->saved_data["well_radius"].toDouble();
    st.beta = ctx->saved_data["beta"].toDouble();
    at::Tensor grad_depth = at::zeros_like(depth);
    at::Tensor grad_features = at::zeros_like(features);
    if (grads[0].defined()) {
      const at::Tensor grad_image = grads[0].contiguous();
      AT_DISPATCH_FLOATING_TYPES(pts.scalar_type(), "point_zbuffer_backward", [&] {
        ZbufferBackwardParams<scalar_t> p;
        p.sizes = sizes_of(pts, features, st);
        p.points = pts.data_ptr<scalar_t>();
        p.depth = depth.data_ptr<scalar_t>();
        p.features = features.data_ptr<scalar_t>();
        p.logit_max = saved[3].data_ptr<scalar_t>();
        p.weight_sum = saved[4].data_ptr<scalar_t>();
        p.image = saved[5].data_ptr<scalar_t>();
        p.grad_image = grad_image.data_ptr<scalar_t>();
        p.grad_depth = grad_depth.data_ptr<scalar_t>();
        p.grad_features = grad_features.data_ptr<scalar_t>();
        if (pts.is_cuda())
          DIBR_CUDA_OR_FAIL(kWho, points::point_zbuffer_backward_cuda(p, current_cuda_stream(pts)));
        else
          points::point_zbuffer_backward_cpu(p);
      });
    }
    return {at::zeros_like(pts), grad_depth, grad_features, at::Tensor()};
  }
};

}  // namespace

PointZbufferOutput point_zbuffer(const at::Tensor& points, const at::Tensor& depth, const at::Tensor& features,
                                 const PointZbufferSettings& settings) {
  TORCH_CHECK(points.defined() && depth.defined() && features.defined(), kWho,
              ": points, depth and features must all be defined");
  TORCH_CHECK(points.dim() == 3, kWho, ": points must have shape (B,N,2), got ", shape_text(points));
  const int64_t B = points.size(0), N = points.size(1);
  check_shape(points, kWho, "points", {B, N, 2});
  check_float_like(points, kWho, "points", points, "points");
  check_shape(depth, kWho, "depth", {B, N});
  check_float_like(depth, kWho, "depth", points, "points");
  TORCH_CHECK(features.dim() == 3, kWho, ": features must have shape (B,N,D), got ", shape_text(features));
  check_shape(features, kWho, "features", {B, N, -1});
  check_float_like(features, kWho, "features", points, "points");
  TORCH_CHECK(settings.height > 0 && settings.width > 0, kWho, ": settings height and width must be > 0, got ",
              settings.height, "x", settings.width);
  TORCH_CHECK(settings.well_radius >= 0 && settings.well_radius < 1024, kWho,
              ": settings well_radius must be in [0, 1024), got ", settings.well_radius);
  TORCH_CHECK(settings.beta > 0 && std::isfinite(settings.beta), kWho, ": settings beta must be > 0, got ", settings.beta);
  auto out = PointZbuffer::apply(points.contiguous(), depth.contiguous(), features.contiguous(), settings);
  return {out[0], (out[1] > 0).to(points.scalar_type())};
}

}  // namespace dibr
