#pragma once
// The fixed preview objects that the studio shows while training and for a checkpoint: one function chooses them,
// so the live view and the checkpoint view always show the same objects.
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

#include "trainer/dataset.h"

namespace dibr {

struct PreviewSet {
  std::vector<std::string> ids;       // "<class>/<id>"
  std::vector<NmrObject> objects;
  at::Tensor images;      // (P,3,S,S) view 0
  at::Tensor masks;       // (P,S,S)
  at::Tensor world_mats;  // (P,4,4)
  at::Tensor focals;      // (P)
  at::Tensor gt_points;   // (P,K,3), K = kPreviewPoints (evenly spaced GT points, repeated when fewer)
  std::vector<DatasetProblem> problems;  // objects that could not be loaded (skipped)
  int count() const { return static_cast<int>(ids.size()); }
};

constexpr int64_t kPreviewPoints = 2048;

// View 0 of `count` val objects (train when val is empty), taking each class in turn, at image_size; or of
// the objects named in `ids` (those found, in any split) when given. Tensors on the CPU.
PreviewSet select_preview_set(const Dataset& dataset, int count, int image_size, const std::vector<std::string>& ids = {});

}  // namespace dibr
