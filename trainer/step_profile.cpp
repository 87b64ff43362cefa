#include "trainer/step_profile.h"

#include <torch/cuda.h>

#include <cstdio>

namespace dibr {
namespace {

thread_local StepProfile* current_profile = nullptr;
thread_local ProfileScope* innermost = nullptr;

constexpr const char* kNames[] = {"data",      "encoder", "decoder", "renders",  "march", "secant", "losses",    "backward",
                                  "sync",      "optimiser", "logging", "snapshot", "checkpoint"};
static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<size_t>(Phase::Count), "a name per phase");

}  // namespace

const char* phase_name(Phase phase) { return kNames[static_cast<size_t>(phase)]; }

InstallProfile::InstallProfile(StepProfile* profile) : previous_(current_profile) { current_profile = profile; }
InstallProfile::~InstallProfile() { current_profile = previous_; }

struct ScopeStack {
  static void enter(ProfileScope& s) {
    if (s.profile_->synchronize_cuda()) torch::cuda::synchronize();
    const auto now = ProfileScope::Clock::now();
    s.parent_ = innermost;
    if (s.parent_) s.profile_->add(s.parent_->phase_, std::chrono::duration<double>(now - s.parent_->resumed_).count());
    s.resumed_ = now;
    innermost = &s;
  }
  static void leave(ProfileScope& s) {
    if (s.profile_->synchronize_cuda()) torch::cuda::synchronize();
    const auto now = ProfileScope::Clock::now();
    s.profile_->add(s.phase_, std::chrono::duration<double>(now - s.resumed_).count());
    innermost = s.parent_;
    if (s.parent_) s.parent_->resumed_ = now;
  }
};

ProfileScope::ProfileScope(Phase phase) : profile_(current_profile), phase_(phase) {
  if (profile_) ScopeStack::enter(*this);
}

ProfileScope::~ProfileScope() {
  if (profile_) ScopeStack::leave(*this);
}

std::string StepProfile::table() const {
  const double steps = steps_ > 0 ? double(steps_) : 1.0;
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%-11s %10s %7s\n", "phase", "ms/step", "share");
  out += line;
  double in_scopes = 0;
  for (size_t i = 0; i < seconds_.size(); ++i) in_scopes += seconds_[i];
  const double total = loop_seconds_ > in_scopes ? loop_seconds_ : in_scopes;
  auto row = [&](const char* name, double seconds) {
    std::snprintf(line, sizeof line, "%-11s %10.2f %6.1f%%\n", name, 1e3 * seconds / steps,
                  total > 0 ? 100.0 * seconds / total : 0.0);
    out += line;
  };
  for (size_t i = 0; i < seconds_.size(); ++i) row(kNames[i], seconds_[i]);
  row("other", total - in_scopes);
  std::snprintf(line, sizeof line, "%-11s %10.2f %6.1f%%   %lld steps, %.2f steps/s%s\n", "total", 1e3 * total / steps,
                100.0, static_cast<long long>(steps_), total > 0 ? steps / total : 0.0,
                synchronize_cuda_ ? " (CUDA synchronised at every phase: slower than unprofiled)" : "");
  out += line;
  return out;
}

}  // namespace dibr
