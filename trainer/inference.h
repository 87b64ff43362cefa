#pragma once
// A separate model for predictions from a checkpoint, safe to use while training goes on.
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <vector>

#include "trainer/config.h"
#include "trainer/training_types.h"

namespace dibr {

struct Prediction {
  at::Tensor vertices;     // (B,V,3) normalised
  at::Tensor colors;       // (B,V,3)
  at::Tensor faces;        // (F,3)
  at::Tensor silhouettes;  // (B,S,S) when cameras were given, else undefined
  at::Tensor renders;      // (B,3,S,S) when cameras were given
};

class InferenceModel {
 public:
  // Loads the model weights and config stored in a checkpoint. Throws std::runtime_error naming the file.
  explicit InferenceModel(const std::string& checkpoint_path, const std::string& device = "cpu");
  ~InferenceModel();
  const TrainConfig& config() const;
  int64_t step() const;
  // images (B,3,S,S) in [0,1]; world_mats (B,4,4) and focals (B) optional for silhouettes/renders.
  Prediction predict(const at::Tensor& images, const at::Tensor& world_mats = {}, const at::Tensor& focals = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Checkpoints under a run folder (latest.pt and step_*.pt), sorted by step.
std::vector<CheckpointInfo> list_checkpoints(const std::string& run_dir);

}  // namespace dibr
