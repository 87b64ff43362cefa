#pragma once
// The networks of the point-cloud methods (internal: trainer/methods only), as released:
//   DrwrNet    DRWR/2DPM (networks/encoder.py, decoder.py): slim conv encoder with leaky ReLU, fc 1024 x3, a linear
//              point head, tanh / 2 (points in (-0.5, 0.5)^3).
//   CapnetNet  CAPNet's recon_net_large (src/net.py): ReLU convs 32..512, fc 128 -> 256 -> 256 -> 3N, tanh / 2 on
//              NMR (CAPNet's own data spans [-1, 1], NMR's objects the unit cube).
//   DifferNet  DIFFER's recon_net_tiny_rgb_skipconn: a geometry branch with a linear point head and a colour branch
//              joined by the geometry code (skip connection), sigmoid colours.
// Each is built for one image size (the first linear layer's width depends on it).
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace dibr {

struct PointOutput {
  at::Tensor points;  // (B,N,3)
  at::Tensor colors;  // (B,N,3) in [0,1], or undefined
};

// A stack of convolutions, each followed by the same activation: ReLU or leaky ReLU (negative slope).
struct ConvStackImpl : torch::nn::Module {
  struct Layer {
    int64_t out_channels, kernel, stride;
  };
  ConvStackImpl(int64_t in_channels, const std::vector<Layer>& layers, double negative_slope);
  at::Tensor forward(const at::Tensor& x);
  // The flattened width of the output for a square input of `image_size`.
  int64_t flat_width(int image_size) const;

  torch::nn::ModuleList convs;
  double negative_slope;  // 0 for ReLU
};
TORCH_MODULE(ConvStack);

struct DrwrNetImpl : torch::nn::Module {
  DrwrNetImpl(int image_size, int64_t num_points);
  PointOutput forward(const at::Tensor& images);  // images (B,3,S,S) in [0,1]

  int image_size;
  int64_t num_points;
  ConvStack encoder{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr}, points_head{nullptr};
};
TORCH_MODULE(DrwrNet);

struct CapnetNetImpl : torch::nn::Module {
  CapnetNetImpl(int image_size, int64_t num_points, double input_scale);
  PointOutput forward(const at::Tensor& images);

  int image_size;
  int64_t num_points;
  double input_scale;
  ConvStack encoder{nullptr};
  torch::nn::Linear bottleneck{nullptr}, fc1{nullptr}, fc2{nullptr}, points_head{nullptr};
};
TORCH_MODULE(CapnetNet);

struct DifferNetImpl : torch::nn::Module {
  DifferNetImpl(int image_size, int64_t num_points, double input_scale);
  PointOutput forward(const at::Tensor& images);

  int image_size;
  int64_t num_points;
  double input_scale;
  ConvStack geometry_encoder{nullptr}, colour_encoder{nullptr};
  torch::nn::Linear g1{nullptr}, g2{nullptr}, g3{nullptr}, points_head{nullptr};
  torch::nn::Linear c1{nullptr}, c2{nullptr}, c3{nullptr}, c_join{nullptr}, colors_head{nullptr};
};
TORCH_MODULE(DifferNet);

}  // namespace dibr
