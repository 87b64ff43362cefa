// `dibr train --nproc 2` and the torchrun environment, as a user runs them: only rank 0 writes, Ctrl-C stops every
// worker with one latest.pt, a killed rank stops the group naming it, an exact resume, and the rendezvous errors.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/trainer/nmr_fixture.h"

namespace dibr::test {
namespace {

namespace fs = std::filesystem;

struct Launched {
  pid_t pid = -1;
  fs::path log;
};

// Starts `dibr <args>` in its own process with stdout and stderr to log; env entries are added to the environment.
Launched start_dibr(const std::vector<std::string>& args, const fs::path& log, const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv_s{DIBR_CLI_PATH};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s = env;
  const pid_t pid = fork();
  if (pid == 0) {
    for (auto& e : env_s) putenv(e.data());
    FILE* out = std::fopen(log.c_str(), "w");
    if (out) {
      dup2(fileno(out), 1);
      dup2(fileno(out), 2);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  return {pid, log};
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Waits for the process to end (at most deadline seconds, then kills it): its exit status, -1 when killed.
int wait_exit(pid_t pid, double deadline_seconds = 240) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(deadline_seconds);
  while (true) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() > deadline) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Rows of metrics.csv after its header.
std::vector<std::string> metric_rows(const fs::path& run) {
  std::ifstream in(run / "metrics.csv");
  std::vector<std::string> rows;
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (!line.empty()) rows.push_back(line);
  }
  return rows;
}

bool wait_until(const std::function<bool()>& condition, double deadline_seconds = 240) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(deadline_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// The pids of the launcher's workers (its children), from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text;
    std::getline(stat, text);
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(std::stoi(name));
  }
  return out;
}

std::string rank_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  std::string entry;
  while (std::getline(in, entry, '\0'))
    if (entry.rfind("RANK=", 0) == 0) return entry.substr(5);
  return "";
}

class Launcher : public ::testing::Test {
 protected:
  void SetUp() override {
    // Written by a child: this process stays free of torch (the launcher tests fork).
    const pid_t pid = fork();
    if (pid == 0) {
      write_tiny_dataset(dir.path / "data", "02691156", 4, {0, 1, 2, 3}, {0}, {1});
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_EQ(status, 0);
  }
  std::vector<std::string> train_args(const std::string& out, int steps, std::vector<std::string> extra = {}) {
    std::vector<std::string> a{"train", "--data", (dir.path / "data").string(), "--out", (dir.path / out).string(),
                               "--max-steps", std::to_string(steps), "--size", "32", "--batch", "1", "--views", "2",
                               "--preview-count", "0", "--workers", "1", "--device", "cpu", "--threads", "1",
                               "--log-every", "1"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  TempDir dir{"launcher"};
};

TEST_F(Launcher, TwoWorkersTrainAndOnlyRankZeroWrites) {
  auto args = train_args("run", 4, {"--nproc", "2", "--master-port", "0", "--checkpoint-every", "2"});
  const Launched l = start_dibr(args, dir.path / "log.txt");
  ASSERT_EQ(wait_exit(l.pid), 0) << read_all(l.log);
  const std::string log = read_all(l.log);
  EXPECT_NE(log.find("rank 0 of 2"), std::string::npos) << log;
  EXPECT_NE(log.find("backend gloo"), std::string::npos) << log;
  EXPECT_NE(log.find("global batch 2"), std::string::npos) << log;
  EXPECT_EQ(log.find("rank 1 of 2"), std::string::npos) << "rank 1 prints nothing but errors\n" << log;
  EXPECT_EQ(metric_rows(dir.path / "run").size(), 4u) << "one metrics row per step, from rank 0 alone";
  EXPECT_TRUE(fs::is_regular_file(dir.path / "run" / "latest.pt"));
  EXPECT_TRUE(fs::is_regular_file(dir.path / "run" / "config.json"));
  size_t tmp = 0;
  for (const auto& e : fs::directory_iterator(dir.path / "run")) tmp += e.path().extension() == ".tmp";
  EXPECT_EQ(tmp, 0u);
}

// The same run straight through, and stopped after 3 steps then resumed with the same world size: identical losses.
TEST_F(Launcher, AResumeWithTheSameWorldSizeContinuesExactly) {
  const Launched straight = start_dibr(train_args("straight", 6, {"--nproc", "2", "--master-port", "0"}), dir.path / "a.txt");
  ASSERT_EQ(wait_exit(straight.pid), 0) << read_all(straight.log);
  const Launched first = start_dibr(train_args("split", 3, {"--nproc", "2", "--master-port", "0"}), dir.path / "b.txt");
  ASSERT_EQ(wait_exit(first.pid), 0) << read_all(first.log);
  const Launched rest =
      start_dibr(train_args("split", 6, {"--nproc", "2", "--master-port", "0", "--resume"}), dir.path / "c.txt");
  ASSERT_EQ(wait_exit(rest.pid), 0) << read_all(rest.log);
  const auto a = metric_rows(dir.path / "straight"), b = metric_rows(dir.path / "split");
  ASSERT_EQ(a.size(), 6u);
  ASSERT_EQ(b.size(), 6u);
  // Columns after step and time: lr, total and the terms.
  const auto values = [](const std::string& row) {
    std::vector<std::string> cells;
    std::stringstream s(row);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    return cells;
  };
  for (size_t i = 0; i < a.size(); ++i) {
    auto x = values(a[i]), y = values(b[i]);
    ASSERT_EQ(x.size(), y.size());
    EXPECT_EQ(x[0], y[0]);
    for (size_t c = 2; c < x.size(); ++c) EXPECT_EQ(x[c], y[c]) << "row " << i << " column " << c << "\n" << a[i] << "\n" << b[i];
  }
}

// Ctrl-C on the launcher: every worker stops after the same step, latest.pt is written once and loads.
TEST_F(Launcher, CtrlCStopsEveryWorkerAndWritesLatestOnce) {
  const fs::path run = dir.path / "run";
  const Launched l = start_dibr(train_args("run", 100000, {"--nproc", "2", "--master-port", "0", "--checkpoint-every", "100000"}),
                                dir.path / "log.txt");
  ASSERT_TRUE(wait_until([&] { return metric_rows(run).size() >= 2; })) << read_all(l.log);
  kill(l.pid, SIGINT);
  EXPECT_EQ(wait_exit(l.pid), 130) << read_all(l.log);
  const std::string log = read_all(l.log);
  size_t stopped = 0;
  for (size_t at = log.find("stopped at step"); at != std::string::npos; at = log.find("stopped at step", at + 1)) ++stopped;
  EXPECT_EQ(stopped, 1u) << "one message, from rank 0\n" << log;
  ASSERT_TRUE(fs::is_regular_file(run / "latest.pt")) << log;
  const std::string sidecar = read_all(run / "latest.pt.json");
  EXPECT_NE(sidecar.find("\"step\":" + std::to_string(metric_rows(run).size())), std::string::npos)
      << "latest.pt holds the last step of metrics.csv: " << sidecar;
  const Launched eval = start_dibr({"eval", "--checkpoint", (run / "latest.pt").string(), "--data", (dir.path / "data").string(),
                                    "--out", (dir.path / "eval").string(), "--device", "cpu"},
                                   dir.path / "eval.txt");
  EXPECT_EQ(wait_exit(eval.pid), 0) << "latest.pt loads: " << read_all(eval.log);
}

// A worker killed mid-run: the other stops within the timeout naming it, the launcher fails naming it, and latest.pt
// stays loadable (rank 0 keeps the last finished step).
TEST_F(Launcher, AKilledRankStopsTheGroupWithinTheTimeoutNamingIt) {
  const fs::path run = dir.path / "run";
  const Launched l = start_dibr(
      train_args("run", 100000, {"--nproc", "2", "--master-port", "0", "--dist-timeout", "20", "--checkpoint-every", "1"}),
      dir.path / "log.txt");
  ASSERT_TRUE(wait_until([&] { return metric_rows(run).size() >= 2; })) << read_all(l.log);
  pid_t rank1 = -1;
  for (pid_t p : children_of(l.pid))
    if (rank_of(p) == "1") rank1 = p;
  ASSERT_GT(rank1, 0) << "no worker with RANK=1 under the launcher";
  const auto killed = std::chrono::steady_clock::now();
  kill(rank1, SIGKILL);
  EXPECT_EQ(wait_exit(l.pid, 120), 1) << read_all(l.log);
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  EXPECT_LT(took, 20 + 15) << "the group stops within the timeout";
  const std::string log = read_all(l.log);
  EXPECT_NE(log.find("rank 1 (pid " + std::to_string(rank1) + ") was killed by signal 9"), std::string::npos) << log;
  EXPECT_NE(log.find("rank 0: training failed"), std::string::npos) << log;
  const size_t failed = log.find("training stopped at step");
  ASSERT_NE(failed, std::string::npos) << log;
  const std::string why = log.substr(failed, log.find('\n', failed) - failed);
  EXPECT_TRUE(why.find("rank 1 (pid " + std::to_string(rank1) + ") has died") != std::string::npos ||
              why.find("rank 1 stopped answering") != std::string::npos)
      << "rank 0's message names rank 1: " << why;
  ASSERT_TRUE(fs::is_regular_file(run / "latest.pt"));
  const Launched resume = start_dibr(train_args("run", static_cast<int>(metric_rows(run).size()) + 1, {"--resume"}),
                                     dir.path / "resume.txt");
  EXPECT_EQ(wait_exit(resume.pid), 0) << "latest.pt loads and the run goes on in one process: " << read_all(resume.log);
}

// Two workers started by hand with torchrun's variables (rank 0 hosting the store, as torchrun without its agent
// store): the same group without our launcher.
TEST_F(Launcher, WorkersStartedWithTheTorchrunEnvironmentFormAGroup) {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string port = std::to_string(ntohs(address.sin_port));
  close(s);  // a free port for rank 0's store
  const auto env = [&](int rank) {
    return std::vector<std::string>{"RANK=" + std::to_string(rank), "WORLD_SIZE=2", "LOCAL_RANK=" + std::to_string(rank),
                                    "LOCAL_WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=" + port};
  };
  const Launched rank1 = start_dibr(train_args("run", 3), dir.path / "rank1.txt", env(1));
  const Launched rank0 = start_dibr(train_args("run", 3), dir.path / "rank0.txt", env(0));
  EXPECT_EQ(wait_exit(rank0.pid), 0) << read_all(rank0.log);
  EXPECT_EQ(wait_exit(rank1.pid), 0) << read_all(rank1.log);
  EXPECT_NE(read_all(rank0.log).find("rank 0 of 2"), std::string::npos) << read_all(rank0.log);
  EXPECT_EQ(read_all(rank1.log), "") << "rank 1 prints nothing but errors";
  EXPECT_EQ(metric_rows(dir.path / "run").size(), 3u);
}

// The paper presets keep their global batch in a group (32 objects: 16 per rank with 2 ranks) and say so; a quick
// preset's batch is per rank. Zero steps: only the start is looked at.
TEST_F(Launcher, ThePaperPresetKeepsItsGlobalBatch) {
  const std::vector<std::string> paper{"train", "--preset", "paper", "--data", (dir.path / "data").string(), "--out",
                                       (dir.path / "paper").string(), "--max-steps", "0", "--preview-count", "0",
                                       "--workers", "1", "--device", "cpu", "--threads", "1", "--nproc", "2",
                                       "--master-port", "0"};
  const Launched l = start_dibr(paper, dir.path / "paper.txt");
  EXPECT_EQ(wait_exit(l.pid), 0) << read_all(l.log);
  EXPECT_NE(read_all(l.log).find("paper keeps its global batch of 32 objects: 16 per rank x 2 ranks"), std::string::npos)
      << read_all(l.log);
  auto odd = paper;
  odd[odd.size() - 3] = "3";  // --nproc 3: 32 does not divide
  const Launched bad = start_dibr(odd, dir.path / "odd.txt");
  EXPECT_EQ(wait_exit(bad.pid), 1);
  EXPECT_NE(read_all(bad.log).find("global batch of 32 objects does not divide among 3 ranks"), std::string::npos)
      << read_all(bad.log);
}

TEST_F(Launcher, APortInUseIsAClearError) {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = 0;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(s, 1), 0);
  socklen_t length = sizeof address;
  getsockname(s, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);
  const Launched l = start_dibr(train_args("run", 2, {"--nproc", "2", "--master-port", std::to_string(port)}), dir.path / "log.txt");
  EXPECT_EQ(wait_exit(l.pid), 1);
  close(s);
  const std::string log = read_all(l.log);
  EXPECT_NE(log.find("port " + std::to_string(port) + " is in use"), std::string::npos) << log;
  EXPECT_NE(log.find("--master-port"), std::string::npos) << log;
}

// A worker started by hand (as torchrun would) whose master does not answer: a clear error within the timeout.
TEST_F(Launcher, AMasterThatCannotBeReachedIsAClearError) {
  const Launched l = start_dibr(train_args("run", 2), dir.path / "log.txt",
                                {"RANK=1", "WORLD_SIZE=2", "LOCAL_RANK=1", "MASTER_ADDR=127.0.0.1", "MASTER_PORT=9",
                                 "DIBR_DIST_TIMEOUT=3", "TORCHELASTIC_USE_AGENT_STORE=True"});
  EXPECT_EQ(wait_exit(l.pid, 60), 1);
  const std::string log = read_all(l.log);
  EXPECT_NE(log.find("could not reach the rendezvous at 127.0.0.1:9"), std::string::npos) << log;
}

TEST_F(Launcher, MalformedTorchrunVariablesAreNamed) {
  const Launched l = start_dibr(train_args("run", 2), dir.path / "log.txt", {"WORLD_SIZE=2", "RANK=2"});
  EXPECT_EQ(wait_exit(l.pid, 60), 1);
  const std::string log = read_all(l.log);
  EXPECT_NE(log.find("RANK='2' is not an integer in [0, 1]"), std::string::npos) << log;
}

}  // namespace
}  // namespace dibr::test
