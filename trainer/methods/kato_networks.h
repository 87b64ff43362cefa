#pragma once
// The encoder and template decoder of Kato's mesh reconstruction (mesh_reconstruction/models.py), which SoftRas
// (examples/recon/models.py) reuses with BatchNorm after each convolution (internal: trainer/methods only).
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <string>

namespace dibr {

// conv 5x5/2 (in -> 64 -> 128 -> 256), flatten, linear 1024 -> 1024 -> 512, ReLU after every layer including
// the last. The first linear layer's width depends on the image size, so the encoder is built for one size.
struct KatoEncoderImpl : torch::nn::Module {
  KatoEncoderImpl(int64_t in_channels, int image_size, bool batch_norm, int64_t dim_out = 512);
  // images (B,in_channels,S,S) with S the image size it was built for -> (B,dim_out)
  at::Tensor forward(const at::Tensor& images);

  int image_size;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};  // null without batch_norm (Kato's)
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
TORCH_MODULE(KatoEncoder);

// What to do with template coordinates that are exactly 0: the original's logit parametrisation gives them
// base = log(0) = -inf and sign 0, so their v stays 0 forever (the vertex keeps the centroid's coordinate on that
// axis) and their bias gets no gradient.
enum class FrozenCoordinates {
  Reproduce,  // as released
  Fix,        // |base| clamped to >= 1e-4 and sign +1 for zeros: every coordinate can move
};
FrozenCoordinates frozen_coordinates_from(const std::string& name);  // "reproduce" or "fix"

// code (B,512) -> linear 1024 -> 2048 (ReLU) -> a centroid (x0.1, tanh) and a per-vertex bias; the vertex is
//   v = sigmoid(logit(|0.5 t|) + bias) * sign(t), pushed away from the centroid c: relu(v)(1-c) - relu(-v)(1+c) + c,
// then halved, so vertices stay in (-0.5, 0.5)^3. t is the unit-radius template.
struct KatoMeshDecoderImpl : torch::nn::Module {
  KatoMeshDecoderImpl(const at::Tensor& template_vertices, FrozenCoordinates frozen, int64_t dim_in = 512);
  at::Tensor forward(const at::Tensor& code);  // -> (B,V,3)
  // How many template coordinates are frozen at 0 (always 0 with FrozenCoordinates::Fix).
  int64_t frozen_count() const;

  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc_centroid{nullptr}, fc_bias{nullptr};
  at::Tensor base;  // (V,3) buffer: logit of |0.5 t|, -inf for frozen coordinates
  at::Tensor sign;  // (V,3) buffer
};
TORCH_MODULE(KatoMeshDecoder);

// images -> Kato's encoder -> template decoder -> vertices (B,V,3): NMR's network (no normalisation) and SoftRas's
// (BatchNorm after each convolution).
struct KatoNetImpl : torch::nn::Module {
  KatoNetImpl(const at::Tensor& template_vertices, int image_size, bool batch_norm, FrozenCoordinates frozen);
  at::Tensor forward(const at::Tensor& images) { return decoder(encoder(images)); }

  KatoEncoder encoder{nullptr};
  KatoMeshDecoder decoder{nullptr};
};
TORCH_MODULE(KatoNet);

}  // namespace dibr
