#include "trainer/training_run.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "trainer/atomic_file.h"
#include "trainer/device.h"
#include "trainer/distributed/communicator.h"
#include "trainer/error_text.h"
#include "trainer/metrics_log.h"
#include "trainer/run_writer.h"
#include "trainer/step_profile.h"
#include "trainer/trainer.h"

namespace dibr {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* to_string(RunState state) {
  switch (state) {
    case RunState::Idle: return "idle";
    case RunState::Creating: return "creating";
    case RunState::Running: return "running";
    case RunState::Paused: return "paused";
    case RunState::Stopping: return "stopping";
    case RunState::Stopped: return "stopped";
    case RunState::Finished: return "finished";
    case RunState::Failed: return "failed";
  }
  return "unknown";
}

struct TrainingRun::Impl {
  mutable std::mutex mutex;
  std::condition_variable cv;
  RunState state = RunState::Idle;
  bool stop_requested = false, pause_requested = false;
  std::string error;
  std::thread thread;

  TrainConfig config;
  std::string device_name;
  std::vector<std::string> loss_names;
  std::vector<DatasetProblem> problems;
  std::shared_ptr<const TrainingSnapshot> snapshot;
  std::vector<LossRecord> history;
  int64_t step = 0;
  bool resumed = false;
  double steps_per_second = 0;
  bool profile_enabled = false;
  std::string profile_table;
  DistributedSetup group_setup;
  std::string group_backend;

  std::function<void(const TrainerProgress&)> on_progress;
  std::function<void()> on_ready;
  std::function<void()> on_thread_start;
  std::function<void(int64_t, Batch&)> batch_hook;

  // Between steps: waits while paused; true when the loop should end.
  bool should_stop() {
    std::unique_lock<std::mutex> lock(mutex);
    if (pause_requested && !stop_requested) {
      state = RunState::Paused;
      cv.notify_all();
      cv.wait(lock, [&] { return !pause_requested || stop_requested; });
    }
    if (stop_requested) return true;
    state = RunState::Running;
    return false;
  }
  void publish(std::shared_ptr<TrainingSnapshot> s, double eta) {
    if (!s) return;
    s->steps_per_second = steps_per_second;
    s->eta_seconds = eta;
    std::lock_guard<std::mutex> lock(mutex);
    snapshot = std::move(s);
  }
  void body(std::shared_ptr<const Dataset> dataset, bool resume);
  void write_problems(const std::vector<DatasetProblem>& all);
};

// Rewritten through a temporary file, so a reader never sees half a list.
void TrainingRun::Impl::write_problems(const std::vector<DatasetProblem>& all) {
  const fs::path path = fs::path(config.run.out_dir) / "dataset_problems.txt";
  std::error_code ec;
  if (all.empty()) {
    fs::remove(path, ec);
    return;
  }
  std::string text;
  for (const auto& p : all) text += p.path + ": " + p.message + "\n";
  write_file_atomically(path.string(), text);
}

void TrainingRun::Impl::body(std::shared_ptr<const Dataset> dataset, bool resume) {
  std::unique_ptr<Communicator> group;
  std::unique_ptr<Trainer> trainer;
  int64_t last_saved = -1;
  const bool distributed = group_setup.distributed();
  const bool writer = group_setup.rank == 0;  // the one rank that writes files
  try {
    if (on_thread_start) on_thread_start();
    if (distributed) {
      // Each local rank takes its own GPU.
      const c10::Device device = resolve_device(config.system.device);
      if (device.is_cuda()) {
        const int64_t count = torch::cuda::device_count();
        if (group_setup.local_rank >= count)
          throw std::runtime_error("local rank " + std::to_string(group_setup.local_rank) + " has no GPU of its own (" +
                                   std::to_string(count) + " CUDA device(s)): start at most " + std::to_string(count) +
                                   " processes per machine, or train with --device cpu");
        config.system.device = "cuda:" + std::to_string(group_setup.local_rank);
      }
      group = join_group(group_setup, resolve_device(config.system.device));
      std::lock_guard<std::mutex> lock(mutex);
      group_backend = group->backend() + " (" + group->backend_reason() + ")";
    }
    trainer = std::make_unique<Trainer>(config, std::move(dataset), resume, group.get());
    if (batch_hook) trainer->set_batch_hook(batch_hook);
    const RunConfig& cadence = config.run;
    std::optional<MetricsLog> metrics;
    if (writer) metrics.emplace(cadence.out_dir, trainer->method().loss_terms, trainer->resumed() ? trainer->step() : -1);
    double seconds_base = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      device_name = trainer->device().str();
      loss_names = trainer->method().loss_terms;
      problems = trainer->dataset_problems();
      if (metrics) history = metrics->kept_rows();
      step = trainer->step();
      resumed = trainer->resumed();
      if (trainer->resumed()) last_saved = trainer->step();
      if (!history.empty()) seconds_base = history.back().seconds;
    }
    std::optional<RunWriterMark> writer_mark;
    if (writer) {
      writer_mark.emplace(cadence.out_dir, group_setup.world_size);
      write_problems(trainer->dataset_problems());
      // The settings of the run, for `dibr train --resume`, the studio's Open run and anyone reading the folder.
      write_file_atomically((fs::path(cadence.out_dir) / "config.json").string(), config.to_json() + "\n");
    }
    size_t broken_seen = 0;
    if (on_ready) on_ready();
    const int64_t max_steps = config.optim.max_steps;
    publish(trainer->snapshot(), 0);  // the studio shows the starting point at once
    std::unique_ptr<StepProfile> profile;
    if (profile_enabled) profile = std::make_unique<StepProfile>(trainer->device().is_cuda());
    std::optional<InstallProfile> installed;
    if (profile) installed.emplace(profile.get());
    const int64_t first_step = trainer->step();
    const auto started = Clock::now();
    const auto end_profile = [&] {
      if (!profile) return;
      installed.reset();
      profile->set_loop(std::chrono::duration<double>(Clock::now() - started).count(), trainer->step() - first_step);
      std::lock_guard<std::mutex> lock(mutex);
      profile_table = profile->table();
    };
    // A distributed run never leaves the loop on its own: a stop request becomes a vote in the next step, so that
    // every rank ends after the same step.
    const auto leave_loop = [&] {
      if (!distributed) return should_stop();
      if (should_stop()) trainer->vote_stop();
      return false;
    };
    while (trainer->step() < max_steps && !leave_loop()) {
      const auto t0 = Clock::now();
      LossRecord record = trainer->train_step();
      const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
      const double rate = dt > 0 ? 1.0 / dt : 0;
      steps_per_second = steps_per_second == 0 ? rate : 0.9 * steps_per_second + 0.1 * rate;
      record.seconds = seconds_base + std::chrono::duration<double>(Clock::now() - started).count();
      ProfileScope logging(Phase::Logging);
      if (metrics) metrics->append(record);
      const int64_t s = trainer->step();
      const double eta = steps_per_second > 0 ? (max_steps - s) / steps_per_second : 0;
      {
        std::lock_guard<std::mutex> lock(mutex);
        history.push_back(record);
        step = s;
      }
      if (const auto broken = trainer->broken_objects(); broken.size() != broken_seen) {
        broken_seen = broken.size();
        const auto all = trainer->dataset_problems();
        write_problems(all);
        std::lock_guard<std::mutex> lock(mutex);
        problems = all;
      }
      if (writer && s % cadence.snapshot_every == 0) publish(in_phase(Phase::Snapshot, [&] { return trainer->snapshot(); }), eta);
      // A failed periodic save (a full disk) stops the run, or with run.on_save_error = continue is reported and
      // tried again at the next checkpoint; the previous file is intact either way. Non-finite weights always stop.
      std::string save_warning;
      auto periodic_save = [&](const std::string& path) {
        ProfileScope checkpoint(Phase::Checkpoint);
        try {
          trainer->save(path);
          return true;
        } catch (const NonFiniteLoss&) {
          throw;
        } catch (const std::exception& e) {
          if (cadence.on_save_error != "continue") throw;
          save_warning = error_text(e);
          return false;
        }
      };
      if (writer && cadence.keep_every > 0 && s % cadence.keep_every == 0)
        periodic_save((fs::path(cadence.out_dir) / ("step_" + std::to_string(s) + ".pt")).string());
      if (writer && s % cadence.checkpoint_every == 0 && periodic_save(trainer->latest_checkpoint_path())) last_saved = s;
      if (on_progress) on_progress({s, max_steps, steps_per_second, eta, record.losses, broken_seen, save_warning});
      if (distributed && trainer->group_stopping()) {
        std::lock_guard<std::mutex> lock(mutex);
        stop_requested = true;
        break;
      }
    }
    end_profile();
    if (writer && last_saved != trainer->step()) trainer->save(trainer->latest_checkpoint_path());
    std::lock_guard<std::mutex> lock(mutex);
    state = trainer->step() >= max_steps ? RunState::Finished : RunState::Stopped;
  } catch (const NonFiniteLoss& e) {
    if (group) group->announce_failure("rank " + std::to_string(group_setup.rank) + ": " + error_text(e));
    std::lock_guard<std::mutex> lock(mutex);
    state = RunState::Failed;
    error = error_text(e);
  } catch (const DistributedError& e) {
    // A peer failed: the model is still that of the last finished step on every rank, so rank 0 keeps it.
    std::string kept;
    if (writer && trainer && last_saved != trainer->step()) {
      try {
        trainer->save(trainer->latest_checkpoint_path());
        kept = "; " + trainer->latest_checkpoint_path() + " holds step " + std::to_string(trainer->step());
      } catch (const std::exception& save_error) {
        kept = "; latest.pt could not be written (" + error_text(save_error) + ")";
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    state = RunState::Failed;
    error = (trainer ? "training stopped at step " + std::to_string(trainer->step()) + ": "
                     : std::string("could not start training: ")) + error_text(e) + kept;
  } catch (const std::exception& e) {
    if (group) group->announce_failure("rank " + std::to_string(group_setup.rank) + ": " + error_text(e));
    std::lock_guard<std::mutex> lock(mutex);
    state = RunState::Failed;
    error = trainer ? "training stopped at step " + std::to_string(trainer->step()) + ": " + error_text(e)
                    : std::string("could not start training: ") + error_text(e);
  }
  std::lock_guard<std::mutex> lock(mutex);
  stop_requested = pause_requested = false;
  cv.notify_all();
}

TrainingRun::TrainingRun() : impl_(std::make_unique<Impl>()) {}

TrainingRun::~TrainingRun() {
  stop();
  wait();
}

bool TrainingRun::start(TrainConfig config, std::shared_ptr<const Dataset> dataset, bool resume) {
  auto& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mutex);
  if (m.state == RunState::Creating || m.state == RunState::Running || m.state == RunState::Paused ||
      m.state == RunState::Stopping)
    return false;
  if (m.thread.joinable()) {
    lock.unlock();
    m.thread.join();
    lock.lock();
  }
  m.snapshot.reset();
  m.profile_table.clear();
  m.history.clear();
  m.config = std::move(config);
  m.state = RunState::Creating;
  m.error.clear();
  m.stop_requested = m.pause_requested = false;
  m.steps_per_second = 0;
  m.thread = std::thread([&m, dataset = std::move(dataset), resume] { m.body(dataset, resume); });
  return true;
}

void TrainingRun::pause(bool wait) {
  auto& m = *impl_;
  std::unique_lock<std::mutex> lock(m.mutex);
  if (m.state != RunState::Running && m.state != RunState::Creating) return;
  m.pause_requested = true;
  if (!wait || std::this_thread::get_id() == m.thread.get_id()) return;
  m.cv.wait(lock, [&] { return m.state != RunState::Running && m.state != RunState::Creating; });
}

void TrainingRun::resume() {
  auto& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  m.pause_requested = false;
  if (m.state == RunState::Paused) m.state = RunState::Running;
  m.cv.notify_all();
}

void TrainingRun::stop() {
  auto& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  if (m.state != RunState::Creating && m.state != RunState::Running && m.state != RunState::Paused) return;
  m.stop_requested = true;
  m.state = RunState::Stopping;
  m.cv.notify_all();
}

bool TrainingRun::wait_for(double seconds) {
  auto& m = *impl_;
  if (std::this_thread::get_id() == m.thread.get_id()) return false;
  {
    std::unique_lock<std::mutex> lock(m.mutex);
    const bool ended = m.cv.wait_for(lock, std::chrono::duration<double>(seconds), [&] {
      return m.state == RunState::Idle || m.state == RunState::Stopped || m.state == RunState::Finished ||
             m.state == RunState::Failed;
    });
    if (!ended) return false;
  }
  // The state is final; the thread ends right after.
  if (m.thread.joinable()) m.thread.join();
  return true;
}

void TrainingRun::wait() {
  while (!wait_for(3600)) {
  }
}

RunState TrainingRun::state() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->state;
}

bool TrainingRun::active() const {
  const RunState s = state();
  return s == RunState::Creating || s == RunState::Running || s == RunState::Paused || s == RunState::Stopping;
}

#define DIBR_LOCKED_GETTER(type, name, expr) \
  type TrainingRun::name() const {           \
    std::lock_guard<std::mutex> lock(impl_->mutex); \
    return impl_->expr;                      \
  }
DIBR_LOCKED_GETTER(std::string, error, error)
DIBR_LOCKED_GETTER(int64_t, step, step)
DIBR_LOCKED_GETTER(int64_t, max_steps, config.optim.max_steps)
DIBR_LOCKED_GETTER(bool, resumed, resumed)
DIBR_LOCKED_GETTER(TrainConfig, config, config)
DIBR_LOCKED_GETTER(std::string, device_name, device_name)
DIBR_LOCKED_GETTER(std::vector<std::string>, loss_names, loss_names)
DIBR_LOCKED_GETTER(std::shared_ptr<const TrainingSnapshot>, latest_snapshot, snapshot)
DIBR_LOCKED_GETTER(std::vector<LossRecord>, loss_history, history)
DIBR_LOCKED_GETTER(std::vector<DatasetProblem>, dataset_problems, problems)
DIBR_LOCKED_GETTER(double, steps_per_second, steps_per_second)
#undef DIBR_LOCKED_GETTER

std::vector<LossRecord> TrainingRun::loss_history_since(size_t from) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (from >= impl_->history.size()) return {};
  return {impl_->history.begin() + static_cast<std::ptrdiff_t>(from), impl_->history.end()};
}

std::string TrainingRun::latest_checkpoint_path() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return (fs::path(impl_->config.run.out_dir) / "latest.pt").string();
}

void TrainingRun::set_progress_callback(std::function<void(const TrainerProgress&)> c) { impl_->on_progress = std::move(c); }
void TrainingRun::set_ready_callback(std::function<void()> c) { impl_->on_ready = std::move(c); }
void TrainingRun::set_thread_start_callback(std::function<void()> c) { impl_->on_thread_start = std::move(c); }
void TrainingRun::set_batch_hook(std::function<void(int64_t, Batch&)> h) { impl_->batch_hook = std::move(h); }
void TrainingRun::enable_profile(bool on) { impl_->profile_enabled = on; }
void TrainingRun::set_distributed(const DistributedSetup& setup) { impl_->group_setup = setup; }
std::string TrainingRun::group_backend() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->group_backend;
}
std::string TrainingRun::profile_table() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->profile_table;
}

}  // namespace dibr
