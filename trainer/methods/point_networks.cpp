#include "trainer/methods/point_networks.h"
#include "trainer/step_profile.h"

#include <torch/torch.h>

#include <cmath>

namespace dibr {
namespace {

// TF's truncated normal: N(0, std) redrawn outside two standard deviations.
void truncated_normal_(at::Tensor w, double std) {
  torch::NoGradGuard no_grad;
  w.normal_(0, std);
  for (int pass = 0; pass < 8; ++pass) {
    const at::Tensor outside = w.abs() > 2 * std;
    if (!outside.any().item<bool>()) break;
    w.masked_scatter_(outside, torch::randn_like(w).mul_(std).masked_select(outside));
  }
  w.clamp_(-2 * std, 2 * std);
}

// DRWR (slim, He initialisation) and tflearn (uniform scaling) both draw convolutions from fan-in bounds.
void init_conv_(torch::nn::Conv2dImpl& conv, double gain) {
  torch::NoGradGuard no_grad;
  const double fan_in = double(conv.weight.size(1) * conv.weight.size(2) * conv.weight.size(3));
  const double bound = std::sqrt(3.0 * gain / fan_in);
  conv.weight.uniform_(-bound, bound);
  conv.bias.zero_();
}

torch::nn::Linear linear(torch::nn::Module& owner, const char* name, int64_t in, int64_t out, double std) {
  auto l = owner.register_module(name, torch::nn::Linear(in, out));
  truncated_normal_(l->weight, std);
  torch::NoGradGuard no_grad;
  l->bias.zero_();
  return l;
}

void check_images(const at::Tensor& images, int image_size, const char* who) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3 && images.size(2) == image_size && images.size(3) == image_size,
              who, ": images must be (B,3,", image_size, ",", image_size, ") for a network built for ", image_size,
              "^2 inputs, got ", images.sizes());
}

at::Tensor leaky(const at::Tensor& x) { return torch::leaky_relu(x, 0.2); }

// DRWR's encoder: conv 5x5/2 16, then blocks of conv 3x3/2 + 3x3/1 doubling the channels until the side is 4
// (log2(S/4) - 1 blocks: 4 at 128^2 as released, 3 at NMR's 64^2).
std::vector<ConvStackImpl::Layer> drwr_layers(int image_size) {
  std::vector<ConvStackImpl::Layer> layers = {{16, 5, 2}};
  int64_t side = (image_size + 1) / 2, channels = 16;
  while (side > 4) {
    channels *= 2;
    layers.push_back({channels, 3, 2});
    layers.push_back({channels, 3, 1});
    side = (side + 1) / 2;
  }
  return layers;
}

}  // namespace

ConvStackImpl::ConvStackImpl(int64_t in_channels, const std::vector<Layer>& layers, double slope)
    : negative_slope(slope) {
  convs = register_module("convs", torch::nn::ModuleList());
  for (const Layer& l : layers) {
    auto conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, l.out_channels, l.kernel).stride(l.stride).padding(l.kernel / 2));
    init_conv_(*conv, slope > 0 ? 2.0 / (1 + slope * slope) : 1.0);
    convs->push_back(conv);
    in_channels = l.out_channels;
  }
}

at::Tensor ConvStackImpl::forward(const at::Tensor& input) {
  at::Tensor x = input;
  for (const auto& m : *convs) {
    x = m->as<torch::nn::Conv2dImpl>()->forward(x);
    x = negative_slope > 0 ? torch::leaky_relu(x, negative_slope) : torch::relu(x);
  }
  return x.flatten(1);
}

int64_t ConvStackImpl::flat_width(int image_size) const {
  int64_t side = image_size, channels = 0;
  for (const auto& m : *convs) {
    const auto& o = m->as<torch::nn::Conv2dImpl>()->options;
    side = (side + 2 * (o.kernel_size()->at(0) / 2) - o.kernel_size()->at(0)) / o.stride()->at(0) + 1;
    channels = o.out_channels();
  }
  return channels * side * side;
}

DrwrNetImpl::DrwrNetImpl(int size, int64_t n) : image_size(size), num_points(n) {
  TORCH_CHECK(size >= 16, "DrwrNet: image size must be >= 16, got ", size);
  encoder = register_module("encoder", ConvStack(3, drwr_layers(size), 0.2));
  const double he = std::sqrt(2.0 / (1 + 0.04));
  fc1 = linear(*this, "fc1", encoder->flat_width(size), 1024, he / std::sqrt(double(encoder->flat_width(size))));
  fc2 = linear(*this, "fc2", 1024, 1024, he / 32.0);
  fc3 = linear(*this, "fc3", 1024, 1024, he / 32.0);
  points_head = linear(*this, "points_head", 1024, 3 * n, 0.025);
}

PointOutput DrwrNetImpl::forward(const at::Tensor& images) {
  check_images(images, image_size, "DrwrNet");
  at::Tensor x = in_phase(Phase::Encoder, [&] { return encoder(images * 2 - 1); });
  ProfileScope scope(Phase::Decoder);
  x = leaky(fc3(leaky(fc2(leaky(fc1(x))))));
  return {torch::tanh(points_head(x)).view({-1, num_points, 3}) * 0.5, {}};
}

CapnetNetImpl::CapnetNetImpl(int size, int64_t n, double scale) : image_size(size), num_points(n), input_scale(scale) {
  TORCH_CHECK(size >= 16, "CapnetNet: image size must be >= 16, got ", size);
  encoder = register_module("encoder", ConvStack(3, std::vector<ConvStackImpl::Layer>{{32, 3, 1}, {32, 3, 1}, {64, 3, 2}, {64, 3, 1}, {64, 3, 1},
                                                     {128, 3, 2}, {128, 3, 1}, {128, 3, 1}, {256, 3, 2}, {256, 3, 1},
                                                     {256, 3, 1}, {512, 5, 2}}, 0.0));
  // tflearn's fully_connected default: truncated normal, stddev 0.02.
  bottleneck = linear(*this, "bottleneck", encoder->flat_width(size), 128, 0.02);
  fc1 = linear(*this, "fc1", 128, 256, 0.02);
  fc2 = linear(*this, "fc2", 256, 256, 0.02);
  points_head = linear(*this, "points_head", 256, 3 * n, 0.02);
}

PointOutput CapnetNetImpl::forward(const at::Tensor& images) {
  check_images(images, image_size, "CapnetNet");
  at::Tensor x = in_phase(Phase::Encoder, [&] { return torch::relu(bottleneck(encoder(images * input_scale))); });
  ProfileScope scope(Phase::Decoder);
  x = torch::relu(fc2(torch::relu(fc1(x))));
  return {torch::tanh(points_head(x)).view({-1, num_points, 3}) * 0.5, {}};
}

DifferNetImpl::DifferNetImpl(int size, int64_t n, double scale) : image_size(size), num_points(n), input_scale(scale) {
  TORCH_CHECK(size >= 16, "DifferNet: image size must be >= 16, got ", size);
  geometry_encoder = register_module("geometry_encoder", ConvStack(3, std::vector<ConvStackImpl::Layer>{{32, 3, 2}, {64, 3, 2}, {128, 3, 2}, {256, 5, 2}}, 0.0));
  colour_encoder = register_module("colour_encoder", ConvStack(3, std::vector<ConvStackImpl::Layer>{{32, 3, 2}, {64, 3, 2}}, 0.0));
  g1 = linear(*this, "g1", geometry_encoder->flat_width(size), 128, 0.02);
  g2 = linear(*this, "g2", 128, 128, 0.02);
  g3 = linear(*this, "g3", 128, 128, 0.02);
  points_head = linear(*this, "points_head", 128, 3 * n, 0.02);
  c1 = linear(*this, "c1", colour_encoder->flat_width(size), 128, 0.02);
  c2 = linear(*this, "c2", 128, 128, 0.02);
  c3 = linear(*this, "c3", 128, 128, 0.02);
  c_join = linear(*this, "c_join", 256, 128, 0.02);
  colors_head = linear(*this, "colors_head", 128, 3 * n, 0.02);
}

PointOutput DifferNetImpl::forward(const at::Tensor& images) {
  check_images(images, image_size, "DifferNet");
  const at::Tensor input = images * input_scale;
  const at::Tensor geometry = in_phase(Phase::Encoder, [&] { return geometry_encoder(input); });
  const at::Tensor colour_features = in_phase(Phase::Encoder, [&] { return colour_encoder(input); });
  ProfileScope scope(Phase::Decoder);
  const at::Tensor code = torch::relu(g3(torch::relu(g2(torch::relu(g1(geometry))))));
  const at::Tensor colour = torch::relu(c3(torch::relu(c2(torch::relu(c1(colour_features))))));
  const at::Tensor joined = torch::relu(c_join(torch::cat({colour, code}, 1)));
  return {points_head(code).view({-1, num_points, 3}), torch::sigmoid(colors_head(joined)).view({-1, num_points, 3})};
}

}  // namespace dibr
