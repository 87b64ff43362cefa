#include "trainer/mesh_decoder.h"

#include <torch/torch.h>

namespace dibr {

ConditionalBatchNormImpl::ConditionalBatchNormImpl(int64_t code_dim, int64_t channels) {
  gamma = register_module("gamma", torch::nn::Linear(code_dim, channels));
  beta = register_module("beta", torch::nn::Linear(code_dim, channels));
  bn = register_module("bn", torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(channels).affine(false)));
  torch::NoGradGuard no_grad;
  torch::nn::init::zeros_(gamma->weight);
  torch::nn::init::ones_(gamma->bias);
  torch::nn::init::zeros_(beta->weight);
  torch::nn::init::zeros_(beta->bias);
}

at::Tensor ConditionalBatchNormImpl::forward(const at::Tensor& x, const at::Tensor& code) {
  auto normalized = bn(x.reshape({-1, x.size(2)})).view({x.size(0), x.size(1), x.size(2)});
  return gamma(code).unsqueeze(1) * normalized + beta(code).unsqueeze(1);
}

ConditionalResBlockImpl::ConditionalResBlockImpl(int64_t code_dim, int64_t channels) {
  bn0 = register_module("bn0", ConditionalBatchNorm(code_dim, channels));
  fc0 = register_module("fc0", torch::nn::Linear(channels, channels));
  bn1 = register_module("bn1", ConditionalBatchNorm(code_dim, channels));
  fc1 = register_module("fc1", torch::nn::Linear(channels, channels));
  torch::NoGradGuard no_grad;
  torch::nn::init::zeros_(fc1->weight);  // each block starts as the identity (as in occupancy networks)
}

at::Tensor ConditionalResBlockImpl::forward(const at::Tensor& x, const at::Tensor& code) {
  auto h = fc0(torch::relu(bn0(x, code)));
  return x + fc1(torch::relu(bn1(h, code)));
}

MeshDecoderImpl::MeshDecoderImpl(int64_t code_dim, int64_t hidden, int num_blocks) {
  fc_p = register_module("fc_p", torch::nn::Linear(3, hidden));
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int i = 0; i < num_blocks; ++i) blocks->push_back(ConditionalResBlock(code_dim, hidden));
  bn = register_module("bn", ConditionalBatchNorm(code_dim, hidden));
  fc_out = register_module("fc_out", torch::nn::Linear(hidden, 6));
}

MeshDecoderOutput MeshDecoderImpl::forward(const at::Tensor& points, const at::Tensor& code) {
  const int64_t batch = code.size(0);
  auto x = fc_p(points).unsqueeze(0).expand({batch, -1, -1});  // same for every sample: compute once
  for (const auto& block : *blocks) x = block->as<ConditionalResBlock>()->forward(x, code);
  auto out = fc_out(torch::relu(bn(x, code)));  // (B,V,6)
  return {out.narrow(2, 0, 3), torch::sigmoid(out.narrow(2, 3, 3))};
}

}  // namespace dibr
