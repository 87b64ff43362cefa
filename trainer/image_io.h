#pragma once
// PNG in and out through stb (header-only use, so the core needs no image library).
#include <ATen/core/Tensor.h>

#include <string>

namespace dibr {

// Larger images are refused before they are decoded (a 300 KB PNG can claim 10000x10000 and cost gigabytes).
constexpr int kMaxImageSide = 4096;

// (H,W,C) uint8, C = 1, 3 or 4 as requested (0 keeps the file's channels). Throws std::runtime_error naming the file.
at::Tensor read_png(const std::string& path, int channels = 0);
// The same from bytes in memory; `name` is used in messages.
at::Tensor decode_png(const std::string& bytes, const std::string& name, int channels = 0);
// (H,W,C) uint8 or float in [0,1] (clamped); C in {1,3,4}. Throws on failure.
void write_png(const std::string& path, const at::Tensor& image);

}  // namespace dibr
