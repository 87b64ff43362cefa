#include "trainer/methods/dvr_network.h"

#include <torch/torch.h>

#include "trainer/step_profile.h"

namespace dibr {

DvrBlockImpl::DvrBlockImpl(int64_t width) {
  fc_0 = register_module("fc_0", torch::nn::Linear(width, width));
  fc_1 = register_module("fc_1", torch::nn::Linear(width, width));
  torch::NoGradGuard no_grad;
  fc_1->weight.zero_();
}

at::Tensor DvrBlockImpl::forward(const at::Tensor& x) { return x + fc_1(torch::relu(fc_0(torch::relu(x)))); }

DvrDecoderImpl::DvrDecoderImpl(int64_t latent, int64_t hidden) {
  fc_p = register_module("fc_p", torch::nn::Linear(3, hidden));
  fc_c = register_module("fc_c", torch::nn::ModuleList());
  blocks = register_module("blocks", torch::nn::ModuleList());
  for (int n = 0; n < kBlocks; ++n) {
    fc_c->push_back(torch::nn::Linear(latent, hidden));
    blocks->push_back(DvrBlock(hidden));
  }
  fc_out = register_module("fc_out", torch::nn::Linear(hidden, 4));
}

at::Tensor DvrDecoderImpl::code_features(const at::Tensor& codes) {
  std::vector<at::Tensor> out;
  for (int n = 0; n < kBlocks; ++n) out.push_back(fc_c[n]->as<torch::nn::Linear>()->forward(codes));
  return torch::stack(out);
}

at::Tensor DvrDecoderImpl::forward(const at::Tensor& points, const at::Tensor& features, const at::Tensor& object) {
  at::Tensor net = fc_p(points);
  for (int n = 0; n < kBlocks; ++n) {
    net = net + features[n].index_select(0, object);
    net = blocks[n]->as<DvrBlock>()->forward(net);
  }
  return fc_out(torch::relu(net));
}

DvrNetImpl::DvrNetImpl(int64_t latent, int64_t hidden, int input_size_) : input_size(input_size_) {
  encoder = register_module("encoder", ResNet18Encoder());
  fc = register_module("fc", torch::nn::Linear(512, latent));
  decoder = register_module("decoder", DvrDecoder(latent, hidden));
}

at::Tensor DvrNetImpl::encode(const at::Tensor& images) {
  ProfileScope scope(Phase::Encoder);
  namespace F = torch::nn::functional;
  at::Tensor x = images;
  if (x.size(-1) != input_size || x.size(-2) != input_size)
    x = F::interpolate(x, F::InterpolateFuncOptions()
                              .size(std::vector<int64_t>{input_size, input_size})
                              .mode(torch::kBilinear)
                              .align_corners(false));
  return fc(encoder(normalize_imagenet(x)));
}

at::Tensor DvrField::logits(const at::Tensor& points, const at::Tensor& object) const {
  return decoder->forward(points, features, object).select(1, 0);
}

at::Tensor DvrField::colors(const at::Tensor& points, const at::Tensor& object) const {
  return torch::sigmoid(decoder->forward(points, features, object).slice(1, 1, 4));
}

OccupancyField DvrField::occupancy() const {
  return [this](const at::Tensor& points, const at::Tensor& object) { return logits(points, object); };
}

}  // namespace dibr
