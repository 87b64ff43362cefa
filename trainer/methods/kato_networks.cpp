#include "trainer/methods/kato_networks.h"
#include "trainer/step_profile.h"

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace dibr {
namespace {

constexpr double kCentroidScale = 0.1;
constexpr double kBiasScale = 1.0;
constexpr double kObjectScale = 0.5;
constexpr double kMinAbsBase = 1e-4;  // the fix for frozen coordinates

torch::nn::Conv2dOptions conv5x5(int64_t in, int64_t out) {
  return torch::nn::Conv2dOptions(in, out, 5).stride(2).padding(2);
}

}  // namespace

KatoEncoderImpl::KatoEncoderImpl(int64_t in_channels, int size, bool batch_norm, int64_t dim_out) : image_size(size) {
  TORCH_CHECK(size >= 8, "KatoEncoder: image size must be >= 8, got ", size);
  conv1 = register_module("conv1", torch::nn::Conv2d(conv5x5(in_channels, 64)));
  conv2 = register_module("conv2", torch::nn::Conv2d(conv5x5(64, 128)));
  conv3 = register_module("conv3", torch::nn::Conv2d(conv5x5(128, 256)));
  if (batch_norm) {
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(128));
    bn3 = register_module("bn3", torch::nn::BatchNorm2d(256));
  }
  const int64_t side = (size + 7) / 8;  // three stride-2 convolutions with padding 2: ceil(S/8)
  fc1 = register_module("fc1", torch::nn::Linear(256 * side * side, 1024));
  fc2 = register_module("fc2", torch::nn::Linear(1024, 1024));
  fc3 = register_module("fc3", torch::nn::Linear(1024, dim_out));
}

at::Tensor KatoEncoderImpl::forward(const at::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == conv1->options.in_channels() && images.size(2) == image_size &&
                  images.size(3) == image_size,
              "KatoEncoder: images must be (B,", conv1->options.in_channels(), ",", image_size, ",", image_size,
              ") for a network built for ", image_size, "^2 inputs, got ", images.sizes());
  ProfileScope scope(Phase::Encoder);
  auto block = [](torch::nn::Conv2d& conv, torch::nn::BatchNorm2d& bn, const at::Tensor& x) {
    at::Tensor y = conv(x);
    if (!bn.is_empty()) y = bn(y);
    return torch::relu(y);
  };
  at::Tensor x = block(conv1, bn1, images);
  x = block(conv2, bn2, x);
  x = block(conv3, bn3, x);
  x = x.flatten(1);
  x = torch::relu(fc1(x));
  x = torch::relu(fc2(x));
  return torch::relu(fc3(x));
}

FrozenCoordinates frozen_coordinates_from(const std::string& name) {
  if (name == "reproduce") return FrozenCoordinates::Reproduce;
  if (name == "fix") return FrozenCoordinates::Fix;
  throw std::invalid_argument("frozen coordinates must be 'reproduce' or 'fix', got '" + name + "'");
}

KatoMeshDecoderImpl::KatoMeshDecoderImpl(const at::Tensor& template_vertices, FrozenCoordinates frozen, int64_t dim_in) {
  TORCH_CHECK(template_vertices.dim() == 2 && template_vertices.size(1) == 3,
              "KatoMeshDecoder: template vertices must be (V,3), got ", template_vertices.sizes());
  const int64_t V = template_vertices.size(0);
  fc1 = register_module("fc1", torch::nn::Linear(dim_in, 1024));
  fc2 = register_module("fc2", torch::nn::Linear(1024, 2048));
  fc_centroid = register_module("fc_centroid", torch::nn::Linear(2048, 3));
  fc_bias = register_module("fc_bias", torch::nn::Linear(2048, V * 3));
  const at::Tensor scaled = template_vertices.to(torch::kFloat32) * kObjectScale;
  TORCH_CHECK(scaled.abs().max().item<double>() < 1.0, "KatoMeshDecoder: the template must lie inside the unit ball");
  at::Tensor magnitude = scaled.abs();
  at::Tensor s = scaled.sign();
  if (frozen == FrozenCoordinates::Fix) {
    magnitude = magnitude.clamp_min(kMinAbsBase);
    s = torch::where(s == 0, torch::ones_like(s), s);
  }
  base = register_buffer("base", torch::log(magnitude / (1 - magnitude)));
  sign = register_buffer("sign", s);
}

at::Tensor KatoMeshDecoderImpl::forward(const at::Tensor& code) {
  ProfileScope scope(Phase::Decoder);
  at::Tensor h = torch::relu(fc1(code));
  h = torch::relu(fc2(h));
  const at::Tensor centroid = torch::tanh(fc_centroid(h) * kCentroidScale).unsqueeze(1);  // (B,1,3)
  const at::Tensor bias = (fc_bias(h) * kBiasScale).view({code.size(0), -1, 3});
  const at::Tensor v = torch::sigmoid(base + bias) * sign;
  const at::Tensor pushed = torch::relu(v) * (1 - centroid) - torch::relu(-v) * (centroid + 1) + centroid;
  return pushed * 0.5;
}

KatoNetImpl::KatoNetImpl(const at::Tensor& template_vertices, int image_size, bool batch_norm, FrozenCoordinates frozen) {
  encoder = register_module("encoder", KatoEncoder(3, image_size, batch_norm));
  decoder = register_module("decoder", KatoMeshDecoder(template_vertices, frozen));
}

int64_t KatoMeshDecoderImpl::frozen_count() const { return (sign == 0).sum().item<int64_t>(); }

}  // namespace dibr
