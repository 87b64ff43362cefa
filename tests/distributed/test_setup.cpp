// The torchrun environment, per-rank seeds and the launcher's argument handling (no processes).
#include <gtest/gtest.h>

#include <set>

#include "trainer/cli/launcher.h"
#include "trainer/distributed/distributed_setup.h"

namespace dibr {
namespace {

TEST(DistributedSetup, ReadsTheTorchrunEnvironment) {
  const auto s = distributed_setup_from_environment({{"RANK", "3"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"},
                                                      {"LOCAL_WORLD_SIZE", "2"}, {"MASTER_ADDR", "10.0.0.1"},
                                                      {"MASTER_PORT", "29501"}, {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                                      {"DIBR_DIST_TIMEOUT", "7"}});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->rank, 3);
  EXPECT_EQ(s->world_size, 4);
  EXPECT_EQ(s->local_rank, 1);
  EXPECT_EQ(s->local_world_size, 2);
  EXPECT_EQ(s->master_addr, "10.0.0.1");
  EXPECT_EQ(s->master_port, 29501);
  EXPECT_TRUE(s->external_store);
  EXPECT_EQ(s->timeout_seconds, 7);
  EXPECT_TRUE(s->distributed());
  // What the launcher sets is read back the same.
  const auto env = worker_environment(*s);
  const auto again = distributed_setup_from_environment({env.begin(), env.end()});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->describe(), s->describe());
  EXPECT_EQ(again->external_store, s->external_store);
}

TEST(DistributedSetup, NoWorldSizeMeansOneProcessAndBadValuesAreNamed) {
  EXPECT_FALSE(distributed_setup_from_environment({{"SOMETHING", "1"}}));
  const auto one = distributed_setup_from_environment({{"WORLD_SIZE", "1"}, {"RANK", "0"}});
  ASSERT_TRUE(one);
  EXPECT_FALSE(one->distributed());
  const auto error_of = [](std::map<std::string, std::string> env) {
    try {
      distributed_setup_from_environment(env);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of({{"WORLD_SIZE", "2"}}), "WORLD_SIZE is set but RANK is not (launch with torchrun or dibr train --nproc N)");
  EXPECT_EQ(error_of({{"WORLD_SIZE", "two"}, {"RANK", "0"}}), "WORLD_SIZE='two' is not an integer in [1, 65536]");
  EXPECT_EQ(error_of({{"WORLD_SIZE", "2"}, {"RANK", "0"}}),
            "WORLD_SIZE is set but MASTER_ADDR is not (launch with torchrun or dibr train --nproc N)");
  EXPECT_EQ(error_of({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}}),
            "MASTER_PORT='70000' is not an integer in [1, 65535]");
  EXPECT_EQ(error_of({{"WORLD_SIZE", "2"}, {"RANK", "1"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "1"}}),
            "LOCAL_RANK=1 is not below LOCAL_WORLD_SIZE=1");
}

TEST(DistributedSetup, RankZeroKeepsTheRunSeedAndEveryRankAndStepGetsItsOwn) {
  EXPECT_EQ(rank_seed(42, 0), 42u);
  std::set<uint64_t> seeds;
  for (int r = 0; r < 8; ++r) seeds.insert(rank_seed(42, r));
  EXPECT_EQ(seeds.size(), 8u);
  EXPECT_NE(rank_seed(42, 1), rank_seed(43, 1));
  std::set<uint64_t> steps;
  for (int s = 0; s < 100; ++s) steps.insert(step_seed(rank_seed(42, 1), s));
  EXPECT_EQ(steps.size(), 100u);
  EXPECT_EQ(step_seed(7, 3), step_seed(7, 3));
}

TEST(LauncherArguments, PassesOnEveryArgumentButItsOwn) {
  const std::vector<std::string> args{"dibr", "train", "--nproc", "2", "--preset", "quick", "--master-port=0",
                                      "--nnodes", "1", "--node-rank=0", "--master-addr", "h", "--dist-timeout", "5",
                                      "--out", "x"};
  EXPECT_EQ(cli::without_launcher_flags(args),
            (std::vector<std::string>{"dibr", "train", "--preset", "quick", "--out", "x"}));
}

TEST(LauncherArguments, RefusesImpossibleGroups) {
  cli::LaunchOptions o;
  o.nnodes = 2;
  o.node_rank = 2;
  EXPECT_THROW(cli::launch_workers(o, {"dibr", "train"}), std::invalid_argument);
  o.node_rank = 1;
  o.master_port = 0;
  EXPECT_THROW(cli::launch_workers(o, {"dibr", "train"}), std::invalid_argument);
}

}  // namespace
}  // namespace dibr
