// The studio's training thread gives way to the window: its own nice value, inherited by the threads it starts,
// never raised, and the main thread untouched.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "app/thread_priority.h"

namespace dibr::studio {
namespace {

#ifdef __linux__
TEST(ThreadPriority, LowersOnlyTheCallingThreadAndItsLaterThreads) {
  const int base = this_thread_nice();
  if (base >= 19) GTEST_SKIP() << "this test runs at nice 19 already: no lower priority to give a thread";
  const int lowered = std::min(19, base + 4);
  int after = -100, asked_higher = -100, child = -100;
  std::thread([&] {
    after = lower_this_thread_priority(lowered);
    asked_higher = lower_this_thread_priority(base);  // raising it again is not attempted
    std::thread([&] { child = this_thread_nice(); }).join();
  }).join();
  EXPECT_EQ(after, lowered);
  EXPECT_EQ(asked_higher, lowered);
  EXPECT_EQ(child, lowered);
  EXPECT_EQ(this_thread_nice(), base);
}

TEST(ThreadPriority, ClampsToTheLowestPriority) {
  int after = -100;
  std::thread([&] { after = lower_this_thread_priority(40); }).join();
  EXPECT_EQ(after, 19);
}
#endif

}  // namespace
}  // namespace dibr::studio
