#pragma once
// When the studio's window draws a frame. Drawing competes with training for the same cores, so the window draws
// only when something changed (input, or what the model shows: a step, a snapshot, a job's progress) and for a
// short settle time after it (hover, popups, the UI map), capped at max_fps while the user interacts and at
// training_fps while training goes on without input. Otherwise the loop sleeps in glfwWaitEventsTimeout and
// polls the model idle_poll_hz times a second. Times are seconds on any monotonic clock.
namespace dibr::studio {

struct FramePacerSettings {
  double max_fps = 60;        // cap while the user interacts (and when not training)
  double training_fps = 10;   // cap while training without input ("draw less while training"); <= 0: max_fps
  double idle_poll_hz = 10;   // model polls per second while nothing changes
  double settle_seconds = 0.3;  // frames keep coming this long after the last input or change
  bool lazy = true;           // false: draw every frame up to max_fps (the old behaviour)
};

class FramePacer {
 public:
  explicit FramePacer(FramePacerSettings settings = {}) : settings_(settings) {}
  FramePacerSettings& settings() { return settings_; }
  const FramePacerSettings& settings() const { return settings_; }

  // Called once per loop turn, after events were handled: input since the last turn, whether the model's
  // visible state changed, and whether training runs. True: draw a frame now.
  bool should_draw(double now, bool input, bool changed, bool training);
  // How long the loop may wait for events before its next turn.
  double wait_seconds(double now) const;
  // After a frame: when it was drawn and how long drawing took.
  void drawn(double now, double draw_seconds);
  // The share of wall time spent drawing over the last full second, in [0, 1].
  double draw_share() const { return draw_share_; }
  double fps() const { return fps_; }

 private:
  double cap(double now) const;
  bool active(double now) const;
  FramePacerSettings settings_;
  double last_input_ = -1e9, last_change_ = -1e9, last_frame_ = -1e9;
  bool training_ = false;
  double window_start_ = 0, window_draw_ = 0, draw_share_ = 0, fps_ = 0;
  int window_frames_ = 0;
};

}  // namespace dibr::studio
