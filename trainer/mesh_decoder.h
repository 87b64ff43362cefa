#pragma once
// Occupancy-networks-style conditional decoder evaluated at the template vertices
// (internal: included by trainer/*.cpp only). The reference uses Conv1d(k=1) on (B,C,V); we keep features
// channel-last (B,V,C) and use Linear, which is the same map but runs as one GEMM (much faster on the CPU).
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

namespace dibr {

// Batch norm without its own affine; gamma and beta are Linear(code) (gamma starts at 1, beta at 0).
struct ConditionalBatchNormImpl : torch::nn::Module {
  ConditionalBatchNormImpl(int64_t code_dim, int64_t channels);
  // x (B,V,C), code (B,code_dim); statistics over all B*V rows per channel, as BatchNorm1d on (B,C,V)
  at::Tensor forward(const at::Tensor& x, const at::Tensor& code);

  torch::nn::Linear gamma{nullptr}, beta{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};
TORCH_MODULE(ConditionalBatchNorm);

// CBN -> ReLU -> Linear -> CBN -> ReLU -> Linear, plus the identity.
struct ConditionalResBlockImpl : torch::nn::Module {
  ConditionalResBlockImpl(int64_t code_dim, int64_t channels);
  at::Tensor forward(const at::Tensor& x, const at::Tensor& code);

  ConditionalBatchNorm bn0{nullptr}, bn1{nullptr};
  torch::nn::Linear fc0{nullptr}, fc1{nullptr};
};
TORCH_MODULE(ConditionalResBlock);

struct MeshDecoderOutput {
  at::Tensor offsets;  // (B,V,3) unscaled
  at::Tensor colors;   // (B,V,3) in (0,1)
};

struct MeshDecoderImpl : torch::nn::Module {
  explicit MeshDecoderImpl(int64_t code_dim = 256, int64_t hidden = 256, int blocks = 5);
  // points (V,3) template positions shared by the batch, code (B,code_dim)
  MeshDecoderOutput forward(const at::Tensor& points, const at::Tensor& code);

  torch::nn::Linear fc_p{nullptr}, fc_out{nullptr};
  torch::nn::ModuleList blocks{nullptr};
  ConditionalBatchNorm bn{nullptr};
};
TORCH_MODULE(MeshDecoder);

}  // namespace dibr
