#pragma once
// Raw-pointer entry points of the SoftRas soft rasterizer (Liu et al., ICCV 2019). The CPU reference
// (soft_raster_cpu.cpp) and the CUDA kernels (soft_raster_cuda.cu) take the same parameter structs and run
// the same per-pixel code (soft_raster_pixel.h). All arrays are dense and row-major.
#include <cstdint>

namespace dibr::softras {

struct SoftRasSizes {
  int64_t batch = 0;        // B
  int64_t num_faces = 0;    // F
  int64_t feature_dim = 0;  // D; 0 renders silhouettes only
  int height = 0;           // H
  int width = 0;            // W
  double sigma = 1e-4;      // sharpness of the probability map, NDC^2
  double threshold = 0.0;   // faces outside a pixel by d^2 >= threshold are skipped: sigma*log(1/dist_eps - 1)
  double gamma = 1e-4;      // temperature of the depth softmax of the colour aggregation
  double near = 1.0, far = 100.0;
  double background_eps = 1e-3;  // the background's normalised depth in the softmax
  bool two_sided = true;         // false: faces clockwise on screen add nothing to the colour
};

template <typename scalar_t>
struct SoftRasForwardParams {
  SoftRasSizes sizes;
  const scalar_t* face_vertices_image = nullptr;  // (B,F,3,2) NDC x,y (y up)
  const scalar_t* face_depth = nullptr;           // (B,F,3) distance in front of the camera (> 0); colours only
  const scalar_t* face_features = nullptr;        // (B,F,3,D) or null when D = 0
  const scalar_t* background = nullptr;           // (D) or null when D = 0
  scalar_t* alpha = nullptr;                      // (B,H,W) written: 1 - prod_f (1 - D_f)
  scalar_t* features = nullptr;                   // (B,H,W,D) written when D > 0
  scalar_t* softmax_max = nullptr;                // (B,H,W) written when D > 0 (saved for the backward)
  scalar_t* softmax_sum = nullptr;                // (B,H,W) written when D > 0
};

template <typename scalar_t>
struct SoftRasBackwardParams {
  SoftRasSizes sizes;
  const scalar_t* face_vertices_image = nullptr;  // (B,F,3,2)
  const scalar_t* face_depth = nullptr;           // (B,F,3)
  const scalar_t* face_features = nullptr;        // (B,F,3,D) or null
  const scalar_t* alpha = nullptr;                // (B,H,W) from the forward
  const scalar_t* features = nullptr;             // (B,H,W,D) from the forward, or null
  const scalar_t* softmax_max = nullptr;          // (B,H,W) from the forward, or null
  const scalar_t* softmax_sum = nullptr;          // (B,H,W) from the forward, or null
  const scalar_t* grad_alpha = nullptr;           // (B,H,W) or null (no gradient flowing)
  const scalar_t* grad_features = nullptr;        // (B,H,W,D) or null
  scalar_t* grad_face_vertices_image = nullptr;   // (B,F,3,2) accumulated into: caller zero-fills
  scalar_t* grad_face_depth = nullptr;            // (B,F,3) accumulated into: caller zero-fills
  scalar_t* grad_face_features = nullptr;         // (B,F,3,D) accumulated into, or null when D = 0
};

// Faces are binned into pixel tiles first; the result equals the unbinned loop bit for bit.
template <typename scalar_t>
void soft_rasterize_forward_cpu(const SoftRasForwardParams<scalar_t>& p);
template <typename scalar_t>
void soft_rasterize_backward_cpu(const SoftRasBackwardParams<scalar_t>& p);
// Every pixel visits every face; for tests and the bench baseline.
template <typename scalar_t>
void soft_rasterize_forward_cpu_unbinned(const SoftRasForwardParams<scalar_t>& p);
template <typename scalar_t>
void soft_rasterize_backward_cpu_unbinned(const SoftRasBackwardParams<scalar_t>& p);

// Asynchronous on `stream` (a cudaStream_t); device pointers only. Only defined in CUDA builds.
template <typename scalar_t>
void soft_rasterize_forward_cuda(const SoftRasForwardParams<scalar_t>& p, void* stream);
template <typename scalar_t>
void soft_rasterize_backward_cuda(const SoftRasBackwardParams<scalar_t>& p, void* stream);

}  // namespace dibr::softras
