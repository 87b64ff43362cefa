#pragma once
// Marching cubes over a dense grid of field values. The case table is generated once from the cube's geometry
// instead of being typed in: every face's crossings are joined into segments, and a face with two diagonally
// occupied corners (the ambiguous case) always separates its occupied corners. The choice depends on the face's
// four values alone, so two cubes sharing a face cut it the same way and the surface has no cracks: a field that
// is closed inside the grid gives a closed, consistently oriented mesh (every edge shared by exactly two faces).
#include <ATen/core/Tensor.h>

#include <array>
#include <vector>

namespace dibr {

// The triangles of one cube case, as cube edge numbers (see cube_edge_corners), counter-clockwise seen from the
// free side. Corner c sits at (c & 1, c >> 1 & 1, c >> 2 & 1); the case index has bit c set when corner c is
// occupied.
struct CubeCase {
  std::vector<std::array<int, 3>> triangles;
};
const std::array<CubeCase, 256>& marching_cubes_table();
// The two corners of cube edge e (0..11).
std::array<int, 2> cube_edge_corners(int e);

struct MarchingCubesMesh {
  at::Tensor vertices;  // (V,3) float32 in grid index units: point (i,j,k) of values[i][j][k] is at (i,j,k)
  at::Tensor faces;     // (F,3) int64, counter-clockwise seen from outside (normals from occupied to free)
};
// values (X,Y,Z) float32 on the CPU; a point is occupied where its value is > iso. Vertices lie on the grid edges
// whose ends straddle iso, linearly interpolated, and are shared between the cells around that edge. Points
// outside the grid count as free only if `close_at_border` (the mesh then closes where the field reaches the
// border, as DVR's padding with -1e6 does).
MarchingCubesMesh marching_cubes(const at::Tensor& values, double iso, bool close_at_border = true);

}  // namespace dibr
