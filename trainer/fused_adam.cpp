#include "trainer/fused_adam.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>

#include "trainer/adam_state.h"

namespace dibr {
namespace {

bool fusable(const at::Tensor& p, const at::Tensor& g) {
  return p.device().is_cpu() && g.device().is_cpu() && (p.scalar_type() == at::kFloat || p.scalar_type() == at::kDouble) &&
         g.scalar_type() == p.scalar_type() && p.is_contiguous() && g.is_contiguous() && !p.is_sparse() && !g.is_sparse();
}

struct AdamScalars {
  double beta1, beta2, weight_decay, step_size, inv_sqrt_bc2, eps;
};

// Compiled with -fno-math-errno (trainer/CMakeLists.txt) so that the loop vectorises, sqrt included.
template <typename T>
void update_range(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, int64_t n, AdamScalars s) {
  const T beta1 = T(s.beta1), beta2 = T(s.beta2), weight_decay = T(s.weight_decay), step_size = T(s.step_size),
          inv_sqrt_bc2 = T(s.inv_sqrt_bc2), eps = T(s.eps);
  for (int64_t i = 0; i < n; ++i) {
    const T grad = g[i] + weight_decay * p[i];
    const T mi = beta1 * m[i] + (T(1) - beta1) * grad;
    const T vi = beta2 * v[i] + (T(1) - beta2) * grad * grad;
    m[i] = mi;
    v[i] = vi;
    p[i] -= step_size * mi / (std::sqrt(vi) * inv_sqrt_bc2 + eps);
  }
}

template <typename T>
void fused_update(T* p, const T* g, T* m, T* v, int64_t n, AdamScalars s) {
  at::parallel_for(0, n, 1 << 15, [=](int64_t begin, int64_t end) {
    update_range(p + begin, g + begin, m + begin, v + begin, end - begin, s);
  });
}

}  // namespace

FusedAdam::FusedAdam(std::vector<at::Tensor> params, torch::optim::AdamOptions defaults)
    : torch::optim::Adam(std::move(params), defaults) {}

torch::Tensor FusedAdam::step(LossClosure closure) {
  bool all_fusable = true;
  for (const auto& group : param_groups()) {
    if (static_cast<const torch::optim::AdamOptions&>(group.options()).amsgrad()) all_fusable = false;
    for (const auto& p : group.params())
      if (p.grad().defined() && !fusable(p, p.grad())) all_fusable = false;
  }
  last_fused_ = all_fusable;
  if (!all_fusable) return torch::optim::Adam::step(std::move(closure));

  torch::NoGradGuard no_grad;
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  for (auto& group : param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& state = adam_state_of(state_, p);
      state.step(state.step() + 1);
      const double t = static_cast<double>(state.step());
      const double bias_correction1 = 1 - std::pow(beta1, t), bias_correction2 = 1 - std::pow(beta2, t);
      const at::Tensor grad = p.grad();
      AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "FusedAdam", [&] {
        fused_update<scalar_t>(p.data_ptr<scalar_t>(), grad.data_ptr<scalar_t>(), state.exp_avg().data_ptr<scalar_t>(),
                               state.exp_avg_sq().data_ptr<scalar_t>(), p.numel(),
                               {beta1, beta2, o.weight_decay(), o.lr() / bias_correction1,
                                1 / std::sqrt(bias_correction2), o.eps()});
      });
    }
  }
  return loss;
}

}  // namespace dibr
