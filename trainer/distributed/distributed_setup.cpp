#include "trainer/distributed/distributed_setup.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace dibr {
namespace {

std::optional<std::string> lookup(const std::map<std::string, std::string>& environment, const char* name) {
  if (!environment.empty()) {
    const auto it = environment.find(name);
    if (it == environment.end()) return std::nullopt;
    return it->second;
  }
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  return std::string(value);
}

long parse_integer(const std::string& text, const char* name, long low, long high) {
  size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < low || value > high)
    throw std::invalid_argument(std::string(name) + "='" + text + "' is not an integer in [" + std::to_string(low) +
                                ", " + std::to_string(high) + "]");
  return value;
}

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

std::string DistributedSetup::describe() const {
  return "rank " + std::to_string(rank) + " of " + std::to_string(world_size) + " (local " +
         std::to_string(local_rank) + " of " + std::to_string(local_world_size) + "), master " + master_addr + ":" +
         std::to_string(master_port);
}

std::optional<DistributedSetup> distributed_setup_from_environment(const std::map<std::string, std::string>& env) {
  const auto world = lookup(env, "WORLD_SIZE");
  if (!world) return std::nullopt;
  DistributedSetup s;
  s.world_size = static_cast<int>(parse_integer(*world, "WORLD_SIZE", 1, 65536));
  const auto required = [&](const char* name) {
    const auto value = lookup(env, name);
    if (!value || value->empty())
      throw std::invalid_argument(std::string("WORLD_SIZE is set but ") + name +
                                  " is not (launch with torchrun or dibr train --nproc N)");
    return *value;
  };
  s.rank = static_cast<int>(parse_integer(required("RANK"), "RANK", 0, s.world_size - 1));
  s.local_rank = s.rank;
  s.local_world_size = s.world_size;
  if (const auto v = lookup(env, "LOCAL_RANK")) s.local_rank = static_cast<int>(parse_integer(*v, "LOCAL_RANK", 0, s.world_size - 1));
  if (const auto v = lookup(env, "LOCAL_WORLD_SIZE"))
    s.local_world_size = static_cast<int>(parse_integer(*v, "LOCAL_WORLD_SIZE", 1, s.world_size));
  if (s.local_rank >= s.local_world_size && lookup(env, "LOCAL_WORLD_SIZE"))
    throw std::invalid_argument("LOCAL_RANK=" + std::to_string(s.local_rank) + " is not below LOCAL_WORLD_SIZE=" +
                                std::to_string(s.local_world_size));
  if (s.world_size > 1) {
    s.master_addr = required("MASTER_ADDR");
    s.master_port = static_cast<int>(parse_integer(required("MASTER_PORT"), "MASTER_PORT", 1, 65535));
  }
  if (const auto v = lookup(env, "DIBR_DIST_TIMEOUT")) {
    s.timeout_seconds = static_cast<double>(parse_integer(*v, "DIBR_DIST_TIMEOUT", 1, 86400));
  }
  if (const auto v = lookup(env, "TORCHELASTIC_USE_AGENT_STORE")) s.external_store = (*v == "True" || *v == "1");
  return s;
}

std::map<std::string, std::string> worker_environment(const DistributedSetup& s) {
  return {{"RANK", std::to_string(s.rank)},
          {"WORLD_SIZE", std::to_string(s.world_size)},
          {"LOCAL_RANK", std::to_string(s.local_rank)},
          {"LOCAL_WORLD_SIZE", std::to_string(s.local_world_size)},
          {"MASTER_ADDR", s.master_addr},
          {"MASTER_PORT", std::to_string(s.master_port)},
          {"DIBR_DIST_TIMEOUT", std::to_string(static_cast<long>(s.timeout_seconds))},
          {"TORCHELASTIC_USE_AGENT_STORE", s.external_store ? "True" : "False"}};
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const size_t close = text.rfind(')');
  return close == std::string::npos || close + 2 >= text.size() || text[close + 2] != 'Z';
}

uint64_t rank_seed(uint64_t run_seed, int rank) {
  return rank == 0 ? run_seed : mix(run_seed ^ mix(static_cast<uint64_t>(rank)));
}

uint64_t step_seed(uint64_t seed, int64_t step) { return mix(seed ^ mix(static_cast<uint64_t>(step) + 1)); }

}  // namespace dibr
