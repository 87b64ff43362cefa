#pragma once
// Which prediction is rendered from which camera in a training step of the multi-view mesh methods (DIB-R,
// NMR, SoftRas): every prediction from every view of its own object (internal: trainer/methods only).
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace dibr {

struct ViewPairs {
  at::Tensor mesh;    // (N*views) int64: the prediction drawn by render r
  at::Tensor camera;  // (N*views) int64: the batch view whose camera and mask render r uses
};

// Render r = n * views + j shows prediction n from view j of n's object, i.e. camera (n / views) * views + j.
// Views of one object are adjacent in the batch (loader.h). Throws c10::Error naming `who` when the batch is
// not a whole number of objects.
ViewPairs cross_view_pairs(int64_t predictions, int64_t views, const c10::Device& device, const char* who);

}  // namespace dibr
