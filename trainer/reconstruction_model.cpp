#include "trainer/reconstruction_model.h"
#include "trainer/step_profile.h"

#include <torch/torch.h>

namespace dibr {

at::Tensor normalize_mesh(const at::Tensor& vertices, double half_extent) {
  auto hi = std::get<0>(vertices.max(1, /*keepdim=*/true));  // (B,1,3)
  auto lo = std::get<0>(vertices.min(1, /*keepdim=*/true));
  auto centre = (hi + lo) * 0.5;
  auto extent = std::get<0>(((hi - lo) * 0.5).max(2, /*keepdim=*/true));  // (B,1,1)
  return (vertices - centre) * (half_extent / extent.clamp_min(1e-8));
}

ReconstructionNetImpl::ReconstructionNetImpl(const TriangleMesh& template_mesh, int64_t decoder_hidden) {
  TORCH_CHECK(template_mesh.vertices.dim() == 2 && template_mesh.vertices.size(1) == 3,
              "ReconstructionNet: template vertices must be (V,3)");
  encoder = register_module("encoder", ResNet18Encoder());
  code = register_module("code", torch::nn::Linear(512, kCodeDim));
  decoder = register_module("decoder", MeshDecoder(kCodeDim, decoder_hidden, 5));
  alpha = register_parameter("alpha", torch::zeros({}));
  template_vertices = register_buffer("template_vertices", template_mesh.vertices.to(torch::kFloat32).clone());
  faces_ = template_mesh.faces.to(torch::kInt64);
}

MeshPrediction ReconstructionNetImpl::forward(const at::Tensor& images) {
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "ReconstructionNet: images must be (B,3,S,S), got ",
              images.sizes());
  const at::Tensor z = in_phase(Phase::Encoder, [&] { return code(encoder(normalize_imagenet(images))); });
  ProfileScope scope(Phase::Decoder);
  auto out = decoder(template_vertices, z);
  auto vertices = template_vertices.unsqueeze(0) + alpha * out.offsets;
  return {normalize_mesh(vertices), out.colors};
}

void ReconstructionNetImpl::move_to(const torch::Device& device) {
  to(device);
  faces_ = faces_.to(device);
}

}  // namespace dibr
