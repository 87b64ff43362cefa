#pragma once
// A preset shrunk to a few CPU steps on a tiny dataset (nmr_fixture.h), and a run of it to its end: what the method,
// comparison and checkpoint tests train before they look at the results.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "trainer/config.h"
#include "trainer/dataset.h"
#include "trainer/training_run.h"

namespace dibr::test {

inline TrainConfig tiny_run_config(const std::string& preset, const std::filesystem::path& data_root,
                                   const std::filesystem::path& out_dir, int64_t steps) {
  TrainConfig c = TrainConfig::from_preset(preset);
  c.data.root = data_root.string();
  c.run.out_dir = out_dir.string();
  c.system.device = "cpu";
  c.data.batch_objects = 2;
  c.optim.max_steps = steps;
  c.run.keep_every = 0;
  c.run.preview_count = 1;
  c.system.num_threads = 1;
  return c;
}

// Trains `config` to its last step (resuming when asked); the failure names the run's error.
inline ::testing::AssertionResult train_to_end(const TrainConfig& config, bool resume = false) {
  TrainingRun run;
  if (!run.start(config, open_dataset(config.data.root), resume)) return ::testing::AssertionFailure() << "the run did not start";
  run.wait();
  if (run.state() != RunState::Finished) return ::testing::AssertionFailure() << "run ended " << to_string(run.state()) << ": " << run.error();
  return ::testing::AssertionSuccess();
}

}  // namespace dibr::test
