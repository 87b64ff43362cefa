#pragma once
// Runs a function as every rank of a group of processes forked from the test, before the test process itself does
// any torch op (forking after LibTorch's thread pools start can deadlock). Each rank joins the group through a
// FileStore, runs the function with one intra-op thread, and reports by exit status; its messages go to stderr
// (flushed before _exit). The parent waits for every rank, killing them all after `deadline_seconds` so that a hang
// fails the test instead of the suite's time limit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "trainer/distributed/communicator.h"

namespace dibr::test {

struct RankResult {
  int rank = 0;
  int status = 0;  // waitpid's
  bool killed_at_deadline = false;
  bool ok() const { return !killed_at_deadline && WIFEXITED(status) && WEXITSTATUS(status) == 0; }
};

inline std::string unique_store_path(const std::string& tag) {
  return (std::filesystem::temp_directory_path() /
          ("dibr_store_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(std::random_device{}())))
      .string();
}

// body(communicator, rank) throws (or returns false) on failure.
using RankBody = std::function<bool(Communicator& group, int rank)>;

inline std::vector<RankResult> fork_ranks(int world, const RankBody& body, double timeout_seconds = 20,
                                          double deadline_seconds = 120, const std::string& tag = "group") {
  const std::string store = unique_store_path(tag);
  std::vector<pid_t> pids;
  for (int rank = 0; rank < world; ++rank) {
    const pid_t pid = fork();
    if (pid == 0) {
      int code = 1;
      try {
        at::set_num_threads(1);
        auto group = join_group_through_file(store, rank, world, timeout_seconds);
        code = body(*group, rank) ? 0 : 1;
        if (code) std::fprintf(stderr, "rank %d: check failed\n", rank);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "rank %d: %s\n", rank, e.what());
        code = 2;
      }
      std::fflush(stderr);
      std::fflush(stdout);
      _exit(code);
    }
    pids.push_back(pid);
  }
  std::vector<RankResult> results(world);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(deadline_seconds);
  int left = world;
  while (left > 0) {
    for (int r = 0; r < world; ++r) {
      if (pids[r] <= 0) continue;
      int status = 0;
      if (waitpid(pids[r], &status, WNOHANG) == pids[r]) {
        results[r] = {r, status, false};
        pids[r] = -1;
        --left;
      }
    }
    if (left > 0 && std::chrono::steady_clock::now() > deadline) {
      for (int r = 0; r < world; ++r)
        if (pids[r] > 0) {
          kill(pids[r], SIGKILL);
          int status = 0;
          waitpid(pids[r], &status, 0);
          results[r] = {r, status, true};
          pids[r] = -1;
          --left;
        }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::error_code ec;
  std::filesystem::remove(store, ec);
  return results;
}

inline ::testing::AssertionResult all_ranks_ok(const std::vector<RankResult>& results) {
  for (const auto& r : results)
    if (!r.ok())
      return ::testing::AssertionFailure() << "rank " << r.rank << (r.killed_at_deadline ? " hung (killed at the deadline)" : " failed")
                                           << ", wait status " << r.status << " (its message is on stderr above)";
  return ::testing::AssertionSuccess();
}

}  // namespace dibr::test
