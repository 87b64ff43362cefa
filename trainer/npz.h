#pragma once
// NumPy .npy/.npz reading and writing (npz members stored or deflated; float32/float64/int types).
#include <ATen/core/Tensor.h>

#include <map>
#include <string>

namespace dibr {

// All arrays of an .npz, keyed by name without ".npy". Throws std::runtime_error naming file and member.
std::map<std::string, at::Tensor> read_npz(const std::string& path);
// Writes an uncompressed .npz (contiguous CPU tensors, float32/float64/int32/int64/uint8).
void write_npz(const std::string& path, const std::map<std::string, at::Tensor>& arrays);

}  // namespace dibr
