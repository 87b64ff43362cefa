#pragma once
// Raw-pointer entry points of Kato's Neural 3D Mesh Renderer silhouette rasterizer (NMR, CVPR 2018). The CPU
// reference (nmr_raster_cpu.cpp) and the CUDA kernels (nmr_raster_cuda.cu) take the same parameter structs and
// run the same per-pixel forward and per-face backward (nmr_raster_pixel.h). All arrays are dense and row-major,
// at the rasterized resolution (twice the output's with anti-aliasing).
#include <cstdint>

namespace dibr::nmr {

struct NmrRasterSizes {
  int64_t batch = 0;      // B
  int64_t num_faces = 0;  // F
  int height = 0;         // H (rasterized)
  int width = 0;          // W (rasterized)
  double near = 0.1, far = 100.0;  // faces are kept where near < perspective-correct depth < far
  double eps = 1e-3;      // added to the edge displacement of the approximate gradient (Kato's renderer.py)
};

template <typename scalar_t>
struct NmrForwardParams {
  NmrRasterSizes sizes;
  const scalar_t* face_vertices_image = nullptr;  // (B,F,3,2) NDC x,y (y up)
  const scalar_t* face_depth = nullptr;           // (B,F,3) distance in front of the camera
  int32_t* face_index = nullptr;                  // (B,H,W) written: nearest face, -1 for background
  scalar_t* alpha = nullptr;                      // (B,H,W) written: 1 where a face is, else 0
};

template <typename scalar_t>
struct NmrBackwardParams {
  NmrRasterSizes sizes;
  const scalar_t* face_vertices_image = nullptr;  // (B,F,3,2)
  const int32_t* face_index = nullptr;            // (B,H,W) from the forward
  const scalar_t* alpha = nullptr;                // (B,H,W) from the forward
  const scalar_t* grad_alpha = nullptr;           // (B,H,W)
  scalar_t* grad_face_vertices_image = nullptr;   // (B,F,3,2) written (every face its own slot; no atomics)
};

// The forward bins faces into pixel tiles first; the result equals the unbinned loop bit for bit.
template <typename scalar_t>
void nmr_rasterize_forward_cpu(const NmrForwardParams<scalar_t>& p);
template <typename scalar_t>
void nmr_rasterize_forward_cpu_unbinned(const NmrForwardParams<scalar_t>& p);
template <typename scalar_t>
void nmr_rasterize_backward_cpu(const NmrBackwardParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only. Only defined in CUDA builds.
template <typename scalar_t>
void nmr_rasterize_forward_cuda(const NmrForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void nmr_rasterize_backward_cuda(const NmrBackwardParams<scalar_t>& p, void* stream);

}  // namespace dibr::nmr
