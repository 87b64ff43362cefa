#pragma once
// Raw-pointer entry points of the DIB-R rasterizer. The CPU reference (raster_cpu.cpp) and the CUDA
// kernels (raster_cuda.cu) take the same parameter structs; the CUDA ones also take a cudaStream_t
// passed as void* so that this header needs neither torch nor CUDA headers.
// All arrays are dense, row-major, of the sizes given in the comments.
#include <cstddef>
#include <cstdint>

namespace dibr::raster {

// Upper bound on RasterizeSettings::knum: the backward keeps the per-pixel factors in a fixed array.
constexpr int kMaxKnum = 128;

struct RasterSizes {
  int64_t batch = 0;        // B
  int64_t num_faces = 0;    // F
  int64_t feature_dim = 0;  // D
  int height = 0;           // H
  int width = 0;            // W
  double sigmainv = 0.0;
  double boxlen = 0.0;
  int knum = 0;
  bool distance_to_boundary = true;  // SoftMaskDistance::Boundary; false: Triangle (0 inside a face)
  bool deterministic_backward = false;  // CUDA: the ordered per-image backward instead of atomics (CPU: always)
};

// CUDA scratch the caller allocates (device memory, any contents): each face's centre box (tile_bins.h
// PixelBox, four int32), and for the deterministic backward deterministic_scratch_bytes() per image.
size_t deterministic_scratch_bytes(const RasterSizes& sizes, size_t scalar_bytes);

// The CPU coarse pass of a batch (raster_cpu.cpp): built by the forward, reusable by its backward.
struct BatchTileBins;
void delete_batch_tile_bins(BatchTileBins* bins);

template <typename scalar_t>
struct RasterForwardParams {
  RasterSizes sizes;
  const scalar_t* face_vertices_z = nullptr;      // (B,F,3)
  const scalar_t* face_vertices_image = nullptr;  // (B,F,3,2)
  const scalar_t* face_features = nullptr;        // (B,F,3,D)
  const scalar_t* face_normals_z = nullptr;       // (B,F)
  scalar_t* features = nullptr;                   // (B,H,W,D) written
  scalar_t* soft_mask = nullptr;                  // (B,H,W) written
  int64_t* face_index = nullptr;                  // (B,H,W) written, -1 on background
  BatchTileBins** keep_bins = nullptr;            // CPU: when set, receives the bins (free: delete_batch_tile_bins)
  int32_t* face_boxes = nullptr;                  // CUDA: (B,F,4) scratch
};

template <typename scalar_t>
struct RasterBackwardParams {
  RasterSizes sizes;
  const scalar_t* face_vertices_image = nullptr;  // (B,F,3,2)
  const scalar_t* face_features = nullptr;        // (B,F,3,D)
  const int64_t* face_index = nullptr;            // (B,H,W) from the forward
  const scalar_t* grad_features = nullptr;        // (B,H,W,D) or null (no gradient flowing)
  const scalar_t* grad_soft_mask = nullptr;       // (B,H,W) or null
  scalar_t* grad_face_vertices_image = nullptr;   // (B,F,3,2) accumulated into: caller zero-fills
  scalar_t* grad_face_features = nullptr;         // (B,F,3,D) accumulated into: caller zero-fills
  const BatchTileBins* bins = nullptr;            // CPU: the forward's keep_bins on the same corners, else rebuilt
  int32_t* face_boxes = nullptr;                  // CUDA: (B,F,4) scratch
  unsigned char* scratch = nullptr;               // CUDA, deterministic_backward: B * deterministic_scratch_bytes
};

// Tiled (coarse binning, then a face-major fine pass per tile in at::parallel_for). The backward is
// deterministic: the same bits whatever the thread count.
template <typename scalar_t>
void rasterize_forward_cpu(const RasterForwardParams<scalar_t>& p);
template <typename scalar_t>
void rasterize_backward_cpu(const RasterBackwardParams<scalar_t>& p);
// The same forward and backward without tile binning (every pixel visits every face, the reference
// kernel's design): the baseline of tests and bench/. The forwards agree bit for bit.
template <typename scalar_t>
void rasterize_forward_cpu_unbinned(const RasterForwardParams<scalar_t>& p);
template <typename scalar_t>
void rasterize_backward_cpu_unbinned(const RasterBackwardParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only; no host synchronisation (CUDA-graph safe).
// The same tiles as the CPU: a coarse kernel computes each face's centre box, then one block of kRasterTile^2
// threads per tile compacts the faces meeting it, chunk by chunk in index order, into shared memory, and each
// thread runs its pixel's steps (raster_pixel.h) over them. The backward's covered pixels sum per face within
// a warp before one atomic per value; deterministic_backward instead runs the CPU's tile code, one thread per
// image, tiles in order (slow; for bitwise-repeatable gradients). Throws std::runtime_error when a launch
// fails. Only defined when the project is built with nvcc (DIBR_WITH_CUDA).
template <typename scalar_t>
void rasterize_forward_cuda(const RasterForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void rasterize_backward_cuda(const RasterBackwardParams<scalar_t>& p, void* stream);
// The brute-force CUDA baseline for bench/ (float only): one thread per pixel visiting every face, atomics.
template <typename scalar_t>
void rasterize_forward_cuda_unbinned(const RasterForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void rasterize_backward_cuda_unbinned(const RasterBackwardParams<scalar_t>& p, void* stream);

}  // namespace dibr::raster
