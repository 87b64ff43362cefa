// The window's frame pacing: frames only for input or a change (and a settle time after), capped per situation.
#include <gtest/gtest.h>

#include "app/frame_pacer.h"

using dibr::studio::FramePacer;

namespace {
// Runs the loop as main.cpp does from t0 for `seconds`; counts the frames drawn.
int frames_between(FramePacer& p, double t0, double seconds, bool input, bool changed, bool training) {
  int frames = 0;
  for (double t = t0; t < t0 + seconds; t += 0.001) {
    if (p.should_draw(t, input, changed, training)) {
      p.drawn(t, 0.002);
      ++frames;
    }
  }
  return frames;
}
}  // namespace

TEST(FramePacer, AnIdleWindowDrawsNothingAndSleeps) {
  FramePacer p;
  frames_between(p, 0, 1, false, true, false);  // the first frames after start-up
  EXPECT_EQ(frames_between(p, 10, 5, false, false, false), 0);
  EXPECT_NEAR(p.wait_seconds(15), 0.1, 1e-9) << "idle: the model is polled 10 times a second";
}

TEST(FramePacer, InteractionDrawsAtTheCapAndTrainingAloneAtTheTrainingCap) {
  FramePacer p;
  const int interacting = frames_between(p, 0, 2, true, true, true);
  EXPECT_NEAR(interacting, 120, 3) << "60 fps while the user interacts, even while training";
  const int training = frames_between(p, 10, 2, false, true, true);
  EXPECT_NEAR(training, 20, 2) << "10 fps while training goes on without input";
  p.settings().training_fps = 0;
  EXPECT_NEAR(frames_between(p, 20, 2, false, true, true), 120, 3) << "training_fps 0: no separate cap";
}

TEST(FramePacer, FramesContinueForTheSettleTimeAfterTheLastEvent) {
  FramePacer p;
  EXPECT_TRUE(p.should_draw(0, true, false, false));
  p.drawn(0, 0.001);
  EXPECT_FALSE(p.should_draw(0.005, false, false, false)) << "capped at 60 fps";
  EXPECT_TRUE(p.should_draw(0.2, false, false, false)) << "still settling 0.2 s after the input";
  p.drawn(0.2, 0.001);
  EXPECT_FALSE(p.should_draw(0.5, false, false, false)) << "settled";
}

TEST(FramePacer, TheDrawShareIsTheFractionOfWallTimeSpentDrawing) {
  FramePacer p;
  for (double t = 0; t < 3; t += 0.1) {
    if (p.should_draw(t, true, false, false)) p.drawn(t, 0.025);
  }
  EXPECT_NEAR(p.draw_share(), 0.25, 0.03);
  EXPECT_NEAR(p.fps(), 10, 1);
}

TEST(FramePacer, NotLazyDrawsEveryTurnUpToTheCap) {
  FramePacer p;
  p.settings().lazy = false;
  EXPECT_NEAR(frames_between(p, 0, 1, false, false, false), 60, 2);
}
