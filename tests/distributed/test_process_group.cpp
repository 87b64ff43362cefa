// The collectives and the DDP gradient over c10d's Gloo, with the ranks as forked processes (fork_ranks.h).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <csignal>

#include "tests/distributed/fork_ranks.h"
#include "trainer/distributed/gradient_sync.h"

namespace dibr::test {
namespace {

bool near(const at::Tensor& a, const at::Tensor& b, double tolerance, const char* what, int rank) {
  const double diff = (a - b).abs().max().item<double>();
  if (diff <= tolerance) return true;
  std::fprintf(stderr, "rank %d: %s differs by %g (tolerance %g)\n", rank, what, diff, tolerance);
  return false;
}

// A small network with a BatchNorm (buffers) and a parameter that gets no gradient.
struct TinyNetImpl : torch::nn::Module {
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, unused{nullptr};
  torch::nn::BatchNorm1d norm{nullptr};
  explicit TinyNetImpl(bool with_norm) {
    fc1 = register_module("fc1", torch::nn::Linear(6, 8));
    fc2 = register_module("fc2", torch::nn::Linear(8, 3));
    unused = register_module("unused", torch::nn::Linear(2, 2));
    if (with_norm) norm = register_module("norm", torch::nn::BatchNorm1d(8));
  }
  at::Tensor forward(const at::Tensor& x) {
    at::Tensor h = fc1->forward(x);
    if (norm) h = norm->forward(h);
    return fc2->forward(torch::tanh(h));
  }
};
TORCH_MODULE(TinyNet);

at::Tensor batch_inputs(int64_t step, int64_t rows) {
  torch::manual_seed(1000 + step);
  return torch::randn({rows, 6}, torch::kFloat64);
}

TEST(ProcessGroup, AllReduceSumsOverRanksAndBroadcastTakesTheRootsValues) {
  const auto results = fork_ranks(2, [](Communicator& group, int rank) {
    std::vector<at::Tensor> t{torch::ones({5}) * (rank + 1), torch::full({2, 3}, 10.0 * rank, torch::kFloat64)};
    group.all_reduce_sum(t);
    bool ok = near(t[0], torch::full({5}, 3.0), 0, "sum of ones*(rank+1)", rank) &&
              near(t[1], torch::full({2, 3}, 10.0, torch::kFloat64), 0, "sum of 10*rank", rank);
    std::vector<at::Tensor> b{torch::arange(4).to(torch::kFloat32) + 7 * rank};
    group.broadcast(b, 1);
    ok = ok && near(b[0], torch::arange(4).to(torch::kFloat32) + 7, 0, "broadcast from rank 1", rank);
    group.barrier();
    return ok && group.backend() == "gloo";
  });
  EXPECT_TRUE(all_ranks_ok(results));
}

// DDP's contract: the mean of the per-rank gradients of half batches is the full batch's gradient.
TEST(ProcessGroup, TheAveragedGradientEqualsTheFullBatchGradient) {
  const auto results = fork_ranks(2, [](Communicator& group, int rank) {
    torch::manual_seed(7);
    TinyNet reference(false), net(false);
    reference->to(torch::kFloat64);
    net->to(torch::kFloat64);
    torch::manual_seed(100 + rank);  // different weights on each rank: the broadcast must make them rank 0's
    for (auto& p : net->parameters()) p.data().normal_();
    GradientSync sync(group, *net, /*bucket_bytes=*/128);  // several buckets
    sync.broadcast_parameters_and_buffers();
    torch::manual_seed(7);
    TinyNet rank0_init(false);  // the same initialisation as rank 0's before its own normal_() below
    rank0_init->to(torch::kFloat64);
    torch::manual_seed(100);
    for (auto& p : rank0_init->parameters()) p.data().normal_();
    bool ok = true;
    for (size_t i = 0; i < net->parameters().size(); ++i)
      ok = ok && near(net->parameters()[i], rank0_init->parameters()[i], 0, "broadcast parameter", rank);
    {
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < net->parameters().size(); ++i) reference->parameters()[i].copy_(net->parameters()[i]);
    }
    const at::Tensor x = batch_inputs(0, 8), target = torch::sin(x.narrow(1, 0, 3));
    torch::mse_loss(reference->forward(x), target).backward();
    const at::Tensor mine = x.narrow(0, 4 * rank, 4), my_target = target.narrow(0, 4 * rank, 4);
    torch::mse_loss(net->forward(mine), my_target).backward();
    sync.average_gradients();
    ok = ok && sync.bucket_count() > 1;
    const auto mine_params = net->parameters(), reference_params = reference->parameters();
    for (size_t i = 0; i < mine_params.size(); ++i) {
      const at::Tensor& p = mine_params[i];
      const at::Tensor& r = reference_params[i];
      if (!r.grad().defined()) {
        ok = ok && !p.grad().defined();  // the unused layer: no gradient on any rank, none after the sync
        continue;
      }
      ok = ok && near(p.grad(), r.grad(), 1e-12, "gradient", rank);
    }
    return ok;
  });
  EXPECT_TRUE(all_ranks_ok(results));
}

// Different data on each rank, BatchNorm statistics per rank, buffers broadcast before each step: after k Adam
// steps every parameter and buffer is bit-identical on both ranks.
TEST(ProcessGroup, ParametersAndBuffersAreIdenticalOnEveryRankAfterSteps) {
  const auto results = fork_ranks(2, [](Communicator& group, int rank) {
    torch::manual_seed(3 + rank);  // different initialisations: the first broadcast aligns them
    TinyNet net(true);
    GradientSync sync(group, *net);
    sync.broadcast_parameters_and_buffers();
    torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-2));
    for (int step = 0; step < 5; ++step) {
      sync.broadcast_buffers();
      adam.zero_grad();
      const at::Tensor x = batch_inputs(10 * step + rank, 6).to(torch::kFloat32);
      torch::mse_loss(net->forward(x), torch::zeros({6, 3})).backward();
      sync.average_gradients();
      adam.step();
    }
    sync.broadcast_buffers();
    bool ok = true;
    for (const auto& tensors : {net->parameters(), net->buffers()}) {
      for (const auto& t : tensors) {
        std::vector<at::Tensor> theirs{t.detach().clone()};
        group.broadcast(theirs, 0);
        ok = ok && near(t.to(torch::kFloat64), theirs[0].to(torch::kFloat64), 0, "parameter or buffer vs rank 0", rank);
      }
    }
    // The logged values are summed over ranks.
    const auto summed = sync.sum({1.0, static_cast<double>(rank)});
    return ok && summed[0] == 2.0 && summed[1] == 1.0;
  });
  EXPECT_TRUE(all_ranks_ok(results));
}

// A rank that dies mid-run: the other's next collective throws DistributedError naming it, well within the timeout.
TEST(ProcessGroup, ADeadRankStopsTheOtherWithinTheTimeoutNamingIt) {
  const double timeout = 8;
  const auto results = fork_ranks(
      2,
      [timeout](Communicator& group, int rank) {
        std::vector<at::Tensor> t{torch::ones({4})};
        for (int64_t step = 1; step <= 3; ++step) {
          group.all_reduce_sum(t);
          group.announce_step(step);
        }
        if (rank == 1) raise(SIGKILL);
        const auto start = std::chrono::steady_clock::now();
        try {
          group.all_reduce_sum(t);
          group.all_reduce_sum(t);
        } catch (const DistributedError& e) {
          const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          const std::string what = e.what();
          std::fprintf(stderr, "rank 0 saw, after %.1f s: %s\n", waited, what.c_str());
          return what.find("rank 1") != std::string::npos && waited < timeout + 5;
        }
        std::fprintf(stderr, "rank 0: the collective with a dead peer did not fail\n");
        return false;
      },
      timeout, 60, "dead");
  EXPECT_TRUE(results[0].ok()) << "rank 0 must report the dead rank (stderr above)";
  EXPECT_TRUE(WIFSIGNALED(results[1].status) && WTERMSIG(results[1].status) == SIGKILL);
}

// A rank that hangs (stopped, its sockets open): the other fails after the timeout, naming the rank that fell behind.
TEST(ProcessGroup, AHangingRankStopsTheOtherAfterTheTimeoutNamingIt) {
  const double timeout = 4;
  const auto results = fork_ranks(
      2,
      [timeout](Communicator& group, int rank) {
        std::vector<at::Tensor> t{torch::ones({4})};
        group.all_reduce_sum(t);
        group.announce_step(1);
        group.barrier();  // both announced step 1
        if (rank == 1) {
          raise(SIGSTOP);  // killed by the parent at the deadline
          return false;
        }
        const auto start = std::chrono::steady_clock::now();
        try {
          group.all_reduce_sum(t);  // rank 1 is stopped: this one never completes
        } catch (const DistributedError& e) {
          const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
          std::fprintf(stderr, "rank 0 saw, after %.1f s: %s\n", waited, e.what());
          return std::string(e.what()).find("rank 1") != std::string::npos && waited < timeout + 10;
        }
        return false;
      },
      timeout, 20, "hang");
  EXPECT_TRUE(results[0].ok()) << "rank 0 must report the hanging rank (stderr above)";
  EXPECT_TRUE(results[1].killed_at_deadline);
}

}  // namespace
}  // namespace dibr::test
