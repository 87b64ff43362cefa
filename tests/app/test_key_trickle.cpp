#include <gtest/gtest.h>
#include <GLFW/glfw3.h>

#include "app/key_trickle.h"

using dibr::studio::InputEvent;
using dibr::studio::KeyTrickle;

namespace {
InputEvent press(int key, int mods = 0) { return InputEvent::make_key(key, 0, GLFW_PRESS, mods); }
InputEvent release(int key, int mods = 0) { return InputEvent::make_key(key, 0, GLFW_RELEASE, mods); }
InputEvent typed(char c) { return InputEvent::make_char(static_cast<unsigned>(c)); }
}  // namespace

TEST(KeyTrickle, ATapInsideOneFrameIsReleasedInTheNext) {
  KeyTrickle t;
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_ENTER)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_ENTER)));
  const auto next = t.next_frame();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].key, GLFW_KEY_ENTER);
  EXPECT_EQ(next[0].action, GLFW_RELEASE);
  EXPECT_TRUE(t.next_frame().empty());
}

TEST(KeyTrickle, AShortcutKeepsItsModifierHeldWhileTheKeyIsDown) {
  // ctrl down, a down, a up, ctrl up, all in one frame (what xdotool sends for ctrl+a).
  KeyTrickle t;
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_LEFT_CONTROL)));
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_A, GLFW_MOD_CONTROL)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_A, GLFW_MOD_CONTROL)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_LEFT_CONTROL, GLFW_MOD_CONTROL)));
  const auto next = t.next_frame();
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].key, GLFW_KEY_A);
  EXPECT_EQ(next[1].key, GLFW_KEY_LEFT_CONTROL);
}

TEST(KeyTrickle, RepeatedTapsOfOneKeyTakeOneFrameEachInOrder) {
  KeyTrickle t;
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_BACKSPACE)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_BACKSPACE)));
  EXPECT_FALSE(t.on_event(press(GLFW_KEY_BACKSPACE)));  // behind the queued release
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_BACKSPACE)));
  auto frame2 = t.next_frame();  // release, press; the second release waits again
  ASSERT_EQ(frame2.size(), 2u);
  EXPECT_EQ(frame2[0].action, GLFW_RELEASE);
  EXPECT_EQ(frame2[1].action, GLFW_PRESS);
  auto frame3 = t.next_frame();
  ASSERT_EQ(frame3.size(), 1u);
  EXPECT_EQ(frame3[0].action, GLFW_RELEASE);
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_X)));  // nothing queued any more: straight through
}

TEST(KeyTrickle, TextTypedAfterSelectAllWaitsForTheNextFrame) {
  // ImGui handles characters before keys within a frame: "/x" typed after Ctrl+A in the same frame
  // would be typed first and then selected.
  KeyTrickle t;
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_LEFT_CONTROL)));
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_A, GLFW_MOD_CONTROL)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_A, GLFW_MOD_CONTROL)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_LEFT_CONTROL, GLFW_MOD_CONTROL)));
  EXPECT_FALSE(t.on_event(press(GLFW_KEY_SLASH)));
  EXPECT_FALSE(t.on_event(typed('/')));
  const auto next = t.next_frame();
  ASSERT_EQ(next.size(), 4u);
  EXPECT_TRUE(next[3].is_char);
  EXPECT_EQ(next[3].codepoint, static_cast<unsigned>('/'));
}

TEST(KeyTrickle, PlainTypingAndShiftGoStraightThrough) {
  KeyTrickle t;
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_LEFT_SHIFT)));
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_K, GLFW_MOD_SHIFT)));
  EXPECT_TRUE(t.on_event(typed('K')));
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_X)));
  EXPECT_TRUE(t.on_event(typed('x')));
  // Enter after the text in the same frame is fine (characters go first anyway) ...
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_ENTER)));
  // ... but a character after it would be read before it.
  EXPECT_FALSE(t.on_event(typed('y')));
}

TEST(KeyTrickle, TypedTextWithReleasesAndShiftArrivesInOneFrame) {
  // xdotool types "a_B" as press/char/release per key, with Shift around '_' and 'B'.
  KeyTrickle t;
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_A)));
  EXPECT_TRUE(t.on_event(typed('a')));
  EXPECT_TRUE(t.on_event(release(GLFW_KEY_A)));
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_LEFT_SHIFT)));
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_MINUS, GLFW_MOD_SHIFT)));
  EXPECT_TRUE(t.on_event(typed('_')));
  EXPECT_TRUE(t.on_event(release(GLFW_KEY_MINUS, GLFW_MOD_SHIFT)));
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_B, GLFW_MOD_SHIFT)));
  EXPECT_TRUE(t.on_event(typed('B')));
  EXPECT_TRUE(t.on_event(release(GLFW_KEY_B, GLFW_MOD_SHIFT)));
  EXPECT_TRUE(t.on_event(release(GLFW_KEY_LEFT_SHIFT, GLFW_MOD_SHIFT)));
  EXPECT_TRUE(t.next_frame().empty()) << "nothing was held back";
}

TEST(KeyTrickle, CtrlReleasedBeforeItsKeyStillCountsForTheShortcut) {
  // Ctrl went down in the previous frame; A down and Ctrl up arrive together in this one.
  KeyTrickle t;
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_LEFT_CONTROL)));
  t.next_frame();
  EXPECT_TRUE(t.on_event(press(GLFW_KEY_A, GLFW_MOD_CONTROL)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_LEFT_CONTROL, GLFW_MOD_CONTROL)));
  EXPECT_FALSE(t.on_event(release(GLFW_KEY_A)));
  const auto next = t.next_frame();
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].key, GLFW_KEY_LEFT_CONTROL);
}
