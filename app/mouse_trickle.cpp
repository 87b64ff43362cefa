#include "app/mouse_trickle.h"

namespace dibr::studio {

void MouseTrickle::on_button(int button, bool pressed, float x, float y) {
  if (button < 0 || button >= kButtons) return;
  queued_[button].push_back({pressed, x, y});
}

MouseTrickle::Frame MouseTrickle::next_frame() {
  Frame frame;
  for (int b = 0; b < kButtons; ++b) {
    auto& queue = queued_[b];
    // Events that change nothing (a release while up) take no frame.
    while (!queue.empty() && queue.front().pressed == down_[b]) queue.pop_front();
    if (!queue.empty()) {
      const Event e = queue.front();
      queue.pop_front();
      down_[b] = e.pressed;
      frame.position = std::array<float, 2>{e.x, e.y};
    }
    frame.down[b] = down_[b];
  }
  return frame;
}

bool MouseTrickle::idle() const {
  for (const auto& q : queued_)
    if (!q.empty()) return false;
  return true;
}

}  // namespace dibr::studio
