// soft_rasterize: input validation, device/dtype dispatch and the autograd Function around the kernels.
#include "render/soft_rasterize.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "render/soft_raster_kernels.h"
#include "render/tensor_checks.h"

namespace dibr {
namespace {

using softras::SoftRasBackwardParams;
using softras::SoftRasForwardParams;
using softras::SoftRasSizes;

constexpr const char* kWho = "soft_rasterize";

void validate(const at::Tensor& image, const at::Tensor& depth, const at::Tensor& features,
              const at::Tensor& background, const SoftRasterizeSettings& st) {
  TORCH_CHECK(image.defined(), kWho, ": face_vertices_image is undefined");
  TORCH_CHECK(image.dim() == 4, kWho, ": face_vertices_image must have shape (B,F,3,2), got ", shape_text(image));
  const int64_t B = image.size(0), F = image.size(1);
  check_shape(image, kWho, "face_vertices_image", {B, F, 3, 2});
  check_float_like(image, kWho, "face_vertices_image", image, "face_vertices_image");
  check_shape(depth, kWho, "face_depth", {B, F, 3});
  check_float_like(depth, kWho, "face_depth", image, "face_vertices_image");
  if (features.defined()) {
    TORCH_CHECK(features.dim() == 4, kWho, ": face_features must have shape (B,F,3,D), got ", shape_text(features));
    check_shape(features, kWho, "face_features", {B, F, 3, -1});
    check_float_like(features, kWho, "face_features", image, "face_vertices_image");
  }
  if (background.defined()) {
    TORCH_CHECK(features.defined(), kWho, ": a background was given without face_features");
    check_shape(background, kWho, "background", {features.size(3)});
    check_float_like(background, kWho, "background", image, "face_vertices_image");
  }
  TORCH_CHECK(st.height > 0 && st.width > 0, kWho, ": settings height and width must be > 0, got ", st.height, "x",
              st.width);
  TORCH_CHECK(st.sigma > 0 && std::isfinite(st.sigma), kWho, ": settings sigma must be > 0, got ", st.sigma);
  TORCH_CHECK(st.dist_eps > 0 && st.dist_eps < 0.5, kWho, ": settings dist_eps must be in (0, 0.5), got ", st.dist_eps);
  TORCH_CHECK(st.gamma > 0 && std::isfinite(st.gamma), kWho, ": settings gamma must be > 0, got ", st.gamma);
  TORCH_CHECK(st.near > 0 && st.near < st.far, kWho, ": settings need 0 < near < far, got near ", st.near, ", far ",
              st.far);
  TORCH_CHECK(F < (int64_t(1) << 31), kWho, ": too many faces (", F, ")");
}

SoftRasSizes sizes_of(const at::Tensor& image, int64_t feature_dim, const SoftRasterizeSettings& st) {
  SoftRasSizes s;
  s.batch = image.size(0);
  s.num_faces = image.size(1);
  s.feature_dim = feature_dim;
  s.height = st.height;
  s.width = st.width;
  s.sigma = st.sigma;
  s.threshold = soft_rasterize_threshold(st);
  s.gamma = st.gamma;
  s.near = st.near;
  s.far = st.far;
  s.background_eps = st.background_eps;
  s.two_sided = st.two_sided;
  return s;
}

#ifndef DIBR_WITH_CUDA
[[noreturn]] void no_cuda_kernels() {
  TORCH_CHECK(false, kWho, ": got CUDA tensors but this build has no CUDA kernels "
                           "(render/soft_raster_cuda.cu is compiled only when CMake finds nvcc)");
}
#endif

template <typename scalar_t>
void launch_forward(const SoftRasForwardParams<scalar_t>& p, const at::Tensor& like) {
  if (p.sizes.batch == 0) return;
  if (like.is_cuda()) {
#ifdef DIBR_WITH_CUDA
    softras::soft_rasterize_forward_cuda(p, current_cuda_stream(like));
#else
    no_cuda_kernels();
#endif
  } else {
    softras::soft_rasterize_forward_cpu(p);
  }
}

template <typename scalar_t>
void launch_backward(const SoftRasBackwardParams<scalar_t>& p, const at::Tensor& like) {
  if (p.sizes.batch == 0) return;
  if (like.is_cuda()) {
#ifdef DIBR_WITH_CUDA
    softras::soft_rasterize_backward_cuda(p, current_cuda_stream(like));
#else
    no_cuda_kernels();
#endif
  } else {
    softras::soft_rasterize_backward_cpu(p);
  }
}

template <typename T>
T* ptr_or_null(const at::Tensor& t) {
  return t.defined() && t.numel() > 0 ? t.data_ptr<T>() : nullptr;
}

class SoftRasterize : public torch::autograd::Function<SoftRasterize> {
 public:
  // features is (B,F,3,D) with D >= 0, background (D).
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& image,
                                                const at::Tensor& depth, const at::Tensor& features,
                                                const at::Tensor& background, const SoftRasterizeSettings& st) {
    const c10::OptionalDeviceGuard guard(image.device());
    const SoftRasSizes s = sizes_of(image, features.size(3), st);
    const auto opts = image.options();
    at::Tensor alpha = at::empty({s.batch, s.height, s.width}, opts);
    at::Tensor out = at::empty({s.batch, s.height, s.width, s.feature_dim}, opts);
    const bool colour = s.feature_dim > 0;
    at::Tensor softmax_max = colour ? at::empty({s.batch, s.height, s.width}, opts) : at::empty({0}, opts);
    at::Tensor softmax_sum = colour ? at::empty({s.batch, s.height, s.width}, opts) : at::empty({0}, opts);
    AT_DISPATCH_FLOATING_TYPES(image.scalar_type(), "soft_rasterize_forward", [&] {
      SoftRasForwardParams<scalar_t> p;
      p.sizes = s;
      p.face_vertices_image = image.data_ptr<scalar_t>();
      p.face_depth = depth.data_ptr<scalar_t>();
      p.face_features = ptr_or_null<scalar_t>(features);
      p.background = ptr_or_null<scalar_t>(background);
      p.alpha = alpha.data_ptr<scalar_t>();
      p.features = ptr_or_null<scalar_t>(out);
      p.softmax_max = ptr_or_null<scalar_t>(softmax_max);
      p.softmax_sum = ptr_or_null<scalar_t>(softmax_sum);
      launch_forward(p, image);
    });
    ctx->save_for_backward({image, depth, features, alpha, out, softmax_max, softmax_sum});
    ctx->saved_data["height"] = static_cast<int64_t>(st.height);
    ctx->saved_data["width"] = static_cast<int64_t>(st.width);
    ctx->saved_data["sigma"] = st.sigma;
    ctx->saved_data["dist_eps"] = st.dist_eps;
    ctx->saved_data["gamma"] = st.gamma;
    ctx->saved_data["near"] = st.near;
    ctx->saved_data["far"] = st.far;
    ctx->saved_data["background_eps"] = st.background_eps;
    ctx->saved_data["two_sided"] = st.two_sided;
    return {alpha, out};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& image = saved[0];
    const at::Tensor& depth = saved[1];
    const at::Tensor& features = saved[2];
    const c10::OptionalDeviceGuard guard(image.device());
    SoftRasterizeSettings st;
    st.height = static_cast<int>(ctx->saved_data["height"].toInt());
    st.width = static_cast<int>(ctx->saved_data["width"].toInt());
    st.sigma = ctx->saved_data["sigma"].toDouble();
    st.dist_eps = ctx->saved_data["dist_eps"].toDouble();
    st.gamma = ctx->saved_data["gamma"].toDouble();
    st.near = ctx->saved_data["near"].toDouble();
    st.far = ctx->saved_data["far"].toDouble();
    st.background_eps = ctx->saved_data["background_eps"].toDouble();
    st.two_sided = ctx->saved_data["two_sided"].toBool();
    const SoftRasSizes s = sizes_of(image, features.size(3), st);

    const at::Tensor grad_alpha = grads[0].defined() ? grads[0].contiguous() : at::Tensor();
    const at::Tensor grad_out = grads[1].defined() && s.feature_dim > 0 ? grads[1].contiguous() : at::Tensor();
    at::Tensor grad_image = at::zeros_like(image);
    at::Tensor grad_depth = at::zeros_like(depth);
    at::Tensor grad_features = at::zeros_like(features);
    if (grad_alpha.defined() || grad_out.defined()) {
      AT_DISPATCH_FLOATING_TYPES(image.scalar_type(), "soft_rasterize_backward", [&] {
        SoftRasBackwardParams<scalar_t> p;
        p.sizes = s;
        p.face_vertices_image = image.data_ptr<scalar_t>();
        p.face_depth = depth.data_ptr<scalar_t>();
        p.face_features = ptr_or_null<scalar_t>(features);
        p.alpha = saved[3].data_ptr<scalar_t>();
        p.features = ptr_or_null<scalar_t>(saved[4]);
        p.softmax_max = ptr_or_null<scalar_t>(saved[5]);
        p.softmax_sum = ptr_or_null<scalar_t>(saved[6]);
        p.grad_alpha = ptr_or_null<scalar_t>(grad_alpha);
        p.grad_features = ptr_or_null<scalar_t>(grad_out);
        p.grad_face_vertices_image = grad_image.data_ptr<scalar_t>();
        p.grad_face_depth = grad_depth.data_ptr<scalar_t>();
        p.grad_face_features = ptr_or_null<scalar_t>(grad_features);
        launch_backward(p, image);
      });
    }
    return {grad_image, grad_depth, grad_features, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

double soft_rasterize_threshold(const SoftRasterizeSettings& settings) {
  return settings.sigma * std::log(1.0 / settings.dist_eps - 1.0);
}

SoftRasterizeOutput soft_rasterize(const at::Tensor& face_vertices_image, const at::Tensor& face_depth,
                                   const at::Tensor& face_features, const at::Tensor& background,
                                   const SoftRasterizeSettings& settings) {
  validate(face_vertices_image, face_depth, face_features, background, settings);
  const at::Tensor image = face_vertices_image.contiguous();
  const at::Tensor features = face_features.defined()
                                  ? face_features.contiguous()
                                  : at::zeros({image.size(0), image.size(1), 3, 0}, image.options());
  const at::Tensor bg = background.defined() ? background.contiguous() : at::zeros({features.size(3)}, image.options());
  auto out = SoftRasterize::apply(image, face_depth.contiguous(), features, bg.detach(), settings);
  return {out[0], out[1]};
}

}  // namespace dibr
