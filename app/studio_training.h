#pragma once
// Owns the dibr::Trainer of the studio. Constructing a trainer (indexing data, building the model) and
// stopping one (finishing a step, writing latest.pt) take time, so both run on helper threads: the UI
// thread only calls the non-blocking functions here.
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "trainer/config.h"
#include "trainer/trainer.h"

namespace dibr::studio {

class TrainingHost {
 public:
  TrainingHost() = default;
  ~TrainingHost();  // stops a running trainer (latest.pt is written) and joins
  TrainingHost(const TrainingHost&) = delete;
  TrainingHost& operator=(const TrainingHost&) = delete;

  // Creates a trainer for `config` and starts it (resume: continue from <out>/latest.pt).
  // Ignored while a trainer is being created, is running or is stopping.
  void start(const TrainConfig& config, bool resume);
  void pause();
  void resume();
  void stop();  // asynchronous

  // Blocking stop for shutdown.
  void stop_and_wait();

  // "creating", "stopping" or empty while nothing asynchronous is in flight.
  std::string busy() const;
  // Why the last start failed (constructor threw), handed out once.
  std::string take_error();
  // The current trainer (null before the first successful start); kept after it finishes so its
  // history and snapshot stay visible.
  std::shared_ptr<Trainer> trainer() const;
  // True while the trainer thread is Running or Paused.
  bool active() const;

 private:
  void join_helper();
  mutable std::mutex mutex_;
  std::shared_ptr<Trainer> trainer_;
  std::string busy_, error_;
  std::thread helper_;
};

}  // namespace dibr::studio
