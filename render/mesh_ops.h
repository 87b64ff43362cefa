#pragma once
#include <ATen/core/Tensor.h>

namespace dibr {

// values (B,V,C), faces (F,3) int64 -> (B,F,3,C)
at::Tensor gather_face_values(const at::Tensor& values, const at::Tensor& faces);
// face_vertices (B,F,3,3) -> (B,F,3) normals, unit length unless normalize=false
at::Tensor face_normals(const at::Tensor& face_vertices, bool normalize = true);
// z of the normal of the projected triangle: (B,F,3,2) NDC corners -> (B,F); > 0 when counter-clockwise
// on screen, i.e. front-facing for outward-wound meshes.
at::Tensor screen_normals_z(const at::Tensor& face_vertices_image);
// Uniform Laplacian L = I - D^-1 A as a dense (V,V) float32 matrix (V is small: 642 for the template).
at::Tensor uniform_laplacian(int64_t num_vertices, const at::Tensor& faces);
// For each interior edge: the two opposite vertices and the edge's endpoints.
struct EdgeAdjacency {
  at::Tensor edges;     // (E,2) int64 vertex ids of the shared edge
  at::Tensor opposite;  // (E,2) int64 vertex ids of the two faces' third corners
};
EdgeAdjacency edge_face_adjacency(const at::Tensor& faces);
// Mean area-weighted random points on triangles; vertices (V,3), faces (F,3); fixed generator seed.
at::Tensor sample_surface_points(const at::Tensor& vertices, const at::Tensor& faces, int64_t count, uint64_t seed);

}  // namespace dibr
