#include <gtest/gtest.h>

#include "app/mouse_trickle.h"

using dibr::studio::MouseTrickle;

TEST(MouseTrickle, ADoubleClickInsideOneFrameBecomesTwoClicks) {
  MouseTrickle t;
  for (bool pressed : {true, false, true, false}) t.on_button(0, pressed, 10, 20);
  std::vector<bool> seen;
  for (int i = 0; i < 6; ++i) seen.push_back(t.next_frame().down[0]);
  EXPECT_EQ(seen, (std::vector<bool>{true, false, true, false, false, false}));
  EXPECT_TRUE(t.idle());
}

TEST(MouseTrickle, AHeldButtonStaysDownAndEachChangeHasItsPosition) {
  MouseTrickle t;
  t.on_button(1, true, 5, 6);
  auto f = t.next_frame();
  EXPECT_TRUE(f.down[1]);
  ASSERT_TRUE(f.position.has_value());
  EXPECT_FLOAT_EQ((*f.position)[0], 5);
  f = t.next_frame();
  EXPECT_TRUE(f.down[1]) << "no release yet: still held";
  EXPECT_FALSE(f.position.has_value());
  t.on_button(1, false, 50, 60);
  f = t.next_frame();
  EXPECT_FALSE(f.down[1]);
  EXPECT_FLOAT_EQ((*f.position)[1], 60);
}

TEST(MouseTrickle, ButtonsAreIndependentAndRedundantEventsTakeNoFrame) {
  MouseTrickle t;
  t.on_button(0, false, 0, 0);  // a release while up
  t.on_button(0, true, 1, 1);
  t.on_button(2, true, 2, 2);
  t.on_button(7, true, 0, 0);  // no such button
  auto f = t.next_frame();
  EXPECT_TRUE(f.down[0]);
  EXPECT_TRUE(f.down[2]);
  EXPECT_TRUE(t.idle());
}
