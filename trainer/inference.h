#pragma once
// A separate model for predictions from a checkpoint, safe to use while training goes on.
#include <ATen/core/Tensor.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "trainer/config.h"
#include "trainer/method.h"
#include "trainer/prediction.h"

namespace dibr {

struct InferenceResult {
  Prediction prediction;
  at::Tensor silhouettes;  // (B,S,S) when cameras were given, else undefined
  at::Tensor renders;      // (B,3,S,S) when cameras were given and the method renders colour
};

class InferenceModel {
 public:
  // Loads the config and weights stored in a checkpoint and builds its method. Throws std::runtime_error naming the
  // file: unreadable, an unknown method, weights of another network, or non-finite weights.
  // overrides: config fields set over the checkpoint's (key -> text, e.g. {"dvr.mise_resolution", "64"}); only
  // fields that do not change the network are allowed (the extraction settings of an implicit field).
  explicit InferenceModel(const std::string& checkpoint_path, const std::string& device = "cpu",
                          const std::vector<std::pair<std::string, std::string>>& overrides = {});
  ~InferenceModel();
  const TrainConfig& config() const;
  const MethodInfo& method() const;
  int64_t step() const;
  // Number of trained values (parameters) of the network.
  int64_t parameter_count() const;
  // images (B,3,S,S) in [0,1]; world_mats (B,4,4) and focals (B) optional for silhouettes/renders.
  InferenceResult predict(const at::Tensor& images, const at::Tensor& world_mats = {}, const at::Tensor& focals = {});
  // Method::field_slices of a prediction (undefined unless the method predicts an implicit field).
  at::Tensor field_slices(const Prediction& prediction, int resolution);
  // Renders predictions (e.g. one repeated) from the given cameras with the checkpoint's renderer settings.
  RenderedViews render(const Prediction& prediction, const at::Tensor& world_mats, const at::Tensor& focals, int image_size);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
