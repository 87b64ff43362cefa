#pragma once
// Glue from a mesh and a camera to the rasterizer: project, cull, interpolate colours, soft silhouette.
#include <ATen/core/Tensor.h>

#include "render/rasterize.h"

namespace dibr {

struct MeshRender {
  at::Tensor image;       // (B,H,W,C) interpolated vertex colours
  at::Tensor silhouette;  // (B,H,W) soft mask
  at::Tensor face_index;  // (B,H,W) int64, -1 background
};

// vertices (B,V,3) world; faces (F,3) int64; vertex_colors (B,V,C); world_mat (B,4,4) DVR OpenCV;
// focal: NDC focal length, scalar or (B). A batch of 1 in vertices, vertex_colors or world_mat is broadcast
// against the others (one mesh seen by B cameras, or B meshes seen by one camera).
MeshRender render_mesh(const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& vertex_colors,
                       const at::Tensor& world_mat, const at::Tensor& focal, const RasterizeSettings& settings);

}  // namespace dibr
