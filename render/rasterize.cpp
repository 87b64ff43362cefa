// dibr_rasterize: input validation, device/dtype dispatch and the autograd Function around the kernels.
#include "render/rasterize.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>
#include <torch/csrc/autograd/custom_function.h>

#include <string>

#include "render/raster_kernels.h"
#include "render/tensor_checks.h"


namespace dibr {
static_assert(kRasterMaxKnum == raster::kMaxKnum, "rasterize.h and raster_kernels.h disagree on knum");

namespace {

using raster::RasterBackwardParams;
using raster::RasterForwardParams;
using raster::RasterSizes;

void validate(const at::Tensor& z, const at::Tensor& image, const at::Tensor& features, const at::Tensor& normals_z,
              const RasterizeSettings& st) {
  const std::pair<const at::Tensor*, const char*> all[] = {
      {&z, "face_vertices_z"}, {&image, "face_vertices_image"}, {&features, "face_features"},
      {&normals_z, "face_normals_z"}};
  constexpr const char* who = "dibr_rasterize";
  for (const auto& [t, name] : all) TORCH_CHECK(t->defined(), who, ": ", name, " is undefined");
  TORCH_CHECK(image.dim() == 4, who, ": face_vertices_image must have shape (B,F,3,2), got ", shape_text(image));
  const int64_t B = image.size(0), F = image.size(1);
  check_shape(image, who, "face_vertices_image", {B, F, 3, 2});
  check_shape(z, who, "face_vertices_z", {B, F, 3});
  TORCH_CHECK(features.dim() == 4, who, ": face_features must have shape (B,F,3,D), got ", shape_text(features));
  check_shape(features, who, "face_features", {B, F, 3, -1});
  check_shape(normals_z, who, "face_normals_z", {B, F});
  for (const auto& [t, name] : all) check_float_like(*t, who, name, image, "face_vertices_image");
  TORCH_CHECK(st.height > 0 && st.width > 0, "dibr_rasterize: settings height and width must be > 0, got ",
              st.height, "x", st.width);
  TORCH_CHECK(st.knum > 0 && st.knum <= raster::kMaxKnum, "dibr_rasterize: settings knum must be in [1, ",
              raster::kMaxKnum, "], got ", st.knum);
  TORCH_CHECK(st.sigmainv > 0, "dibr_rasterize: settings sigmainv must be > 0, got ", st.sigmainv);
  TORCH_CHECK(st.boxlen >= 0, "dibr_rasterize: settings boxlen must be >= 0, got ", st.boxlen);
  TORCH_CHECK(F < (int64_t(1) << 31), "dibr_rasterize: too many faces (", F, ")");
}

RasterSizes sizes_of(const at::Tensor& features, const RasterizeSettings& st) {
  RasterSizes s;
  s.batch = features.size(0);
  s.num_faces = features.size(1);
  s.feature_dim = features.size(3);
  s.height = st.height;
  s.width = st.width;
  s.sigmainv = st.sigmainv;
  s.boxlen = st.boxlen;
  s.knum = st.knum;
  s.distance_to_boundary = st.soft_distance == SoftMaskDistance::Boundary;
  s.deterministic_backward = st.deterministic_backward;
  return s;
}

#ifndef DIBR_WITH_CUDA
[[noreturn]] void no_cuda_kernels() {
  TORCH_CHECK(false, "dibr_rasterize: got CUDA tensors but this build has no CUDA kernels "
                     "(render/raster_cuda.cu is compiled only when CMake finds nvcc)");
}
#endif

template <typename scalar_t>
void launch_forward(const RasterForwardParams<scalar_t>& p, const at::Tensor& like) {
  if (p.sizes.batch == 0) return;
  if (like.is_cuda()) {
#ifdef DIBR_WITH_CUDA
    raster::rasterize_forward_cuda(p, current_cuda_stream(like));
#else
    no_cuda_kernels();
#endif
  } else {
    raster::rasterize_forward_cpu(p);
  }
}

template <typename scalar_t>
void launch_backward(const RasterBackwardParams<scalar_t>& p, const at::Tensor& like) {
  if (p.sizes.batch == 0) return;
  if (like.is_cuda()) {
#ifdef DIBR_WITH_CUDA
    raster::rasterize_backward_cuda(p, current_cuda_stream(like));
#else
    no_cuda_kernels();
#endif
  } else {
    raster::rasterize_backward_cpu(p);
  }
}

class DibrRasterize : public torch::autograd::Function<DibrRasterize> {
 public:
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, const at::Tensor& z,
                                                const at::Tensor& image, const at::Tensor& features,
                                                const at::Tensor& normals_z, const RasterizeSettings& st) {
    const c10::OptionalDeviceGuard guard(image.device());  // kernels launch on the inputs' GPU
    const RasterSizes s = sizes_of(features, st);
    const auto opts = image.options();
    raster::BatchTileBins* bins = nullptr;
    at::Tensor face_boxes;  // CUDA scratch
    at::Tensor out_features = at::empty({s.batch, s.height, s.width, s.feature_dim}, opts);
    at::Tensor soft_mask = at::empty({s.batch, s.height, s.width}, opts);
    at::Tensor face_index = at::empty({s.batch, s.height, s.width}, opts.dtype(at::kLong));
    AT_DISPATCH_FLOATING_TYPES(image.scalar_type(), "dibr_rasterize_forward", [&] {
      RasterForwardParams<scalar_t> p;
      p.sizes = s;
      p.face_vertices_z = z.data_ptr<scalar_t>();
      p.face_vertices_image = image.data_ptr<scalar_t>();
      p.face_features = features.data_ptr<scalar_t>();
      p.face_normals_z = normals_z.data_ptr<scalar_t>();
      p.features = out_features.data_ptr<scalar_t>();
      p.soft_mask = soft_mask.data_ptr<scalar_t>();
      p.face_index = face_index.data_ptr<int64_t>();
      if (!image.is_cuda()) p.keep_bins = &bins;
      if (image.is_cuda()) {
        face_boxes = at::empty({s.batch, s.num_faces, 4}, opts.dtype(at::kInt));
        p.face_boxes = face_boxes.data_ptr<int32_t>();
      }
      launch_forward(p, image);
    });
    ctx->save_for_backward({image, features, face_index});
    // The CPU coarse pass, for the backward: a one-byte tensor whose deleter frees it with the context.
    if (bins)
      ctx->saved_data["bins"] = at::from_blob(
          bins, {1}, [](void* b) { raster::delete_batch_tile_bins(static_cast<raster::BatchTileBins*>(b)); },
          at::TensorOptions().dtype(at::kByte));
    ctx->saved_data["height"] = static_cast<int64_t>(st.height);
    ctx->saved_data["width"] = static_cast<int64_t>(st.width);
    ctx->saved_data["sigmainv"] = st.sigmainv;
    ctx->saved_data["boxlen"] = st.boxlen;
    ctx->saved_data["knum"] = static_cast<int64_t>(st.knum);
    ctx->saved_data["soft_distance"] = static_cast<int64_t>(st.soft_distance);
    ctx->saved_data["deterministic_backward"] = st.deterministic_backward;
    ctx->mark_non_differentiable({face_index});
    return {out_features, soft_mask, face_index};
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& image = saved[0];
    const at::Tensor& features = saved[1];
    const at::Tensor& face_index = saved[2];
    const c10::OptionalDeviceGuard guard(image.device());  // kernels launch on the inputs' GPU
    RasterizeSettings st;
    st.height = static_cast<int>(ctx->saved_data["height"].toInt());
    st.width = static_cast<int>(ctx->saved_data["width"].toInt());
    st.sigmainv = ctx->saved_data["sigmainv"].toDouble();
    st.boxlen = ctx->saved_data["boxlen"].toDouble();
    st.knum = static_cast<int>(ctx->saved_data["knum"].toInt());
    st.soft_distance = static_cast<SoftMaskDistance>(ctx->saved_data["soft_distance"].toInt());
    st.deterministic_backward = ctx->saved_data["deterministic_backward"].toBool();
    const RasterSizes s = sizes_of(features, st);

    at::Tensor grad_features = grads[0].defined() ? grads[0].contiguous() : at::Tensor();
    at::Tensor grad_mask = grads[1].defined() ? grads[1].contiguous() : at::Tensor();
    at::Tensor grad_image = at::zeros_like(image);
    at::Tensor grad_face_features = at::zeros_like(features);
    if (grad_features.defined() || grad_mask.defined()) {
      AT_DISPATCH_FLOATING_TYPES(image.scalar_type(), "dibr_rasterize_backward", [&] {
        RasterBackwardParams<scalar_t> p;
        p.sizes = s;
        p.face_vertices_image = image.data_ptr<scalar_t>();
        p.face_features = features.data_ptr<scalar_t>();
        p.face_index = face_index.data_ptr<int64_t>();
        p.grad_features = grad_features.defined() ? grad_features.data_ptr<scalar_t>() : nullptr;
        p.grad_soft_mask = grad_mask.defined() ? grad_mask.data_ptr<scalar_t>() : nullptr;
        p.grad_face_vertices_image = grad_image.data_ptr<scalar_t>();
        p.grad_face_features = grad_face_features.data_ptr<scalar_t>();
        if (ctx->saved_data.count("bins"))
          p.bins = static_cast<const raster::BatchTileBins*>(ctx->saved_data["bins"].toTensor().data_ptr());
        at::Tensor face_boxes, scratch;  // CUDA scratch
        if (image.is_cuda()) {
          face_boxes = at::empty({s.batch, s.num_faces, 4}, image.options().dtype(at::kInt));
          p.face_boxes = face_boxes.data_ptr<int32_t>();
          if (s.deterministic_backward) {
            scratch = at::empty({s.batch * int64_t(raster::deterministic_scratch_bytes(s, sizeof(scalar_t)))},
                                image.options().dtype(at::kByte));
            p.scratch = scratch.data_ptr<uint8_t>();
          }
        }
        launch_backward(p, image);
      });
    }
    // No gradient to face_vertices_z (depth only picks the winner), face_normals_z (culling) or settings.
    return {at::Tensor(), grad_image, grad_face_features, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

RasterizeOutput dibr_rasterize(const at::Tensor& face_vertices_z, const at::Tensor& face_vertices_image,
                               const at::Tensor& face_features, const at::Tensor& face_normals_z,
                               const RasterizeSettings& settings) {
  validate(face_vertices_z, face_vertices_image, face_features, face_normals_z, settings);
  auto out = DibrRasterize::apply(face_vertices_z.contiguous(), face_vertices_image.contiguous(),
                                  face_features.contiguous(), face_normals_z.contiguous(), settings);
  return {out[0], out[1], out[2]};
}

}  // namespace dibr
