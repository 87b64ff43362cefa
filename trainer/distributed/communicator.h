#pragma once
// The collectives a distributed training run needs, over PyTorch's c10d (ProcessGroupGloo on CPUs, ProcessGroupNCCL
// for CUDA tensors where the LibTorch has it). The c10d headers stay in communicator.cpp: this interface is what the
// trainer and the tests see, and it exists (throwing a clear error) in builds without c10d.
//
// Every rank calls the same collectives with tensors of the same shapes, in the same order. A peer that fails, dies
// or hangs makes the collective throw DistributedError within the setup's timeout, naming the rank when the
// rendezvous store still answers.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "trainer/distributed/distributed_setup.h"

namespace dibr {

// A failure of the group (a peer, the network, the rendezvous), as opposed to this rank's own error.
struct DistributedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // "gloo" or "nccl", and the one line saying why that one.
  virtual std::string backend() const = 0;
  virtual std::string backend_reason() const = 0;

  // In place: every tensor gets root's values.
  virtual void broadcast(std::vector<at::Tensor>& tensors, int root = 0) = 0;
  // In place: every tensor becomes the sum over ranks. All are started before the first is waited for.
  virtual void all_reduce_sum(std::vector<at::Tensor>& tensors) = 0;
  virtual void barrier() = 0;

  // Through the store, for the others' error messages: the last step this rank finished, and why it failed.
  virtual void announce_step(int64_t step) = 0;
  virtual void announce_failure(const std::string& message) = 0;
};

// Joins the group described by setup (TCP rendezvous at master_addr:master_port; rank 0 hosts the store unless
// setup.external_store). Tensors on `device` use NCCL when it is CUDA and this LibTorch has NCCL, else Gloo (CUDA
// tensors then travel through host memory). Throws DistributedError with the fix for a port in use, a master that
// cannot be reached within the timeout, or a build without c10d.
std::unique_ptr<Communicator> join_group(const DistributedSetup& setup, const c10::Device& device);

// Tests: the same group, rendezvous through a file (c10d's FileStore) instead of TCP. The path must not exist yet.
std::unique_ptr<Communicator> join_group_through_file(const std::string& path, int rank, int world_size,
                                                      double timeout_seconds);

// The launcher's rendezvous store, hosted in its own process so that it outlives any worker. port 0 picks a free
// port. Throws DistributedError for a port in use.
class HostedStore {
 public:
  HostedStore(int port, int world_size, double timeout_seconds);
  ~HostedStore();
  HostedStore(const HostedStore&) = delete;
  HostedStore& operator=(const HostedStore&) = delete;
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dibr
