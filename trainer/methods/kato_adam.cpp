#include "trainer/methods/kato_adam.h"

#include <torch/torch.h>

#include <cmath>

#include "trainer/adam_state.h"

namespace dibr {

KatoAdam::KatoAdam(std::vector<torch::optim::OptimizerParamGroup> groups, std::vector<double> lr_multipliers,
                   torch::optim::AdamOptions defaults)
    : torch::optim::Adam(std::move(groups), defaults), multipliers_(std::move(lr_multipliers)) {
  TORCH_CHECK(multipliers_.size() == param_groups().size(), "KatoAdam: ", param_groups().size(), " groups but ",
              multipliers_.size(), " lr multipliers");
}

torch::Tensor KatoAdam::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (size_t g = 0; g < param_groups().size(); ++g) {
    auto& group = param_groups()[g];
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    const double lr = options.lr() * multipliers_[g];
    const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& state = adam_state_of(state_, p);
      state.step(state.step() + 1);
      const double t = static_cast<double>(state.step());
      const double lr_t = lr * std::sqrt(1 - std::pow(beta2, t)) / (1 - std::pow(beta1, t));
      const at::Tensor& grad = p.grad();
      const at::Tensor active = (grad != 0).to(grad.dtype());
      state.exp_avg().add_((grad - state.exp_avg()) * active, 1 - beta1);
      state.exp_avg_sq().add_((grad * grad - state.exp_avg_sq()) * active, 1 - beta2);
      p.sub_(state.exp_avg() / (state.exp_avg_sq().sqrt() + options.eps()) * active, lr_t);
    }
  }
  return loss;
}

}  // namespace dibr
