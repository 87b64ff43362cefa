#pragma once
// Procedural, randomly proportioned, vertex-coloured meshes for the built-in sample dataset.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dibr {

struct SampleShape {
  at::Tensor vertices;  // (V,3) float32, bounding box centred at 0, largest half-extent in [0.45,0.5]
  at::Tensor faces;     // (F,3) int64, counter-clockwise seen from outside (outward normals)
  at::Tensor colors;    // (V,3) float32 in [0,1]
};

// "box", "cylinder", "cone", "torus", "chair", "table".
const std::vector<std::string>& sample_shape_kinds();
// Deterministic for (kind, seed). Throws std::invalid_argument for an unknown kind.
SampleShape make_sample_shape(const std::string& kind, uint64_t seed);

}  // namespace dibr
