#pragma once
// Wall time per phase of the training loop, for `dibr train --profile`. Scopes nest: time inside an inner scope
// counts for the inner phase only (a render inside the losses counts as "renders"). Nothing is measured unless a
// StepProfile is installed on the thread, so the scopes cost one thread-local read when profiling is off.
// On a CUDA device every scope boundary synchronises the device, so that a phase owns its kernels: a profiled
// run is slower than an unprofiled one, and says so in its table.
#include <array>
#include <chrono>
#include <cstdint>
#include <string>

namespace dibr {

// March, Secant: DVR's ray marching and secant search (no gradient). Sync: a distributed run's collectives (buffers,
// loss values, gradients).
enum class Phase { Data, Encoder, Decoder, Renders, March, Secant, Losses, Backward, Sync, Optimizer, Logging, Snapshot, Checkpoint, Count };
const char* phase_name(Phase phase);

class StepProfile {
 public:
  explicit StepProfile(bool synchronize_cuda = false) : synchronize_cuda_(synchronize_cuda) {}
  bool synchronize_cuda() const { return synchronize_cuda_; }
  void add(Phase phase, double seconds) { seconds_[static_cast<size_t>(phase)] += seconds; }
  double seconds(Phase phase) const { return seconds_[static_cast<size_t>(phase)]; }
  // The loop's wall time over `steps` steps; time outside every scope is reported as "other".
  void set_loop(double seconds, int64_t steps) {
    loop_seconds_ = seconds;
    steps_ = steps;
  }
  int64_t steps() const { return steps_; }
  // phase | ms/step | share, then the total and steps/s.
  std::string table() const;

 private:
  bool synchronize_cuda_;
  std::array<double, static_cast<size_t>(Phase::Count)> seconds_{};
  double loop_seconds_ = 0;
  int64_t steps_ = 0;
};

// Installs `profile` for the calling thread's scopes while it lives.
class InstallProfile {
 public:
  explicit InstallProfile(StepProfile* profile);
  ~InstallProfile();
  InstallProfile(const InstallProfile&) = delete;
  InstallProfile& operator=(const InstallProfile&) = delete;

 private:
  StepProfile* previous_;
};

class ProfileScope {
 public:
  explicit ProfileScope(Phase phase);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  using Clock = std::chrono::steady_clock;
  StepProfile* profile_;
  Phase phase_;
  ProfileScope* parent_ = nullptr;
  Clock::time_point resumed_;
  friend struct ScopeStack;
};

// The value of f(), with its time counted for `phase`.
template <typename F>
auto in_phase(Phase phase, F&& f) {
  ProfileScope scope(phase);
  return f();
}

}  // namespace dibr
