#pragma once
// ImGui 1.86's GLFW backend reads a mouse button as "pressed during this frame or down now", so two clicks inside
// one frame count as one, and a fast double click on a busy frame is lost. Like the input queue of later ImGui
// versions, this replays the button events one change a frame: a press shows as down for at least one frame and
// its release as up for the next, at the position where each happened. main.cpp feeds it GLFW's button events and
// writes each frame's state over the backend's (io.MouseDown, io.MousePos) before ImGui::NewFrame().
#include <array>
#include <deque>
#include <optional>

namespace dibr::studio {

class MouseTrickle {
 public:
  static constexpr int kButtons = 5;
  struct Frame {
    std::array<bool, kButtons> down{};
    std::optional<std::array<float, 2>> position;  // where this frame's press or release happened
  };
  // From GLFW's mouse button callback, with the cursor position then. Buttons outside [0, kButtons) are ignored.
  void on_button(int button, bool pressed, float x, float y);
  // Once per frame: each button's state in this frame (at most one change per button).
  Frame next_frame();
  bool idle() const;  // nothing queued

 private:
  struct Event {
    bool pressed;
    float x, y;
  };
  std::array<std::deque<Event>, kButtons> queued_;
  std::array<bool, kButtons> down_{};
};

}  // namespace dibr::studio
