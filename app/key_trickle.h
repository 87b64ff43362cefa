#pragma once
// ImGui 1.86 reads keys as "held during this frame" and handles typed characters before keys within a
// frame. A quick tap on a busy frame (or keys sent by a tool) is then lost, and "Ctrl+A, then type" in
// one frame types first and selects after. Like the input queue of later ImGui versions, this hands
// events over in order, holding back what would be misread:
//   - a command key's release (Enter, arrows, Ctrl+A, ...) until the frame after its press, and a modifier's
//     (Ctrl, Shift, ...) until the frame after a command key pressed with it; printable keys typed as text
//     are not held, so typing is never slowed to one character a frame,
//   - a character typed after a command key (one with Ctrl/Alt/Super, or a non-printing key such as
//     Enter or Backspace) in the same frame,
// and everything that arrives behind a held-back event.
#include <deque>
#include <set>
#include <vector>

namespace dibr::studio {

struct InputEvent {
  bool is_char = false;
  int key = 0, scancode = 0, action = 0, mods = 0;  // keys; action: GLFW_PRESS / GLFW_RELEASE / GLFW_REPEAT
  unsigned codepoint = 0;                           // characters

  static InputEvent make_key(int key, int scancode, int action, int mods) { return {false, key, scancode, action, mods, 0}; }
  static InputEvent make_char(unsigned codepoint) { return {true, 0, 0, 0, 0, codepoint}; }
};

class KeyTrickle {
 public:
  // An event from GLFW; returns true when it goes to ImGui now, false when it was queued.
  bool on_event(const InputEvent& event);
  // Call once per frame, before polling events: the queued events that may go to ImGui in this frame.
  std::vector<InputEvent> next_frame();
  bool idle() const { return queued_.empty(); }

 private:
  bool must_wait(const InputEvent& event) const;
  void accept(const InputEvent& event);
  std::set<int> pressed_this_frame_;
  bool command_key_this_frame_ = false;
  bool key_pressed_this_frame_ = false;  // a non-modifier key
  std::deque<InputEvent> queued_;
};

}  // namespace dibr::studio
