#pragma once
// What the silhouette and 3D views show: the live training snapshot or a checkpoint's predictions on the
// same fixed preview set.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/studio_job.h"
#include "trainer/training_types.h"

namespace dibr::studio {

struct PreviewData {
  bool from_checkpoint = false;
  int64_t step = -1;
  std::string checkpoint_path;     // when from_checkpoint
  std::vector<std::string> ids;    // "<class>/<id>"
  at::Tensor images;       // (P,3,S,S)
  at::Tensor gt_masks;     // (P,S,S)
  at::Tensor silhouettes;  // (P,S,S)
  at::Tensor vertices;     // (P,V,3)
  at::Tensor colors;       // (P,V,3)
  at::Tensor faces;        // (F,3)
  at::Tensor gt_points;    // (P,K,3), may be undefined
  int count() const { return static_cast<int>(ids.size()); }
  std::string label() const;  // "live step N" or "checkpoint step N"
};

PreviewData preview_from_snapshot(const TrainingSnapshot& snapshot);

// Loads the checkpoint into its own InferenceModel and predicts the preview set: view 0 of the first
// `count` objects of the val split (the trainer's choice), or of `ids` when given.
PreviewData predict_checkpoint_preview(const std::string& checkpoint_path, const std::string& data_root,
                                       const std::vector<std::string>& ids, int count, JobControl& control);

// (3,S,S) comparison of a predicted and a GT silhouette, both (S,S) in [0,1]: red = predicted only,
// green = GT only, white = both, black = neither.
at::Tensor silhouette_diff_image(const at::Tensor& predicted, const at::Tensor& gt);

}  // namespace dibr::studio
