#pragma once
// The meshes every renderer benchmark draws: B jittered icosphere templates (1280 faces), scaled to fill
// most of the NDC square, as per-face corners.
#include <torch/torch.h>

#include "render/icosphere.h"
#include "render/mesh_ops.h"

namespace dibr::bench {

// (B,F,3,3) corner positions on the CPU, x,y in NDC and z in [-0.65, 0.65]; the same for a given batch.
inline at::Tensor jittered_icosphere_corners(int64_t batch) {
  torch::manual_seed(0);
  const TriangleMesh mesh = make_icosphere(3, 0.5);
  at::Tensor v = mesh.vertices.unsqueeze(0).repeat({batch, 1, 1});
  v = v * (1.0 + 0.15 * torch::randn({batch, v.size(1), 1})) * 1.3;
  return gather_face_values(v, mesh.faces);
}

}  // namespace dibr::bench
