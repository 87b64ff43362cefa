#pragma once
// ResNet-18 image encoder in the torchvision layout (internal: included by trainer/*.cpp only).
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace dibr {

struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(int64_t in_channels, int64_t channels, int64_t stride);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  // 1x1 conv + bn when the shape changes
};
TORCH_MODULE(BasicBlock);

// conv7x7/2, bn, relu, maxpool3x3/2, 4 stages of 2 BasicBlocks (64/128/256/512), global average pool.
// Parameter names match torchvision's resnet18 without "fc" (conv1.weight, layer1.0.bn1.running_mean, ...).
struct ResNet18EncoderImpl : torch::nn::Module {
  ResNet18EncoderImpl();
  // images (B,3,H,W), already normalised -> (B,512)
  at::Tensor forward(const at::Tensor& images);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
};
TORCH_MODULE(ResNet18Encoder);

// Loads weights saved with torch::save(encoder, path) from a ResNet18Encoder (or any archive with the same
// names and shapes, e.g. a TorchScript-saved torchvision resnet18: its "fc" entries are ignored).
// Throws std::runtime_error naming the file when it is missing, unreadable or a tensor is missing/mis-shaped.
void load_pretrained_encoder(ResNet18Encoder& encoder, const std::string& path);

// ImageNet mean/std normalisation of (B,3,H,W) images in [0,1].
at::Tensor normalize_imagenet(const at::Tensor& images);

}  // namespace dibr
