#pragma once
// Raw-pointer entry points of the exact squared Euclidean distance transform (Felzenszwalb and Huttenlocher's
// lower envelope of parabolas, O(H*W)): two separable passes, columns then rows, one line per work item. The CPU
// (distance_transform_cpu.cpp) and CUDA (distance_transform_cuda.cu) run the same per-line code
// (distance_transform_line.h).
#include <cstdint>

namespace dibr::edt {

// Stands for "no seed on this line yet"; large but finite so that differences of two of them stay finite.
constexpr double kFar = 1e20;

struct EdtSizes {
  int64_t batch = 0;
  int height = 0, width = 0;
  double threshold = 0.5;  // seeds: mask >= threshold
};

template <typename scalar_t>
struct EdtParams {
  EdtSizes sizes;
  const scalar_t* mask = nullptr;  // (B,H,W)
  scalar_t* columns = nullptr;     // (B,H,W) scratch: the column pass
  scalar_t* out = nullptr;         // (B,H,W) written: squared distance to the nearest seed (>= kFar: none)
  int* envelope = nullptr;         // (B * max(H,W) lines, max(H,W)) scratch
  scalar_t* bounds = nullptr;      // (B * max(H,W) lines, max(H,W) + 1) scratch
};

template <typename scalar_t>
void distance_transform_cpu(const EdtParams<scalar_t>& p);
// Asynchronous on `stream` (a cudaStream_t); device pointers only. Only defined in CUDA builds.
template <typename scalar_t>
void distance_transform_cuda(const EdtParams<scalar_t>& p, void* stream);

}  // namespace dibr::edt
