#pragma once
// Grey-blue Lambert shading under a light fixed in the object frame, for methods that predict no colours
// (NMR, SoftRas): their previews, eval strips and turntables show the shape by its shading
// (internal: trainer/methods only).
#include <ATen/core/Tensor.h>

namespace dibr {

// vertices (B,V,3), faces (F,3) -> per-vertex colours (B,V,3) from area-weighted vertex normals.
at::Tensor vertex_preview_shading(const at::Tensor& vertices, const at::Tensor& faces);
// -> per-face colours (B,F,3) from face normals (flat shading).
at::Tensor face_preview_shading(const at::Tensor& vertices, const at::Tensor& faces);

}  // namespace dibr
