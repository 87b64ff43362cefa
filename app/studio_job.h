#pragma once
// A one-shot task on its own thread with progress, cancel and a result or an error message.
// The UI thread polls it every frame and never waits on it (except in the destructor).
#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "trainer/error_text.h"

namespace dibr::studio {

struct JobControl {
  std::atomic<int> done{0}, total{0};
  std::atomic<bool> cancel{false};
  void progress(int d, int t) {
    done = d;
    total = t;
  }
};

template <typename Result>
class Job {
 public:
  Job() = default;
  ~Job() { cancel_and_join(); }
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  // Starts `task` (a previous run must have finished; its result is dropped).
  void start(std::function<Result(JobControl&)> task) {
    cancel_and_join();
    control_.done = 0;
    control_.total = 0;
    control_.cancel = false;
    result_.reset();
    error_.clear();
    running_ = true;
    thread_ = std::thread([this, task = std::move(task)] {
      try {
        Result r = task(control_);
        std::lock_guard<std::mutex> lock(mutex_);
        result_ = std::move(r);
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = error_text(e);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = "unknown error";
      }
      running_ = false;
    });
  }
  bool running() const { return running_; }
  void cancel() { control_.cancel = true; }
  bool cancel_requested() const { return control_.cancel; }
  // Fraction done in [0,1], or -1 while the total is unknown.
  float progress() const {
    const int t = control_.total;
    return t > 0 ? static_cast<float>(control_.done) / t : -1.f;
  }
  int done() const { return control_.done; }
  int total() const { return control_.total; }

  // Once the thread has ended: the result (moved out) or the error; each is handed out once.
  std::optional<Result> take_result() {
    if (running_) return std::nullopt;
    join();
    std::lock_guard<std::mutex> lock(mutex_);
    auto r = std::move(result_);
    result_.reset();
    return r;
  }
  std::string take_error() {
    if (running_) return {};
    join();
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(error_, std::string());
  }

  void cancel_and_join() {
    control_.cancel = true;
    join();
  }

 private:
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  JobControl control_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::mutex mutex_;
  std::optional<Result> result_;
  std::string error_;
};

}  // namespace dibr::studio
