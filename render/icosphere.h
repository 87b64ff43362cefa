#pragma once
#include <ATen/core/Tensor.h>

namespace dibr {

struct TriangleMesh {
  at::Tensor vertices;  // (V,3) float32
  at::Tensor faces;     // (F,3) int64, counter-clockwise seen from outside (outward normals)
};

// Subdivided icosahedron projected on a sphere. subdivisions=3 gives the DIB-R template:
// 642 vertices, 1280 faces.
TriangleMesh make_icosphere(int subdivisions = 3, double radius = 0.5);

}  // namespace dibr
