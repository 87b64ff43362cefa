#pragma once
#include <ATen/core/Tensor.h>

#include <string>
#include <vector>

namespace dibr {

struct ObjMesh {
  at::Tensor vertices;  // (V,3) float32
  at::Tensor colors;    // (V,3) float32 in [0,1], or undefined when the file has none
  at::Tensor faces;     // (F,3) int64, 0-based
};

// "v x y z r g b" when colors are given, "vn" lines and "f a//a b//b c//c" when normals are, else 1-based
// "f a b c"; each comment line as "# <line>" first. Written atomically (temp then rename).
void write_obj(const std::string& path, const at::Tensor& vertices, const at::Tensor& faces,
               const at::Tensor& colors = {}, const at::Tensor& normals = {}, const std::vector<std::string>& comments = {});
ObjMesh read_obj(const std::string& path);

}  // namespace dibr
