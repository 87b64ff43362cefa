#include "trainer/resnet.h"

#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

namespace dibr {
namespace {

torch::nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

torch::nn::Sequential make_stage(int64_t in_channels, int64_t channels, int64_t stride) {
  return torch::nn::Sequential(BasicBlock(in_channels, channels, stride), BasicBlock(channels, channels, 1));
}

}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in_channels, int64_t channels, int64_t stride) {
  conv1 = register_module("conv1", conv(in_channels, channels, 3, stride, 1));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(channels));
  conv2 = register_module("conv2", conv(channels, channels, 3, 1, 1));
  bn2 = register_module("bn2", torch::nn::BatchNorm2d(channels));
  if (stride != 1 || in_channels != channels) {
    downsample = register_module(
        "downsample", torch::nn::Sequential(conv(in_channels, channels, 1, stride, 0), torch::nn::BatchNorm2d(channels)));
  }
}

at::Tensor BasicBlockImpl::forward(const at::Tensor& x) {
  auto out = torch::relu(bn1(conv1(x)));
  out = bn2(conv2(out));
  auto identity = downsample ? downsample->forward(x) : x;
  return torch::relu(out + identity);
}

ResNet18EncoderImpl::ResNet18EncoderImpl() {
  conv1 = register_module("conv1", conv(3, 64, 7, 2, 3));
  bn1 = register_module("bn1", torch::nn::BatchNorm2d(64));
  layer1 = register_module("layer1", make_stage(64, 64, 1));
  layer2 = register_module("layer2", make_stage(64, 128, 2));
  layer3 = register_module("layer3", make_stage(128, 256, 2));
  layer4 = register_module("layer4", make_stage(256, 512, 2));

  // torchvision's initialisation.
  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* c = module->as<torch::nn::Conv2d>()) {
      torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* b = module->as<torch::nn::BatchNorm2d>()) {
      torch::nn::init::ones_(b->weight);
      torch::nn::init::zeros_(b->bias);
    }
  }
}

at::Tensor ResNet18EncoderImpl::forward(const at::Tensor& images) {
  auto x = torch::relu(bn1(conv1(images)));
  x = torch::max_pool2d(x, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
  x = layer4->forward(layer3->forward(layer2->forward(layer1->forward(x))));
  return x.mean({2, 3});
}

void load_pretrained_encoder(ResNet18Encoder& encoder, const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw std::runtime_error("pretrained_encoder: file not found: " + path);
  }
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const auto& item : encoder->named_parameters()) shapes.emplace_back(item.key(), item.value().sizes().vec());
  for (const auto& item : encoder->named_buffers()) shapes.emplace_back(item.key(), item.value().sizes().vec());
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, torch::kCPU);
    encoder->load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error("pretrained_encoder: cannot load ResNet-18 weights from " + path + ": " +
                             e.what_without_backtrace());
  }
  // Module::load resizes tensors to whatever the file holds; a different shape means a different network.
  size_t i = 0;
  auto check = [&](const std::string& name, const at::Tensor& t) {
    if (t.sizes().vec() != shapes[i].second) {
      throw std::runtime_error("pretrained_encoder: " + path + ": tensor '" + name + "' has shape " +
                               c10::str(t.sizes()) + ", expected " + c10::str(c10::IntArrayRef(shapes[i].second)));
    }
    ++i;
  };
  for (const auto& item : encoder->named_parameters()) check(item.key(), item.value());
  for (const auto& item : encoder->named_buffers()) check(item.key(), item.value());
}

at::Tensor normalize_imagenet(const at::Tensor& images) {
  auto mean = torch::tensor({0.485f, 0.456f, 0.406f}, images.options()).view({1, 3, 1, 1});
  auto std = torch::tensor({0.229f, 0.224f, 0.225f}, images.options()).view({1, 3, 1, 1});
  return (images - mean) / std;
}

}  // namespace dibr
