// The phase profile of `dibr train --profile`: nothing is recorded without an installed profile, nested
// scopes count for the inner phase only, and the table lists every phase.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "trainer/step_profile.h"

namespace dibr {
namespace {

void spin_for_a_while() {
  volatile double x = 0;
  for (int i = 0; i < 200000; ++i) x = x + i * 1e-9;
}

TEST(StepProfile, NothingIsRecordedWithoutAProfile) {
  StepProfile unused;
  {
    ProfileScope scope(Phase::Encoder);
    spin_for_a_while();
  }
  EXPECT_EQ(unused.seconds(Phase::Encoder), 0.0);
}

TEST(StepProfile, NestedScopesCountOnce) {
  StepProfile profile;
  const auto start = std::chrono::steady_clock::now();
  {
    InstallProfile installed(&profile);
    ProfileScope losses(Phase::Losses);
    spin_for_a_while();
    {
      ProfileScope renders(Phase::Renders);
      spin_for_a_while();
    }
    spin_for_a_while();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(profile.seconds(Phase::Losses), 0.0);
  EXPECT_GT(profile.seconds(Phase::Renders), 0.0);
  EXPECT_LE(profile.seconds(Phase::Losses) + profile.seconds(Phase::Renders), wall);
  EXPECT_EQ(profile.seconds(Phase::Backward), 0.0);
  // Uninstalled with the guard: later scopes record nothing.
  const double renders = profile.seconds(Phase::Renders);
  {
    ProfileScope after(Phase::Renders);
    spin_for_a_while();
  }
  EXPECT_EQ(profile.seconds(Phase::Renders), renders);
}

TEST(StepProfile, TableListsEveryPhaseAndTheRate) {
  StepProfile profile;
  profile.add(Phase::Data, 0.5);
  profile.add(Phase::Backward, 1.5);
  profile.set_loop(4.0, 8);
  const std::string table = profile.table();
  for (int i = 0; i < static_cast<int>(Phase::Count); ++i)
    EXPECT_NE(table.find(phase_name(static_cast<Phase>(i))), std::string::npos) << phase_name(static_cast<Phase>(i));
  EXPECT_NE(table.find("other"), std::string::npos);
  EXPECT_NE(table.find("187.50"), std::string::npos) << table;  // backward: 1.5 s over 8 steps
  EXPECT_NE(table.find("2.00 steps/s"), std::string::npos) << table;
  EXPECT_NE(table.find(" 50.0%"), std::string::npos) << table;  // other: 2 s of 4
}

}  // namespace
}  // namespace dibr
