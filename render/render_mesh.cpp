#include "render/render_mesh.h"

#include <torch/torch.h>

#include <algorithm>

#include "render/camera.h"
#include "render/mesh_ops.h"

namespace dibr {

namespace {

void check_mesh_inputs(const char* who, const at::Tensor& vertices, const at::Tensor& vertex_colors,
                       const at::Tensor& world_mat) {
  TORCH_CHECK(vertices.defined() && vertices.dim() == 3 && vertices.size(2) == 3, who,
              ": vertices must be (B,V,3), got ", vertices.defined() ? vertices.sizes() : at::IntArrayRef{});
  if (vertex_colors.defined())
    TORCH_CHECK(vertex_colors.dim() == 3 && vertex_colors.size(1) == vertices.size(1), who,
                ": vertex_colors must be (B,V,C) with V = ", vertices.size(1), ", got ", vertex_colors.sizes());
  TORCH_CHECK(world_mat.defined() && world_mat.dim() == 3 && world_mat.size(1) == 4 && world_mat.size(2) == 4, who,
              ": world_mat must be (B,4,4), got ", world_mat.defined() ? world_mat.sizes() : at::IntArrayRef{});
}

// A batch of 1 (one mesh, or one camera) is broadcast against the other inputs.
struct BatchExpander {
  const char* who;
  int64_t batch;
  at::Tensor operator()(const at::Tensor& t, const char* name) const {
    TORCH_CHECK(t.size(0) == batch || t.size(0) == 1, who, ": batch of ", name, " is ", t.size(0), ", expected ",
                batch, " or 1");
    auto sizes = t.sizes().vec();
    sizes[0] = batch;
    return t.expand(sizes);
  }
};

}  // namespace

SoftMeshRender render_mesh_soft(const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& vertex_colors,
                                const at::Tensor& world_mat, const at::Tensor& focal, const at::Tensor& background,
                                const SoftRasterizeSettings& settings) {
  constexpr const char* who = "render_mesh_soft";
  check_mesh_inputs(who, vertices, vertex_colors, world_mat);
  const int64_t B = std::max({vertices.size(0), vertex_colors.defined() ? vertex_colors.size(0) : 1, world_mat.size(0)});
  const BatchExpander expand_batch{who, B};
  auto verts = expand_batch(vertices, "vertices");
  auto view = opengl_view_from_opencv(expand_batch(world_mat, "world_mat").to(vertices.options()));
  const auto projected = project_vertices(verts, view, focal);
  auto face_depth = -gather_face_values(projected.camera.slice(2, 2, 3), faces).squeeze(-1);
  auto face_xy = gather_face_values(projected.ndc, faces);
  at::Tensor face_colors;
  if (vertex_colors.defined())
    face_colors = gather_face_values(expand_batch(vertex_colors, "vertex_colors").to(vertices.dtype()), faces);
  const at::Tensor bg = background.defined() ? background.to(vertices.options()) : at::Tensor();
  auto out = soft_rasterize(face_xy, face_depth, face_colors, bg, settings);
  SoftMeshRender r;
  r.silhouette = out.alpha;
  if (vertex_colors.defined()) r.image = out.features;
  return r;
}

NmrMeshRender render_mesh_nmr(const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& world_mat,
                              const at::Tensor& focal, const NmrRasterizeSettings& settings) {
  constexpr const char* who = "render_mesh_nmr";
  check_mesh_inputs(who, vertices, at::Tensor(), world_mat);
  const BatchExpander expand_batch{who, std::max(vertices.size(0), world_mat.size(0))};
  auto verts = expand_batch(vertices, "vertices");
  auto view = opengl_view_from_opencv(expand_batch(world_mat, "world_mat").to(vertices.options()));
  const auto projected = project_vertices(verts, view, focal);
  auto face_depth = -gather_face_values(projected.camera.slice(2, 2, 3), faces).squeeze(-1);
  auto out = nmr_rasterize(gather_face_values(projected.ndc, faces), face_depth, settings);
  return {out.alpha, out.face_index};
}

MeshRender render_mesh(const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& vertex_colors,
                       const at::Tensor& world_mat, const at::Tensor& focal, const RasterizeSettings& settings) {
  TORCH_CHECK(vertex_colors.defined(), "render_mesh: vertex_colors must be (B,V,C), got undefined");
  check_mesh_inputs("render_mesh", vertices, vertex_colors, world_mat);
  const int64_t B = std::max({vertices.size(0), vertex_colors.size(0), world_mat.size(0)});
  const BatchExpander expand_batch{"render_mesh", B};
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
