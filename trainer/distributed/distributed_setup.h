#pragma once
// Where one training process sits in a group: its rank, the group's size and the rendezvous address. Read from the
// environment torchrun (and `dibr train --nproc`) sets: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
// MASTER_PORT. No LibTorch here: the launcher and the config checks use it before any torch op.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace dibr {

struct DistributedSetup {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;        // index of this process on its machine (its GPU)
  int local_world_size = 1;  // processes on this machine
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  double timeout_seconds = 60;  // a collective or the rendezvous that takes longer fails, naming the rank
  // The store is hosted outside the workers (torchrun's agent, our launcher): every rank connects as a client.
  bool external_store = false;

  bool distributed() const { return world_size > 1; }
  std::string describe() const;  // "rank 1 of 4 (local 1 of 2), master 10.0.0.1:29500"
};

// The group this process belongs to, from `environment` (the process's own when empty): nullopt when WORLD_SIZE is
// unset. Throws std::invalid_argument naming the variable that is missing or malformed (RANK >= WORLD_SIZE, a port
// out of range, ...). DIBR_DIST_TIMEOUT (seconds) sets timeout_seconds; TORCHELASTIC_USE_AGENT_STORE=True
// external_store.
std::optional<DistributedSetup> distributed_setup_from_environment(
    const std::map<std::string, std::string>& environment = {});

// The environment of one worker (what the launcher sets).
std::map<std::string, std::string> worker_environment(const DistributedSetup& setup);

// The seed of rank `rank` in a run seeded `run_seed`: rank 0 keeps the run seed (a 1-process run is unchanged), the
// others get decorrelated streams.
uint64_t rank_seed(uint64_t run_seed, int rank);
// The torch generator's seed for one step of one rank in a distributed run, so that a resumed run replays the
// uninterrupted one on every rank.
uint64_t step_seed(uint64_t rank_seed, int64_t step);

// This machine's name and whether a process on it still runs (neither gone nor a zombie waiting to be reaped): how a
// failure message names a dead rank, and how a run folder's writer mark is recognised as stale.
std::string host_name();
bool process_alive(long pid);

// Whether this build can train in a group, and why not ("" when it can).
bool distributed_training_available();
std::string distributed_unavailable_reason();

}  // namespace dibr
