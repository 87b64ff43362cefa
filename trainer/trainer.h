#pragma once
// One training run's parts (method, optimiser, loader, preview set) and its step. No thread, no files besides
// checkpoints: the thread and state machine are TrainingRun's (training_run.h), metrics.csv is MetricsLog's.
#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "trainer/config.h"
#include "trainer/dataset.h"
#include "trainer/distributed/communicator.h"
#include "trainer/loader.h"
#include "trainer/method.h"
#include "trainer/training_types.h"

namespace torch::nn {
class Module;
}

namespace dibr {

// A step whose loss was NaN or Inf; the model is untouched.
struct NonFiniteLoss : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Trainer {
 public:
  // Validates the config, restricts the dataset to config.data.classes, resolves the device and builds the method
  // (seeded by config.system.seed), the optimiser, the loader and the preview set. resume: continue exactly from
  // <out>/latest.pt when it exists (model, optimiser, RNG, loader position); a checkpoint of another method is
  // refused. Throws std::invalid_argument for a bad config, std::runtime_error for bad data or checkpoints.
  //
  // group: train as one rank of a distributed run (docs/distributed.md): this rank's shard of the training objects
  // (object i goes to rank i mod world) drawn with rank_seed(), parameters and buffers broadcast from rank 0, buffers
  // again before each step, gradients averaged over ranks, logged losses averaged. Every rank must resume from the
  // same checkpoint. Only rank 0 has a preview set; save() is for rank 0 alone.
  Trainer(TrainConfig config, std::shared_ptr<const Dataset> dataset, bool resume, Communicator* group = nullptr);
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // One optimisation step at learning_rate_at(step). Throws NonFiniteLoss naming the step and the terms.
  LossRecord train_step();
  // A distributed run stops together: a rank asked to stop votes in its next step, and after that step every rank
  // sees group_stopping() (one process: the vote is its own).
  void vote_stop();
  bool group_stopping() const;
  // Writes a checkpoint of the current step to path (atomically).
  void save(const std::string& path) const;
  // The method's predictions on the preview set (null without preview objects).
  std::shared_ptr<TrainingSnapshot> snapshot();

  int64_t step() const;
  bool resumed() const;
  const TrainConfig& config() const;
  const MethodInfo& method() const;
  const c10::Device& device() const;
  const Dataset& dataset() const;
  torch::nn::Module& network();  // the method's trained network  // restricted to the config's classes
  std::vector<DatasetProblem> dataset_problems() const;  // the dataset's, the preview set's and broken_objects()
  std::vector<DatasetProblem> broken_objects() const;    // training objects that failed to load (BatchLoader)
  std::string latest_checkpoint_path() const;  // <out>/latest.pt

  // Test hook: called with the index of the step about to run (0 for the first) and its batch, before the forward
  // pass (e.g. to poison the input with a NaN).
  void set_batch_hook(std::function<void(int64_t step, Batch& batch)> hook);

  // The config stored in a checkpoint (e.g. to resume a run without repeating its settings).
  static TrainConfig config_from_checkpoint(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
