#pragma once
// Data-parallel training over a Communicator, as PyTorch's DDP does it: the same network on every rank, parameters
// and buffers broadcast from rank 0 at the start, gradients summed over ranks in buckets of about 25 MB (started
// together, divided by the world size after the wait), BatchNorm statistics kept per rank with the buffers broadcast
// from rank 0 before each step (DDP's broadcast_buffers).
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <vector>

#include "trainer/distributed/communicator.h"

namespace torch::nn {
class Module;
}

namespace dibr {

class GradientSync {
 public:
  static constexpr size_t kBucketBytes = size_t{25} << 20;  // DDP's default bucket_cap_mb

  GradientSync(Communicator& communicator, torch::nn::Module& network, size_t bucket_bytes = kBucketBytes);

  void broadcast_parameters_and_buffers();
  void broadcast_buffers();
  // After backward(): every gradient becomes the mean over ranks. A parameter that got no gradient on any rank keeps
  // none (so the optimiser skips it as in one process); one that got a gradient on some ranks gets their sum / world.
  void average_gradients();
  // Element-wise sum over ranks of a few host values (logged losses, votes).
  std::vector<double> sum(const std::vector<double>& values);

  size_t bucket_count() const { return buckets_.size(); }

 private:
  struct Bucket {
    std::vector<at::Tensor> tensors;  // parameters (or buffers) of one device and dtype
  };
  static std::vector<Bucket> make_buckets(const std::vector<at::Tensor>& tensors, size_t bucket_bytes);
  void broadcast_buckets(const std::vector<Bucket>& buckets);

  Communicator& communicator_;
  std::vector<Bucket> buckets_;         // trained parameters, in reverse order of registration (DDP's order)
  std::vector<Bucket> buffer_buckets_;  // buffers
  std::vector<Bucket> frozen_buckets_;  // parameters that do not require a gradient (broadcast at the start)
};

}  // namespace dibr
