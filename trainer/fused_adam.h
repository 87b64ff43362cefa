#pragma once
// torch::optim::Adam's update (LibTorch 1.13 and 2.x, amsgrad off) in one pass over each CPU parameter:
// m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps), with
// weight decay added to g first. The stock step runs about eight tensor ops per parameter, each a pass over
// memory and some allocating a temporary as large as the parameter; on the CPU this one reads p, g, m, v once and
// allocates nothing. The state lives where Adam keeps it (adam_state.h), so checkpoints are unchanged.
// CUDA, non-contiguous or non-floating parameters and amsgrad take the stock step (for every parameter).
#include <torch/optim/adam.h>

#include <vector>

namespace dibr {

class FusedAdam : public torch::optim::Adam {
 public:
  FusedAdam(std::vector<at::Tensor> params, torch::optim::AdamOptions defaults);
  torch::Tensor step(LossClosure closure = nullptr) override;
  // Whether the last step() took the fused path.
  bool last_step_fused() const { return last_fused_; }

 private:
  bool last_fused_ = false;
};

}  // namespace dibr
