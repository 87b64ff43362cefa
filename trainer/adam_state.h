#pragma once
// The per-parameter state of torch::optim::Adam, for our Adam variants (KatoAdam, FusedAdam): they keep it in
// the base class's map under the base class's key, so checkpoints store and restore it unchanged and a run
// can switch between the variants.
#include <torch/optim/adam.h>

#include <memory>
#include <sstream>
#include <string>
#include <type_traits>

namespace dibr {

// The key of a parameter's state: a string in LibTorch 1.x, the TensorImpl pointer in 2.x.
template <typename Key>
Key adam_state_key(const at::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return static_cast<Key>(p.unsafeGetTensorImpl());
  }
}

// p's state in `state` (an Optimizer's state_), created as Adam creates it (step 0, zero moments).
template <typename StateMap>
torch::optim::AdamParamState& adam_state_of(StateMap& state, const at::Tensor& p) {
  using Key = typename std::decay_t<StateMap>::key_type;
  const Key key = adam_state_key<Key>(p);
  auto it = state.find(key);
  if (it == state.end()) {
    auto fresh = std::make_unique<torch::optim::AdamParamState>();
    fresh->step(0);
    fresh->exp_avg(torch::zeros_like(p, at::MemoryFormat::Preserve));
    fresh->exp_avg_sq(torch::zeros_like(p, at::MemoryFormat::Preserve));
    it = state.emplace(key, std::move(fresh)).first;
  }
  return static_cast<torch::optim::AdamParamState&>(*it->second);
}

}  // namespace dibr
