// squared_distance_transform: validation, scratch buffers and dispatch.
#include "render/distance_transform.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <c10/core/DeviceGuard.h>

#include <algorithm>

#include "render/distance_transform_kernels.h"
#include "render/tensor_checks.h"

namespace dibr {

at::Tensor squared_distance_transform(const at::Tensor& masks_in, double threshold, double empty_value) {
  constexpr const char* kWho = "squared_distance_transform";
  TORCH_CHECK(masks_in.defined() && masks_in.dim() == 3, kWho, ": masks must have shape (B,H,W), got ",
              masks_in.defined() ? shape_text(masks_in) : std::string("undefined"));
  check_float_like(masks_in, kWho, "masks", masks_in, "masks");
  const c10::OptionalDeviceGuard guard(masks_in.device());
  const at::Tensor masks = masks_in.detach().contiguous();
  const int64_t B = masks.size(0), H = masks.size(1), W = masks.size(2);
  at::Tensor out = at::empty_like(masks);
  if (masks.numel() == 0) return out;
  const int64_t longest = std::max(H, W);
  at::Tensor columns = at::empty_like(masks);
  at::Tensor envelope = at::empty({B * longest, longest}, masks.options().dtype(at::kInt));
  at::Tensor bounds = at::empty({B * longest, longest + 1}, masks.options());
  AT_DISPATCH_FLOATING_TYPES(masks.scalar_type(), "squared_distance_transform", [&] {
    edt::EdtParams<scalar_t> p;
    p.sizes = {B, static_cast<int>(H), static_cast<int>(W), threshold};
    p.mask = masks.data_ptr<scalar_t>();
    p.columns = columns.data_ptr<scalar_t>();
    p.out = out.data_ptr<scalar_t>();
    p.envelope = envelope.data_ptr<int>();
    p.bounds = bounds.data_ptr<scalar_t>();
    if (masks.is_cuda())
      DIBR_CUDA_OR_FAIL(kWho, edt::distance_transform_cuda(p, current_cuda_stream(masks)));
    else
      edt::distance_transform_cpu(p);
  });
  // An image without a seed keeps values near kFar.
  return at::where(out >= 0.5 * edt::kFar, at::full_like(out, empty_value), out);
}

}  // namespace dibr
