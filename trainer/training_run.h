#pragma once
// The one thread and state machine of training, used by `dibr train` and the studio alike. start() returns at
// once: the Trainer is built on the background thread (indexing data, building the model and resuming take
// seconds), then it trains until max_steps, stop() or a failure, writing metrics.csv, the snapshots and the
// checkpoints at the cadence of config.run.
//
//   Idle -> Creating -> Running <-> Paused
//                         |  stop()  -> Stopping -> Stopped   (latest.pt written)
//                         |  max_steps           -> Finished  (latest.pt written)
//                         '- error / NaN         -> Failed    (error() says why; nothing non-finite is saved)
// A Stopped run can be started again (it continues from its latest.pt).
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainer/config.h"
#include "trainer/dataset.h"
#include "trainer/distributed/distributed_setup.h"
#include "trainer/loader.h"
#include "trainer/training_types.h"

namespace dibr {

enum class RunState { Idle, Creating, Running, Paused, Stopping, Stopped, Finished, Failed };
const char* to_string(RunState state);

struct TrainerProgress {
  int64_t step = 0, max_steps = 0;
  double steps_per_second = 0, eta_seconds = 0;
  LossTerms losses;
  size_t broken_objects = 0;  // training objects that failed to load and were replaced so far
  std::string save_warning;   // a checkpoint of this step could not be written (run.on_save_error = continue)
};

class TrainingRun {
 public:
  TrainingRun();
  ~TrainingRun();  // stops (writing latest.pt) and joins
  TrainingRun(const TrainingRun&) = delete;
  TrainingRun& operator=(const TrainingRun&) = delete;

  // Starts building and training on the background thread. Returns false (and does nothing) while a run is
  // creating, running, paused or stopping. resume: continue from <out>/latest.pt (or the newest step_N.pt).
  bool start(TrainConfig config, std::shared_ptr<const Dataset> dataset, bool resume);
  // wait = true returns once the loop sits between steps (the step no longer advances).
  void pause(bool wait = true);
  void resume();
  // Asks the loop to end after the current step; it writes latest.pt. Returns at once.
  void stop();
  // Until the background thread has ended (Stopped, Finished or Failed); true when it has.
  bool wait_for(double seconds);
  void wait();

  RunState state() const;
  bool active() const;      // Creating, Running, Paused or Stopping
  std::string error() const;  // why it Failed
  int64_t step() const;
  int64_t max_steps() const;
  bool resumed() const;     // the last start continued from a checkpoint
  TrainConfig config() const;
  std::string device_name() const;  // "cpu" or "cuda:0" once created
  std::vector<std::string> loss_names() const;
  std::shared_ptr<const TrainingSnapshot> latest_snapshot() const;
  std::vector<LossRecord> loss_history() const;
  // Records after the first `from` (cheap polling from the UI).
  std::vector<LossRecord> loss_history_since(size_t from) const;
  // The dataset's problems, then broken training objects as they are found; also kept in
  // <out>/dataset_problems.txt.
  std::vector<DatasetProblem> dataset_problems() const;
  std::string latest_checkpoint_path() const;
  double steps_per_second() const;

  // Called on the training thread after every step (set before start()).
  void set_progress_callback(std::function<void(const TrainerProgress&)> callback);
  // Called on the training thread once the Trainer is built, before the first step (set before start()).
  void set_ready_callback(std::function<void()> callback);
  // Called first thing on each new training thread, before the Trainer and its loader threads exist (set before
  // start()); the studio lowers the thread's priority here.
  void set_thread_start_callback(std::function<void()> callback);
  // Test hook passed to the Trainer (see Trainer::set_batch_hook); set before start().
  void set_batch_hook(std::function<void(int64_t step, Batch& batch)> hook);
  // Train as one rank of a distributed group (set before start(); docs/distributed.md): the group is joined on the
  // background thread while Creating (a rendezvous error fails the run). Only rank 0 writes metrics.csv,
  // config.json, snapshots and checkpoints; stop() stops every rank after the same step; pause() is not available.
  // On a peer's failure, rank 0 keeps the last finished step in latest.pt before failing.
  void set_distributed(const DistributedSetup& setup);
  // "gloo (Gloo: the tensors are on the CPU)" once the group is joined; empty for one process.
  std::string group_backend() const;
  // Measure the time of each phase of the loop (step_profile.h) in the next start(); set before start().
  void enable_profile(bool on);
  // The phase table of the last profiled run, once it has ended; empty when it was not profiled.
  std::string profile_table() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
