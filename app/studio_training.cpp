#include "app/studio_training.h"

#include <utility>

namespace dibr::studio {

TrainingHost::~TrainingHost() { stop_and_wait(); }

void TrainingHost::join_helper() {
  if (helper_.joinable()) helper_.join();
}

void TrainingHost::start(const TrainConfig& config, bool resume) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!busy_.empty()) return;
    if (trainer_) {
      const TrainerState s = trainer_->state();
      if (s == TrainerState::Running || s == TrainerState::Paused || s == TrainerState::Stopping) return;
    }
    busy_ = "creating";
  }
  join_helper();
  helper_ = std::thread([this, config, resume] {
    try {
      auto trainer = std::make_shared<Trainer>(config, resume);
      trainer->start();
      std::lock_guard<std::mutex> lock(mutex_);
      trainer_ = std::move(trainer);
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::string("could not start training: ") + e.what();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    busy_.clear();
  });
}

void TrainingHost::pause() {
  if (auto t = trainer(); t && t->state() == TrainerState::Running) t->pause();
}

void TrainingHost::resume() {
  if (auto t = trainer(); t && t->state() == TrainerState::Paused) t->resume();
}

void TrainingHost::stop() {
  std::shared_ptr<Trainer> t;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!busy_.empty() || !trainer_) return;
    const TrainerState s = trainer_->state();
    if (s != TrainerState::Running && s != TrainerState::Paused) return;
    busy_ = "stopping";
    t = trainer_;
  }
  join_helper();
  helper_ = std::thread([this, t] {
    try {
      t->stop();
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::string("stopping failed: ") + e.what();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    busy_.clear();
  });
}

void TrainingHost::stop_and_wait() {
  join_helper();
  std::shared_ptr<Trainer> t = trainer();
  if (t) {
    const TrainerState s = t->state();
    if (s == TrainerState::Running || s == TrainerState::Paused || s == TrainerState::Stopping) t->stop();
  }
}

std::string TrainingHost::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return busy_;
}

std::string TrainingHost::take_error() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(error_, std::string());
}

std::shared_ptr<Trainer> TrainingHost::trainer() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return trainer_;
}

bool TrainingHost::active() const {
  auto t = trainer();
  if (!t) return false;
  const TrainerState s = t->state();
  return s == TrainerState::Running || s == TrainerState::Paused;
}

}  // namespace dibr::studio
