#pragma once
// Meshes from an occupancy field, as DVR's generation.py does it (seed_methods.md §4.3):
//   MISE       multi-resolution iso-surface extraction: the field on a resolution^3 grid of cells, then
//              `upsampling` times the cells whose corners disagree are split in 8 and only their new corners are
//              evaluated; the other new points take the trilinear value of the coarser grid;
//   meshing    marching cubes (render/marching_cubes.h) at logit 0, closed at the grid's border;
//   refinement RMSprop (lr 1e-5) on the vertices for `refine_steps` batches of at most 10000 faces, loss
//              (σ(f) - 0.5)^2 + 0.01 |n_face - n_field|^2 at one Dirichlet(½,½,½) point per face.
// The grid spans (1 + padding) times the unit cube, centred at the origin.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

#include "render/icosphere.h"

namespace dibr {

// One object's occupancy logits (M) at points (M,3); differentiable with respect to the points when grad is on.
using ObjectField = std::function<at::Tensor(const at::Tensor& points)>;

struct ExtractionSettings {
  int resolution = 32;   // cells per side of the first grid
  int upsampling = 3;
  double padding = 0.0;
  int refine_steps = 30;
  int refine_batch_faces = 10000;
  int64_t chunk_points = 1 << 20;
  uint64_t seed = 0;     // the refinement's face batches and sample points
};

struct MiseGrid {
  at::Tensor values;      // (N+1)^3 float32 logits on the CPU, N = resolution * 2^upsampling
  int64_t evaluations = 0;  // points at which the field was evaluated
};
MiseGrid mise_grid(const ObjectField& field, const ExtractionSettings& settings, const c10::Device& device);

// MISE, marching cubes and refinement; vertices in the object frame. An empty mesh (no surface) has (0,3)
// vertices and faces.
TriangleMesh extract_mesh(const ObjectField& field, const ExtractionSettings& settings, const c10::Device& device);

// The refinement step alone, in place on mesh.vertices.
void refine_mesh(TriangleMesh& mesh, const ObjectField& field, const ExtractionSettings& settings,
                 const c10::Device& device);

}  // namespace dibr
