#pragma once
// Glue from a mesh and a camera to the rasterizer: project, cull, interpolate colours, soft silhouette.
#include <ATen/core/Tensor.h>

#include "render/nmr_rasterize.h"
#include "render/rasterize.h"
#include "render/soft_rasterize.h"

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

struct SoftMeshRender {
  at::Tensor silhouette;  // (B,H,W) SoftRas probabilistic silhouette
  at::Tensor image;       // (B,H,W,C) softmax-aggregated vertex colours, undefined without vertex_colors
};

// The same glue for the SoftRas rasterizer; vertex_colors (B,V,C) may be undefined (silhouettes only), and
// background (C) may be undefined (black). Depth is the distance in front of the camera.
SoftMeshRender render_mesh_soft(const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& vertex_colors,
                                const at::Tensor& world_mat, const at::Tensor& focal, const at::Tensor& background,
                                const SoftRasterizeSettings& settings);

struct NmrMeshRender {
  at::Tensor silhouette;  // (B,H,W) NMR silhouette (anti-aliased)
  at::Tensor face_index;  // (B,rH,rW) int32 at the rasterized size, -1 background
};

// The same glue for Kato's NMR silhouettes (two-sided; depth is the distance in front of the camera).
NmrMeshRender render_mesh_nmr(const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& world_mat,
                              const at::Tensor& focal, const NmrRasterizeSettings& settings);

}  // namespace dibr
