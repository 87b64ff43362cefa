#include "render/render_mesh.h"

#include <torch/torch.h>

#include <algorithm>

#include "render/camera.h"
#include "render/mesh_ops.h"

namespace dibr {

MeshRender render_mesh(const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& vertex_colors,
                       const at::Tensor& world_mat, const at::Tensor& focal, const RasterizeSettings& settings) {
  TORCH_CHECK(vertices.defined() && vertices.dim() == 3 && vertices.size(2) == 3,
              "render_mesh: vertices must be (B,V,3), got ", vertices.defined() ? vertices.sizes() : at::IntArrayRef{});
  TORCH_CHECK(vertex_colors.defined() && vertex_colors.dim() == 3 && vertex_colors.size(1) == vertices.size(1),
              "render_mesh: vertex_colors must be (B,V,C) with V = ", vertices.size(1), ", got ",
              vertex_colors.defined() ? vertex_colors.sizes() : at::IntArrayRef{});
  TORCH_CHECK(world_mat.defined() && world_mat.dim() == 3 && world_mat.size(1) == 4 && world_mat.size(2) == 4,
              "render_mesh: world_mat must be (B,4,4), got ", world_mat.defined() ? world_mat.sizes() : at::IntArrayRef{});
  // A batch of 1 (one mesh, or one camera) is broadcast against the other inputs.
  const int64_t B = std::max({vertices.size(0), vertex_colors.size(0), world_mat.size(0)});
  auto expand_batch = [B](const at::Tensor& t, const char* name) {
    TORCH_CHECK(t.size(0) == B || t.size(0) == 1, "render_mesh: batch of ", name, " is ", t.size(0),
                ", expected ", B, " or 1");
    auto sizes = t.sizes().vec();
    sizes[0] = B;
    return t.expand(sizes);
  };
  auto verts = expand_batch(vertices, "vertices");
  auto colors = expand_batch(vertex_colors, "vertex_colors").to(vertices.dtype());
  auto view = opengl_view_from_opencv(expand_batch(world_mat, "world_mat").to(vertices.options()));

  const auto projected = project_vertices(verts, view, focal);
  auto face_z = gather_face_values(projected.camera.slice(2, 2, 3), faces).squeeze(-1);
  auto face_xy = gather_face_values(projected.ndc, faces);
  auto face_colors = gather_face_values(colors, faces);
  auto normals_z = screen_normals_z(face_xy);

  auto out = dibr_rasterize(face_z, face_xy, face_colors, normals_z, settings);
  return {out.features, out.soft_mask, out.face_index};
}

}  // namespace dibr
