#pragma once
// Raw-pointer entry points of the DIB-R rasterizer. The CPU reference (raster_cpu.cpp) and the CUDA
// kernels (raster_cuda.cu) take the same parameter structs; the CUDA ones also take a cudaStream_t
// passed as void* so that this header needs neither torch nor CUDA headers.
// All arrays are dense, row-major, of the sizes given in the comments.
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
};

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
};

template <typename scalar_t>
void rasterize_forward_cpu(const RasterForwardParams<scalar_t>& p);
template <typename scalar_t>
void rasterize_backward_cpu(const RasterBackwardParams<scalar_t>& p);
// The same forward without tile binning (every pixel visits every face); for tests.
template <typename scalar_t>
void rasterize_forward_cpu_unbinned(const RasterForwardParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only. Throws std::runtime_error when a
// launch fails. Only defined when the project is built with nvcc (DIBR_WITH_CUDA).
template <typename scalar_t>
void rasterize_forward_cuda(const RasterForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void rasterize_backward_cuda(const RasterBackwardParams<scalar_t>& p, void* stream);

}  // namespace dibr::raster
