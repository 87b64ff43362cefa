#include "trainer/methods/view_pairs.h"

#include <torch/torch.h>

namespace dibr {

ViewPairs cross_view_pairs(int64_t n, int64_t views, const c10::Device& device, const char* who) {
  TORCH_CHECK(views >= 1 && n % views == 0, who, ": batch of ", n,
              " images is not a whole number of objects x views_per_object=", views);
  const auto opts = torch::TensorOptions().dtype(torch::kInt64).device(device);
  ViewPairs p;
  p.mesh = torch::arange(n, opts).repeat_interleave(views);
  p.camera = torch::arange(n / views, opts).repeat_interleave(views * views) * views + torch::arange(views, opts).repeat({n});
  return p;
}

}  // namespace dibr
