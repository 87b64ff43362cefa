#include "trainer/cli/launcher.h"

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>

#include "trainer/distributed/communicator.h"
#include "trainer/distributed/distributed_setup.h"

extern char** environ;

namespace dibr::cli {
namespace {

using Clock = std::chrono::steady_clock;
std::atomic<int> signals_received{0};
void count_signal(int) { signals_received.fetch_add(1); }

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  bool running = true;
  int status = 0;
};

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + (name ? std::string(" (") + name + ")" : "");
  }
  return "ended";
}

bool clean_exit(int status, bool interrupted) {
  return WIFEXITED(status) && (WEXITSTATUS(status) == 0 || (interrupted && WEXITSTATUS(status) == 130));
}

// The environment of one worker: ours with the group's variables replaced.
std::vector<std::string> environment_for(const DistributedSetup& setup, int threads) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : worker_environment(setup)) env[k] = v;
  // As torchrun: the cores are shared among the workers unless the user chose.
  if (!env.count("OMP_NUM_THREADS")) env["OMP_NUM_THREADS"] = std::to_string(threads);
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& items) {
  std::vector<char*> out;
  for (auto& s : items) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

const std::vector<std::string>& launcher_flags() {
  static const std::vector<std::string> flags = {"--nproc", "--nnodes", "--node-rank", "--master-addr",
                                                 "--master-port", "--dist-timeout"};
  return flags;
}

std::vector<std::string> without_launcher_flags(const std::vector<std::string>& arguments) {
  std::vector<std::string> out;
  for (size_t i = 0; i < arguments.size(); ++i) {
    bool skipped = false;
    for (const auto& flag : launcher_flags()) {
      if (arguments[i] == flag) {
        ++i;  // and its value
        skipped = true;
        break;
      }
      if (arguments[i].rfind(flag + "=", 0) == 0) {
        skipped = true;
        break;
      }
    }
    if (!skipped) out.push_back(arguments[i]);
  }
  return out;
}

int launch_workers(const LaunchOptions& o, const std::vector<std::string>& worker_arguments) {
  if (o.nproc < 1 || o.nnodes < 1) throw std::invalid_argument("--nproc and --nnodes must be at least 1");
  if (o.node_rank < 0 || o.node_rank >= o.nnodes)
    throw std::invalid_argument("--node-rank " + std::to_string(o.node_rank) + " is not below --nnodes " +
                                std::to_string(o.nnodes));
  if (o.master_port == 0 && o.nnodes > 1)
    throw std::invalid_argument("--master-port 0 (a free port) works on one machine only: give the port every node uses");
  const int world = o.nproc * o.nnodes;
  if (world > 1 && !distributed_training_available()) throw std::runtime_error(distributed_unavailable_reason());

  // The rendezvous store lives here, not in a worker: a worker that dies cannot take it along.
  std::optional<HostedStore> store;
  int port = o.master_port;
  if (world > 1 && o.node_rank == 0) {
    store.emplace(o.master_port, world, o.timeout_seconds);
    port = store->port();
  }
  const int threads = std::max(1u, std::thread::hardware_concurrency() / static_cast<unsigned>(o.nproc));
  std::cerr << "dibr train: starting " << o.nproc << " worker(s), ranks " << o.node_rank * o.nproc << ".."
            << (o.node_rank + 1) * o.nproc - 1 << " of " << world << ", rendezvous " << o.master_addr << ":" << port
            << ", timeout " << static_cast<int>(o.timeout_seconds) << " s\n";

  struct sigaction action {}, old_int {}, old_term {}, old_hup {};
  action.sa_handler = count_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  sigaction(SIGHUP, &action, &old_hup);
  signals_received = 0;

  std::vector<Worker> workers;
  std::string program = "/proc/self/exe";
  for (int local = 0; local < o.nproc; ++local) {
    DistributedSetup setup;
    setup.rank = o.node_rank * o.nproc + local;
    setup.world_size = world;
    setup.local_rank = local;
    setup.local_world_size = o.nproc;
    setup.master_addr = o.master_addr;
    setup.master_port = port;
    setup.timeout_seconds = o.timeout_seconds;
    setup.external_store = true;
    std::vector<std::string> env = environment_for(setup, threads);
    std::vector<std::string> args = worker_arguments;
    args[0] = "dibr";
    auto argv = c_strings(args);
    auto envp = c_strings(env);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) {
      // Its own process group: a Ctrl-C in the terminal reaches the launcher only, which passes it on once.
      setpgid(0, 0);
      execve(program.c_str(), argv.data(), envp.data());
      _exit(127);
    }
    workers.push_back({setup.rank, pid});
  }

  int forwarded = 0;
  Clock::time_point kill_at = Clock::time_point::max();  // when the workers still running are killed
  std::string first_failure;
  bool interrupted = false;
  const auto running = [&] {
    for (const auto& w : workers)
      if (w.running) return true;
    return false;
  };
  while (running()) {
    const int received = signals_received.load();
    if (received > forwarded) {
      interrupted = true;
      forwarded = received;
      for (const auto& w : workers)
        if (w.running) kill(w.pid, SIGINT);
      if (forwarded == 1) std::cerr << "dibr train: stopping every worker after its current step\n";
    }
    int status = 0;
    const pid_t done = waitpid(-1, &status, WNOHANG);
    if (done > 0) {
      for (auto& w : workers) {
        if (w.pid != done) continue;
        w.running = false;
        w.status = status;
        if (!clean_exit(status, interrupted) && first_failure.empty()) {
          first_failure = "rank " + std::to_string(w.rank) + " (pid " + std::to_string(w.pid) + ") " + describe_exit(status);
          std::cerr << "dibr train: " << first_failure << "; the other ranks stop within the timeout ("
                    << static_cast<int>(o.timeout_seconds) << " s)\n";
          kill_at = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(o.timeout_seconds + 15));
        }
      }
      continue;
    }
    if (Clock::now() > kill_at) {
      for (auto& w : workers)
        if (w.running) {
          std::cerr << "dibr train: rank " << w.rank << " did not stop in time: killed\n";
          kill(w.pid, SIGKILL);
        }
      kill_at = Clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  sigaction(SIGHUP, &old_hup, nullptr);
  if (!first_failure.empty()) {
    std::cerr << "dibr train: failed: " << first_failure << "\n";
    return 1;
  }
  return interrupted ? 130 : 0;
}

}  // namespace dibr::cli
