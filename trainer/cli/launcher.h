#pragma once
// `dibr train --nproc N`: starts N worker processes of this program with the torchrun environment (RANK,
// WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT), hosting their rendezvous store itself (on node
// 0) so that it outlives any worker. Ctrl-C (SIGINT, SIGTERM, SIGHUP) is passed on to every worker once (again: they
// quit at once); a worker that fails gives the others the group timeout to stop, then they are killed.
#include <string>
#include <vector>

namespace dibr::cli {

struct LaunchOptions {
  int nproc = 1;       // workers on this machine
  int nnodes = 1;      // machines
  int node_rank = 0;   // this machine's index; node 0 hosts the rendezvous
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;  // 0: a free port (one machine only)
  double timeout_seconds = 60;
};

// The launcher's own flags, to strip from the arguments it passes on.
const std::vector<std::string>& launcher_flags();
// worker_arguments: the command line each worker runs (argv[0] is replaced by this executable). Returns the exit
// status: 0 when every worker finished, 130 when interrupted and every worker stopped cleanly, 1 otherwise.
int launch_workers(const LaunchOptions& options, const std::vector<std::string>& worker_arguments);

// The command line without the launcher's flags (both "--flag value" and "--flag=value").
std::vector<std::string> without_launcher_flags(const std::vector<std::string>& arguments);

}  // namespace dibr::cli
