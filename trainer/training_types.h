#pragma once
// Plain data the training run publishes; shared by the CLI and the studio.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/prediction.h"

namespace dibr {

// One step's losses: the weighted total and the unweighted terms, named by the method's loss_terms.
struct LossTerms {
  double total = 0;
  std::vector<double> terms;
  double term(size_t i) const { return i < terms.size() ? terms[i] : 0.0; }
};

struct LossRecord {
  int64_t step = 0;
  LossTerms losses;
  double seconds = 0;  // wall time since training started
  double lr = 0;
};

// Predictions on the fixed preview set (preview_set.h): taken by the run every snapshot_every steps, or computed
// from a checkpoint (from_checkpoint). Tensors of a live snapshot live on the training device (the studio maps
// CUDA ones through interop).
constexpr int kFieldSliceResolution = 64;  // TrainingSnapshot::field_slices

struct TrainingSnapshot {
  int64_t step = -1;
  bool from_checkpoint = false;
  std::string checkpoint_path;           // when from_checkpoint
  std::string method;                    // e.g. "dibr"
  std::vector<std::string> loss_names;   // of losses.terms
  LossTerms losses;
  double steps_per_second = 0;
  double eta_seconds = 0;
  std::vector<std::string> preview_ids;  // "<class>/<id>"
  at::Tensor images;       // (P,3,S,S) inputs
  at::Tensor gt_masks;     // (P,S,S)
  at::Tensor silhouettes;  // (P,S,S) predicted soft silhouettes, same camera as the input
  at::Tensor renders;      // (P,3,S,S) predicted colour renders (may be undefined)
  Prediction prediction;   // the method's predictions for the P objects
  at::Tensor gt_points;    // (P,K,3) a few thousand GT points per preview object (CPU)
  at::Tensor field_slices; // (P,3,R,R) occupancy on the x, y, z = 0 planes (implicit fields only; else undefined)

  int count() const { return static_cast<int>(preview_ids.size()); }
  std::string label() const;  // "live step N", "checkpoint step N" or "no preview yet"
};

struct CheckpointInfo {
  std::string path;
  int64_t step = 0;
  double loss = 0;  // total loss at that step
  std::string method;
};

}  // namespace dibr
