#include "app/key_trickle.h"

#include <GLFW/glfw3.h>

namespace dibr::studio {
namespace {

bool is_modifier(int key) {
  return key == GLFW_KEY_LEFT_SHIFT || key == GLFW_KEY_RIGHT_SHIFT || key == GLFW_KEY_LEFT_CONTROL ||
         key == GLFW_KEY_RIGHT_CONTROL || key == GLFW_KEY_LEFT_ALT || key == GLFW_KEY_RIGHT_ALT ||
         key == GLFW_KEY_LEFT_SUPER || key == GLFW_KEY_RIGHT_SUPER;
}

// A key ImGui acts on as a key (not as the character it types).
bool is_command_key(const InputEvent& e) {
  if (e.is_char || e.action == GLFW_RELEASE || is_modifier(e.key)) return false;
  if (e.mods & (GLFW_MOD_CONTROL | GLFW_MOD_ALT | GLFW_MOD_SUPER)) return true;
  const bool printable = (e.key >= GLFW_KEY_SPACE && e.key <= GLFW_KEY_GRAVE_ACCENT) || e.key == GLFW_KEY_WORLD_1 ||
                         e.key == GLFW_KEY_WORLD_2 || (e.key >= GLFW_KEY_KP_0 && e.key <= GLFW_KEY_KP_EQUAL && e.key != GLFW_KEY_KP_ENTER);
  return !printable;
}

}  // namespace

bool KeyTrickle::must_wait(const InputEvent& e) const {
  if (e.is_char) return command_key_this_frame_;
  if (e.action != GLFW_RELEASE) return false;
  // A modifier stays held through the frame of a key pressed with it (xdotool releases Ctrl of
  // Ctrl+A before A, GLFW sometimes hands over the two in that order).
  return pressed_this_frame_.count(e.key) > 0 || (is_modifier(e.key) && key_pressed_this_frame_);
}

// Only keys ImGui acts on as keys (and the modifiers held for them) must be seen down for a frame; a printable key
// typed without Ctrl/Alt/Super reaches ImGui as its character, so its release (and Shift's) go straight through and
// a typed path arrives in one frame, not one character a frame.
void KeyTrickle::accept(const InputEvent& e) {
  if (!e.is_char && e.action == GLFW_PRESS && is_command_key(e)) {
    pressed_this_frame_.insert(e.key);
    key_pressed_this_frame_ = true;
  }
  if (is_command_key(e)) command_key_this_frame_ = true;
}

bool KeyTrickle::on_event(const InputEvent& event) {
  if (!queued_.empty() || must_wait(event)) {
    queued_.push_back(event);
    return false;
  }
  accept(event);
  return true;
}

std::vector<InputEvent> KeyTrickle::next_frame() {
  pressed_this_frame_.clear();
  command_key_this_frame_ = false;
  key_pressed_this_frame_ = false;
  std::vector<InputEvent> now;
  while (!queued_.empty() && !must_wait(queued_.front())) {
    accept(queued_.front());
    now.push_back(queued_.front());
    queued_.pop_front();
  }
  return now;
}

}  // namespace dibr::studio
