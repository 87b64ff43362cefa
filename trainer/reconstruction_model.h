#pragma once
// The DIB-R single-image reconstruction network (internal: included by trainer/*.cpp only).
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "render/icosphere.h"
#include "trainer/mesh_decoder.h"
#include "trainer/resnet.h"

namespace dibr {

struct MeshPrediction {
  at::Tensor vertices;  // (B,V,3) centred, half-extent 0.5
  at::Tensor colors;    // (B,V,3) in (0,1)
};

// Bounding-box centre to the origin and max over axes of (max-min)/2 to half_extent; vertices (B,V,3).
at::Tensor normalize_mesh(const at::Tensor& vertices, double half_extent = 0.5);

// image -> ResNet-18 -> Linear(512,256) code -> conditional decoder at the template vertices ->
// vertices = normalize(template + alpha * offsets), colours. alpha starts at 0: the first prediction is the sphere.
struct ReconstructionNetImpl : torch::nn::Module {
  static constexpr int64_t kCodeDim = 256;

  // decoder_hidden: 256 in the reference; smaller widths make CPU training much cheaper.
  explicit ReconstructionNetImpl(const TriangleMesh& template_mesh, int64_t decoder_hidden = 256);
  // images (B,3,S,S) in [0,1], any S >= 16.
  MeshPrediction forward(const at::Tensor& images);
  at::Tensor faces() const { return faces_; }  // (F,3) int64 on the model's device

  // Moves parameters, buffers and the template faces.
  void move_to(const torch::Device& device);

  ResNet18Encoder encoder{nullptr};
  torch::nn::Linear code{nullptr};
  MeshDecoder decoder{nullptr};
  at::Tensor alpha;              // scalar parameter
  at::Tensor template_vertices;  // (V,3) buffer

 private:
  at::Tensor faces_;
};
TORCH_MODULE(ReconstructionNet);

}  // namespace dibr
