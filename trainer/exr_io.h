#pragma once
// Single-channel float EXR images: DVR's visual_hull_depth/<view>.exr. Through OpenEXR (libopenexr-dev) when the
// build found it; otherwise every call throws std::runtime_error saying so, and exr_supported() is false.
#include <ATen/core/Tensor.h>

#include <string>

namespace dibr {

bool exr_supported();
// (H,W) float32: the channel "R" (what imageio's [:, :, 0] reads in DVR), else "Y", else the first by name.
// Throws std::runtime_error naming the file.
at::Tensor read_exr_channel(const std::string& path);
// Writes (H,W) float32 as the single FLOAT channel "Y", ZIP-compressed.
void write_exr_channel(const std::string& path, const at::Tensor& image);

}  // namespace dibr
