#pragma once
// neural_renderer's Adam (Kato et al.; used by NMR's mesh_reconstruction): Chainer's Adam with bias correction
// folded into the step size, lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t), param -= lr_t * m / (sqrt(v) + eps), plus two
// twists: a learning-rate multiplier per parameter group, and no update at all (m, v and the parameter keep
// their values) for elements whose gradient is exactly 0. Its state is torch::optim::Adam's, so checkpoints
// store and restore it unchanged (internal: trainer/methods only).
#include <torch/optim/adam.h>

#include <vector>

namespace dibr {

class KatoAdam : public torch::optim::Adam {
 public:
  // One multiplier per parameter group, in order.
  KatoAdam(std::vector<torch::optim::OptimizerParamGroup> groups, std::vector<double> lr_multipliers,
           torch::optim::AdamOptions defaults);
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  std::vector<double> multipliers_;
};

}  // namespace dibr
