#pragma once
// Plain data the training loop publishes; shared by the CLI and the studio.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dibr {

struct LossTerms {
  double total = 0, color = 0, iou = 0, laplacian = 0, flatten = 0;
};

struct LossRecord {
  int64_t step = 0;
  LossTerms losses;
  double seconds = 0;  // wall time since training started
};

// A preview of the fixed preview set, taken every snapshot_every steps.
// Tensors live on the training device (the studio maps CUDA ones through interop).
struct TrainingSnapshot {
  int64_t step = 0;
  LossTerms losses;
  double steps_per_second = 0;
  double eta_seconds = 0;
  std::vector<std::string> preview_ids;  // "<class>/<id>"
  at::Tensor images;       // (P,3,S,S) inputs
  at::Tensor gt_masks;     // (P,S,S)
  at::Tensor silhouettes;  // (P,S,S) predicted soft silhouettes, same camera as the input
  at::Tensor renders;      // (P,3,S,S) predicted colour renders
  at::Tensor vertices;     // (P,V,3) predicted, normalised
  at::Tensor colors;       // (P,V,3)
  at::Tensor faces;        // (F,3) int64
  at::Tensor gt_points;    // (P,K,3) a few thousand GT points per preview object (CPU)
};

struct CheckpointInfo {
  std::string path;
  int64_t step = 0;
  double loss = 0;  // total loss at that step
};

}  // namespace dibr
