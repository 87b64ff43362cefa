#include "trainer/methods/preview_shading.h"

#include <torch/torch.h>

#include "render/mesh_ops.h"

namespace dibr {
namespace {

// normals (B,N,3), any length -> colours (B,N,3)
at::Tensor shade(const at::Tensor& normals) {
  const at::Tensor n = normals / normals.norm(2, -1, true).clamp_min(1e-12);
  const at::Tensor light = torch::tensor({0.3, 0.8, 0.5}, normals.options());
  const at::Tensor lambert = (n * (light / light.norm())).sum(-1, true).clamp_min(0);
  const at::Tensor tint = torch::tensor({0.55, 0.62, 0.75}, normals.options());
  return (0.35 + 0.65 * lambert) * tint;
}

}  // namespace

at::Tensor vertex_preview_shading(const at::Tensor& vertices, const at::Tensor& faces) {
  const at::Tensor n = face_normals(gather_face_values(vertices, faces), /*normalize=*/false);  // (B,F,3)
  at::Tensor vn = torch::zeros_like(vertices);
  for (int k = 0; k < 3; ++k) vn.index_add_(1, faces.select(1, k), n);
  return shade(vn);
}

at::Tensor face_preview_shading(const at::Tensor& vertices, const at::Tensor& faces) {
  return shade(face_normals(gather_face_values(vertices, faces), /*normalize=*/false));
}

}  // namespace dibr
