#include "trainer/distributed/communicator.h"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <utility>
#include <cstdlib>
#include <string>

#include "trainer/error_text.h"

#ifdef DIBR_HAVE_C10D
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef DIBR_HAVE_NCCL
#include <c10/cuda/CUDAFunctions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#endif

namespace dibr {

bool distributed_training_available() {
#ifdef DIBR_HAVE_C10D
  return true;
#else
  return false;
#endif
}

std::string distributed_unavailable_reason() {
#ifdef DIBR_HAVE_C10D
  return "";
#elif defined(DIBR_NO_C10D_REASON)
  return std::string("this build has no distributed training: ") + DIBR_NO_C10D_REASON;
#else
  return "this build has no distributed training";
#endif
}

#ifdef DIBR_HAVE_C10D
namespace {

using Millis = std::chrono::milliseconds;
Millis millis(double seconds) { return Millis(static_cast<int64_t>(seconds * 1000)); }

std::vector<uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }
std::string text_of(const std::vector<uint8_t>& bytes) { return {bytes.begin(), bytes.end()}; }

bool mentions(const std::string& text, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (text.find(w) != std::string::npos) return true;
  return false;
}

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

std::shared_ptr<::gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  if (is_loopback(master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

int64_t read_number(c10d::Store& store, const std::string& key) {
  return store.check({key}) ? std::stoll(text_of(store.get(key))) : -1;
}

// What the others can tell about a failed collective: a peer's own announcement, else the rank that did not reach
// it (every rank notes in the store how many collectives it entered, and the steps it finished).
std::string diagnose(c10d::Store& store, int rank, int world_size, const std::string& cause) {
  std::string who;
  try {
    store.setTimeout(Millis(3000));
    std::vector<int64_t> entered(world_size), steps(world_size);
    for (int r = 0; r < world_size; ++r) {
      const std::string failed = "failed/" + std::to_string(r);
      if (r != rank && store.check({failed})) return "rank " + std::to_string(r) + " failed: " + text_of(store.get(failed));
      entered[r] = read_number(store, "entered/" + std::to_string(r));
      steps[r] = read_number(store, "step/" + std::to_string(r));
    }
    int behind = -1;
    for (int r = 0; r < world_size; ++r)
      if (r != rank && entered[r] < entered[rank] && (behind < 0 || entered[r] < entered[behind])) behind = r;
    // A rank on this host whose process is gone (it died inside the collective, so its count is not behind).
    std::string dead;
    for (int r = 0; r < world_size && behind < 0 && dead.empty(); ++r) {
      const std::string key = "process/" + std::to_string(r);
      if (r == rank || !store.check({key})) continue;
      const std::string process = text_of(store.get(key));  // host:pid
      const size_t colon = process.rfind(':');
      if (colon == std::string::npos || process.substr(0, colon) != host_name()) continue;
      const long pid = std::stol(process.substr(colon + 1));
      if (!process_alive(pid))
        dead = "rank " + std::to_string(r) + " (pid " + std::to_string(pid) + ") has died during collective #" +
               std::to_string(entered[r]) + " (its last finished step: " + std::to_string(std::max<int64_t>(0, steps[r])) + ")";
    }
    if (!dead.empty())
      who = dead;
    else if (behind >= 0)
      who = "rank " + std::to_string(behind) + " stopped answering: it never reached collective #" +
            std::to_string(entered[behind] + 1) + " (its last finished step: " + std::to_string(std::max<int64_t>(0, steps[behind])) +
            "; it died, hangs, or failed without a word)";
    else
      who = "a peer dropped out of collective #" + std::to_string(entered[rank]);
  } catch (const std::exception&) {
    who = "the rendezvous store no longer answers (the launcher or rank 0 has ended)";
  }
  std::string short_cause = cause.substr(0, cause.find('\n'));
  if (short_cause.size() > 300) short_cause = short_cause.substr(0, 300) + "...";
  return who + " [" + short_cause + "]";
}

template <class Group>
class C10dCommunicator final : public Communicator {
  // c10d::ProcessGroup::Work in LibTorch 1.13, c10d::Work in 2.x.
  using WorkPtr = decltype(std::declval<Group&>().barrier());

 public:
  C10dCommunicator(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<Group> group, int rank, int world_size,
                   std::string backend, std::string reason, bool stage_through_host)
      : store_(std::move(store)), group_(std::move(group)), rank_(rank), world_size_(world_size),
        backend_(std::move(backend)), reason_(std::move(reason)), stage_through_host_(stage_through_host) {}

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }
  std::string backend() const override { return backend_; }
  std::string backend_reason() const override { return reason_; }

  void broadcast(std::vector<at::Tensor>& tensors, int root) override {
    c10d::BroadcastOptions options;
    options.rootRank = root;
    each_tensor(tensors, [&](std::vector<at::Tensor>& one) { return group_->broadcast(one, options); });
  }

  void all_reduce_sum(std::vector<at::Tensor>& tensors) override {
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    each_tensor(tensors, [&](std::vector<at::Tensor>& one) { return group_->allreduce(one, options); });
  }

  void barrier() override {
    guarded([&] { group_->barrier()->wait(); });
  }

  void announce_step(int64_t step) override {
    try {
      store_->set("step/" + std::to_string(rank_), bytes_of(std::to_string(step)));
    } catch (const std::exception& e) {
      throw DistributedError(diagnose(*store_, rank_, world_size_, e.what()));
    }
  }

  void announce_failure(const std::string& message) override {
    try {
      store_->set("failed/" + std::to_string(rank_), bytes_of(message));
    } catch (const std::exception&) {
      // The store is gone too: the others learn it from their own failed collective.
    }
  }

 private:
  template <class F>
  void guarded(F&& f) {
    try {
      store_->set("entered/" + std::to_string(rank_), bytes_of(std::to_string(++entered_)));
      f();
    } catch (const DistributedError&) {
      throw;
    } catch (const std::exception& e) {
      throw DistributedError(diagnose(*store_, rank_, world_size_, e.what()));
    }
  }
  // One collective per tensor (through host memory when staging): every one is in flight before the first wait, and
  // nothing reads a result before its own wait returns.
  template <class Launch>
  void each_tensor(std::vector<at::Tensor>& tensors, Launch&& launch) {
    guarded([&] {
      std::vector<WorkPtr> works;
      auto staged = staged_copies(tensors);
      for (auto& t : staged) {
        std::vector<at::Tensor> one{t};
        works.push_back(launch(one));
      }
      for (auto& w : works) w->wait();
      copy_back(staged, tensors);
    });
  }
  std::vector<at::Tensor> staged_copies(const std::vector<at::Tensor>& tensors) const {
    if (!stage_through_host_) return tensors;
    std::vector<at::Tensor> host;
    for (const auto& t : tensors) host.push_back(t.is_cuda() ? t.cpu() : t);
    return host;
  }
  void copy_back(const std::vector<at::Tensor>& staged, std::vector<at::Tensor>& tensors) const {
    for (size_t i = 0; i < tensors.size(); ++i)
      if (!staged[i].is_same(tensors[i])) tensors[i].copy_(staged[i]);
  }

  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Group> group_;
  int rank_, world_size_;
  std::string backend_, reason_;
  bool stage_through_host_;
  int64_t entered_ = 0;  // collectives this rank has entered
};

std::unique_ptr<Communicator> make_group(c10::intrusive_ptr<c10d::Store> base, int rank, int world_size,
                                         double timeout_seconds, const std::string& master_addr,
                                         const c10::Device& device) {
  auto store = c10::make_intrusive<c10d::PrefixStore>("dibr/", base);
  store->set("process/" + std::to_string(rank), bytes_of(host_name() + ":" + std::to_string(getpid())));
  auto pg_store = c10::make_intrusive<c10d::PrefixStore>("pg/", base);
#ifdef DIBR_HAVE_NCCL
  if (device.is_cuda()) {
    c10::cuda::set_device(device.index());
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = millis(timeout_seconds);
    auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(pg_store, rank, world_size, options);
    return std::make_unique<C10dCommunicator<c10d::ProcessGroupNCCL>>(
        store, group, rank, world_size, "nccl", "NCCL: the tensors are on CUDA and this LibTorch has ProcessGroupNCCL",
        false);
  }
#endif
  auto options = c10d::ProcessGroupGloo::Options::create(millis(timeout_seconds));
  options->devices.push_back(gloo_device(master_addr));
  options->threads = 2;
  auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(pg_store, rank, world_size, options);
  std::string reason = device.is_cuda()
                           ? "Gloo through host memory: the tensors are on CUDA but this LibTorch has no NCCL"
                           : "Gloo: the tensors are on the CPU";
  return std::make_unique<C10dCommunicator<c10d::ProcessGroupGloo>>(store, group, rank, world_size, "gloo", reason,
                                                                    device.is_cuda());
}

}  // namespace

std::unique_ptr<Communicator> join_group(const DistributedSetup& setup, const c10::Device& device) {
  c10::intrusive_ptr<c10d::Store> store;
  const std::string where = setup.master_addr + ":" + std::to_string(setup.master_port);
  const bool server = setup.rank == 0 && !setup.external_store;
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(setup.master_port);
    options.isServer = server;
    if (server) options.numWorkers = setup.world_size;
    options.waitWorkers = false;
    options.timeout = millis(setup.timeout_seconds);
    store = c10::make_intrusive<c10d::TCPStore>(setup.master_addr, options);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    if (server && mentions(what, {"in use", "EADDRINUSE", "errno: 98"}))
      throw DistributedError("port " + std::to_string(setup.master_port) + " on " + setup.master_addr +
                             " is in use (another run or program): choose another with --master-port or MASTER_PORT");
    throw DistributedError("rank " + std::to_string(setup.rank) + " could not reach the rendezvous at " + where +
                           " within " + std::to_string(static_cast<int>(setup.timeout_seconds)) +
                           " s: check --master-addr/MASTER_ADDR and --master-port/MASTER_PORT, and that rank 0 (node "
                           "0's launcher) is running [" + what.substr(0, what.find('\n')) + "]");
  }
  try {
    return make_group(store, setup.rank, setup.world_size, setup.timeout_seconds, setup.master_addr, device);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw DistributedError("rank " + std::to_string(setup.rank) + " could not form the group of " +
                           std::to_string(setup.world_size) + " at " + where + " within " +
                           std::to_string(static_cast<int>(setup.timeout_seconds)) + " s (are all ranks started?) [" +
                           what.substr(0, what.find('\n')) + "]");
  }
}

std::unique_ptr<Communicator> join_group_through_file(const std::string& path, int rank, int world_size,
                                                      double timeout_seconds) {
  auto store = c10::make_intrusive<c10d::FileStore>(path, world_size);
  store->setTimeout(millis(timeout_seconds));
  return make_group(store, rank, world_size, timeout_seconds, "127.0.0.1", c10::Device(c10::kCPU));
}

struct HostedStore::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
};

HostedStore::HostedStore(int port, int world_size, double timeout_seconds) : impl_(std::make_unique<Impl>()) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(port);
  options.isServer = true;
  options.numWorkers = world_size;
  options.waitWorkers = false;
  options.timeout = millis(timeout_seconds);
  try {
    impl_->store = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", options);  // listens on every interface
  } catch (const std::exception& e) {
    const std::string what = e.what();
    throw DistributedError("port " + std::to_string(port) + " is in use (another run or program): choose another "
                           "with --master-port [" + what.substr(0, what.find('\n')) + "]");
  }
}

HostedStore::~HostedStore() = default;
int HostedStore::port() const { return impl_->store->getPort(); }

#else  // no c10d in this build

std::unique_ptr<Communicator> join_group(const DistributedSetup&, const c10::Device&) {
  throw DistributedError(distributed_unavailable_reason());
}
std::unique_ptr<Communicator> join_group_through_file(const std::string&, int, int, double) {
  throw DistributedError(distributed_unavailable_reason());
}
struct HostedStore::Impl {};
HostedStore::HostedStore(int, int, double) { throw DistributedError(distributed_unavailable_reason()); }
HostedStore::~HostedStore() = default;
int HostedStore::port() const { return 0; }

#endif

}  // namespace dibr
