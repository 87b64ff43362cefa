// nmr_rasterize: input validation, device/dtype dispatch, the autograd Function around the kernels and the
// anti-aliasing pool.
#include "render/nmr_rasterize.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "render/nmr_raster_kernels.h"
#include "render/tensor_checks.h"

namespace dibr {
namespace {

using nmr::NmrBackwardParams;
using nmr::NmrForwardParams;
using nmr::NmrRasterSizes;

constexpr const char* kWho = "nmr_rasterize";

void validate(const at::Tensor& image, const at::Tensor& depth, const NmrRasterizeSettings& st) {
  TORCH_CHECK(image.defined(), kWho, ": face_vertices_image is undefined");
  TORCH_CHECK(image.dim() == 4, kWho, ": face_vertices_image must have shape (B,F,3,2), got ", shape_text(image));
  const int64_t B = image.size(0), F = image.size(1);
  check_shape(image, kWho, "face_vertices_image", {B, F, 3, 2});
  check_float_like(image, kWho, "face_vertices_image", image, "face_vertices_image");
  check_shape(depth, kWho, "face_depth", {B, F, 3});
  check_float_like(depth, kWho, "face_depth", image, "face_vertices_image");
  TORCH_CHECK(st.height > 0 && st.width > 0, kWho, ": settings height and width must be > 0, got ", st.height, "x",
              st.width);
  TORCH_CHECK(st.near > 0 && st.near < st.far, kWho, ": settings need 0 < near < far, got near ", st.near, ", far ",
              st.far);
  TORCH_CHECK(st.eps > 0 && std::isfinite(st.eps), kWho, ": settings eps must be > 0, got ", st.eps);
  TORCH_CHECK(F < (int64_t(1) << 31), kWho, ": too many faces (", F, ")");
}

NmrRasterSizes sizes_of(const at::Tensor& image, int raster_height, int raster_width, double near, double far,
                        double eps) {
  NmrRasterSizes s;
  s.batch = image.size(0);
  s.num_faces = image.size(1);
  s.height = raster_height;
  s.width = raster_width;
  s.near = near;
  s.far = far;
  s.eps = eps;
  return s;
}

#ifndef DIBR_WITH_CUDA
[[noreturn]] void no_cuda_kernels() {
  TORCH_CHECK(false, kWho, ": got CUDA tensors but this build has no CUDA kernels "
                           "(render/nmr_raster_cuda.cu is compiled only when CMake finds nvcc)");
}
#endif

class NmrRasterize : public torch::autograd::Function<NmrRasterize> {
 public:
  // Returns {alpha, face_index} at the rasterized size.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& image,
                                                const at::Tensor& depth, int64_t height, int64_t width, double near,
                                                double far, double eps) {
    const c10::OptionalDeviceGuard guard(image.device());
    const NmrRasterSizes s = sizes_of(image, int(height), int(width), near, far, eps);
    at::Tensor alpha = at::empty({s.batch, height, width}, image.options());
    at::Tensor face_index = at::empty({s.batch, height, width}, image.options().dtype(at::kInt));
    if (s.batch > 0) {
      AT_DISPATCH_FLOATING_TYPES(image.scalar_type(), "nmr_rasterize_forward", [&] {
        NmrForwardParams<scalar_t> p;
        p.sizes = s;
        p.face_vertices_image = image.data_ptr<scalar_t>();
        p.face_depth = depth.data_ptr<scalar_t>();
        p.face_index = face_index.data_ptr<int32_t>();
        p.alpha = alpha.data_ptr<scalar_t>();
        if (image.is_cuda()) {
#ifdef DIBR_WITH_CUDA
          nmr::nmr_rasterize_forward_cuda(p, current_cuda_stream(image));
#else
          no_cuda_kernels();
#endif
        } else {
          nmr::nmr_rasterize_forward_cpu(p);
        }
      });
    }
    ctx->mark_non_differentiable({face_index});
    ctx->save_for_backward({image, alpha, face_index});
    ctx->saved_data["near"] = near;
    ctx->saved_data["far"] = far;
    ctx->saved_data["eps"] = eps;
    return {alpha, face_index};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& image = saved[0];
    const at::Tensor& alpha = saved[1];
    const at::Tensor& face_index = saved[2];
    const c10::OptionalDeviceGuard guard(image.device());
    at::Tensor grad_image = at::zeros_like(image);
    if (grads[0].defined() && image.size(0) > 0) {
      const at::Tensor grad_alpha = grads[0].contiguous();
      const NmrRasterSizes s = sizes_of(image, int(alpha.size(1)), int(alpha.size(2)), ctx->saved_data["near"].toDouble(),
                                        ctx->saved_data["far"].toDouble(), ctx->saved_data["eps"].toDouble());
      AT_DISPATCH_FLOATING_TYPES(image.scalar_type(), "nmr_rasterize_backward", [&] {
        NmrBackwardParams<scalar_t> p;
        p.sizes = s;
        p.face_vertices_image = image.data_ptr<scalar_t>();
        p.face_index = face_index.data_ptr<int32_t>();
        p.alpha = alpha.data_ptr<scalar_t>();
        p.grad_alpha = grad_alpha.data_ptr<scalar_t>();
        p.grad_face_vertices_image = grad_image.data_ptr<scalar_t>();
        if (image.is_cuda()) {
#ifdef DIBR_WITH_CUDA
          nmr::nmr_rasterize_backward_cuda(p, current_cuda_stream(image));
#else
          no_cuda_kernels();
#endif
        } else {
          nmr::nmr_rasterize_backward_cpu(p);
        }
      });
    }
    return {grad_image, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

NmrRasterizeOutput nmr_rasterize(const at::Tensor& face_vertices_image, const at::Tensor& face_depth,
                                 const NmrRasterizeSettings& settings) {
  validate(face_vertices_image, face_depth, settings);
  const int scale = settings.anti_aliasing ? 2 : 1;
  auto out = NmrRasterize::apply(face_vertices_image.contiguous(), face_depth.contiguous(),
                                 int64_t(settings.height) * scale, int64_t(settings.width) * scale, settings.near,
                                 settings.far, settings.eps);
  NmrRasterizeOutput r;
  r.face_index = out[1];
  r.alpha = settings.anti_aliasing ? at::avg_pool2d(out[0].unsqueeze(1), {2, 2}).squeeze(1) : out[0];
  return r;
}

}  // namespace dibr
