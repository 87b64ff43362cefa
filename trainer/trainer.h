#pragma once
// Training loop that can run on a background thread (studio) or block (CLI).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainer/config.h"
#include "trainer/loader.h"
#include "trainer/training_types.h"

namespace dibr {

enum class TrainerState { Idle, Running, Paused, Stopping, Finished, Failed };
const char* to_string(TrainerState state);

struct TrainerProgress {
  int64_t step = 0, max_steps = 0;
  double steps_per_second = 0, eta_seconds = 0;
  LossTerms losses;
};

class Trainer {
 public:
  // resume: continue from <out_dir>/latest.pt when it exists (exactly: model, optimiser, scheduler, RNG, loader).
  explicit Trainer(TrainConfig config, bool resume = false);
  ~Trainer();  // stops (writing a checkpoint) and joins
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Background thread.
  void start();
  void pause();
  void resume();
  void stop();  // finish the current step, write latest.pt, return when the thread has ended
  void wait();  // until the thread ends by itself (max_steps) or is stopped

  // Same thread; on_progress is called every step. Returns when max_steps is reached or stop() is called.
  // Throws std::runtime_error(error()) when training fails (state Failed, e.g. a NaN loss).
  void run(const std::function<void(const TrainerProgress&)>& on_progress = {});

  TrainerState state() const;
  std::string error() const;  // why it Failed (e.g. a NaN loss), empty otherwise
  int64_t step() const;
  const TrainConfig& config() const;
  std::string device_name() const;  // "cpu" or "cuda:0"
  std::shared_ptr<const TrainingSnapshot> latest_snapshot() const;
  std::vector<LossRecord> loss_history() const;
  std::vector<CheckpointInfo> checkpoints() const;
  // Every object or class the dataset index skipped (also printed to stderr once at construction).
  std::vector<DatasetProblem> dataset_problems() const;
  // Where latest.pt lives: <out_dir>/latest.pt.
  std::string latest_checkpoint_path() const;

  // Test hook: called with the index of the step about to run (0 for the first) and its batch, before
  // the forward pass (e.g. to poison the input with a NaN). Set it before start()/run().
  void set_batch_hook(std::function<void(int64_t step, Batch& batch)> hook);

  // The config stored in a checkpoint (e.g. to resume a run without repeating its settings).
  static TrainConfig config_from_checkpoint(const std::string& path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
