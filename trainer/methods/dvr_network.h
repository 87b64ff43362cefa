#pragma once
// DVR's network (internal: trainer/methods only), as released (im2mesh/dvr/models/decoder.py, encoder/conv.py):
// a ResNet-18 encoder on ImageNet-normalised input resized to input_size, fc 512 -> latent, and the conditioned
// decoder
//   net = fc_p(p);  for each of 5 blocks: net += fc_c[n](c);  net += fc_1(relu(fc_0(relu(net))))
//   out = fc_out(relu(net))   -> [occupancy logit, 3 texture logits]
// with every fc_1 weight zero-initialised. fc_c[n](c) depends on the object only, so it is computed once per
// object (code_features) and gathered for each point: the same values as DVR's per-point c, at a fraction of the
// cost for the secant and normal evaluations.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "trainer/methods/dvr_marching.h"
#include "trainer/resnet.h"

namespace dibr {

struct DvrBlockImpl : torch::nn::Module {
  explicit DvrBlockImpl(int64_t width);
  at::Tensor forward(const at::Tensor& x);
  torch::nn::Linear fc_0{nullptr}, fc_1{nullptr};
};
TORCH_MODULE(DvrBlock);

struct DvrDecoderImpl : torch::nn::Module {
  static constexpr int kBlocks = 5;
  DvrDecoderImpl(int64_t latent, int64_t hidden);
  // codes (B,latent) -> (kBlocks,B,hidden): what each block adds for each object.
  at::Tensor code_features(const at::Tensor& codes);
  // points (M,3); object (M) int64 rows of `features` (from code_features) -> (M,4).
  at::Tensor forward(const at::Tensor& points, const at::Tensor& features, const at::Tensor& object);

  torch::nn::Linear fc_p{nullptr}, fc_out{nullptr};
  torch::nn::ModuleList fc_c, blocks;
};
TORCH_MODULE(DvrDecoder);

struct DvrNetImpl : torch::nn::Module {
  DvrNetImpl(int64_t latent, int64_t hidden, int input_size);
  // images (B,3,S,S) in [0,1] -> codes (B,latent)
  at::Tensor encode(const at::Tensor& images);

  int input_size;
  ResNet18Encoder encoder{nullptr};
  torch::nn::Linear fc{nullptr};
  DvrDecoder decoder{nullptr};
};
TORCH_MODULE(DvrNet);

// The occupancy logit and colour of a decoder for a set of objects: the function the ray marcher, the losses and
// mesh extraction evaluate.
struct DvrField {
  mutable DvrDecoder decoder{nullptr};  // evaluating it changes nothing, but a module's forward is not const
  at::Tensor features;  // (kBlocks,B,hidden)
  at::Tensor logits(const at::Tensor& points, const at::Tensor& object) const;  // (M)
  at::Tensor colors(const at::Tensor& points, const at::Tensor& object) const;  // (M,3) in [0,1]
  // logits() as the ray marcher's field; it refers to this DvrField, which must outlive it.
  OccupancyField occupancy() const;
};

}  // namespace dibr
