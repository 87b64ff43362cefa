#pragma once
// NumPy .npy/.npz reading and writing (npz members stored or deflated; float32/float64/int types).
#include <ATen/core/Tensor.h>

#include <map>
#include <cstdint>
#include <string>
#include <vector>

namespace dibr {

// Limits checked before anything is allocated: a member may inflate to at most kMaxNpzMemberBytes, and to no more
// than deflate can produce from its compressed size (a 100-byte member claiming 3.9 GB is refused at once).
constexpr uint64_t kMaxNpzMemberBytes = 512ull << 20;

// All .npy arrays of an .npz, keyed by name without ".npy" (other members are ignored, as numpy does), or only
// those named in `only` (the others are not inflated). Throws std::runtime_error naming file and member.
std::map<std::string, at::Tensor> read_npz(const std::string& path, const std::vector<std::string>& only = {});
// The same from bytes in memory; `name` is used in messages.
std::map<std::string, at::Tensor> read_npz_bytes(const std::string& bytes, const std::string& name,
                                                 const std::vector<std::string>& only = {});
// Writes an uncompressed .npz (contiguous CPU tensors, float32/float64/int32/int64/uint8).
void write_npz(const std::string& path, const std::map<std::string, at::Tensor>& arrays);

}  // namespace dibr
