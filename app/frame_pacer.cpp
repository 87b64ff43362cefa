#include "app/frame_pacer.h"

#include <algorithm>

namespace dibr::studio {

double FramePacer::cap(double now) const {
  const bool interacting = now - last_input_ < settings_.settle_seconds * 2;
  if (training_ && !interacting && settings_.training_fps > 0) return std::min(settings_.training_fps, settings_.max_fps);
  return settings_.max_fps;
}

bool FramePacer::active(double now) const {
  return !settings_.lazy || now - last_input_ < settings_.settle_seconds || now - last_change_ < settings_.settle_seconds;
}

bool FramePacer::should_draw(double now, bool input, bool changed, bool training) {
  training_ = training;
  if (input) last_input_ = now;
  if (changed) last_change_ = now;
  if (!active(now)) return false;
  return now - last_frame_ >= 1.0 / std::max(cap(now), 1.0);
}

double FramePacer::wait_seconds(double now) const {
  if (active(now)) return std::max(0.0, last_frame_ + 1.0 / std::max(cap(now), 1.0) - now);
  return 1.0 / std::max(settings_.idle_poll_hz, 1.0);
}

void FramePacer::drawn(double now, double draw_seconds) {
  last_frame_ = now;
  window_draw_ += draw_seconds;
  ++window_frames_;
  if (now - window_start_ >= 1.0) {
    const double span = now - window_start_;
    draw_share_ = std::clamp(window_draw_ / span, 0.0, 1.0);
    fps_ = window_frames_ / span;
    window_start_ = now;
    window_draw_ = 0;
    window_frames_ = 0;
  }
}

}  // namespace dibr::studio
