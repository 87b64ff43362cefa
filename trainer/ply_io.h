#pragma once
// Point clouds as PLY: binary little-endian (or ASCII), float x y z and, when colours are given, uchar red green blue
// (the form MeshLab, Blender and CloudCompare read). Written atomically (temp file then rename).
#include <ATen/core/Tensor.h>

#include <string>

namespace dibr {

struct PlyPoints {
  at::Tensor points;  // (N,3) float32
  at::Tensor colors;  // (N,3) float32 in [0,1], or undefined
};

enum class PlyEncoding { Binary, Ascii };
const char* to_string(PlyEncoding encoding);  // "binary", "ascii"
// "binary" or "ascii"; throws std::invalid_argument otherwise.
PlyEncoding ply_encoding_from(const std::string& name);

// points (N,3); colors (N,3) in [0,1] or undefined. Throws std::runtime_error naming the file.
void write_ply_points(const std::string& path, const at::Tensor& points, const at::Tensor& colors = {},
                      PlyEncoding encoding = PlyEncoding::Binary);
// Reads what write_ply_points writes, binary little-endian or ASCII (vertex x,y,z[,red,green,blue]).
PlyPoints read_ply_points(const std::string& path);

}  // namespace dibr
