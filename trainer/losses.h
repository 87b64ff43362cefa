#pragma once
// The DIB-R training losses. Each returns a scalar tensor, differentiable w.r.t. its predictions.
#include <ATen/core/Tensor.h>

#include "render/mesh_ops.h"

namespace dibr {

// mean |render*M - image*M| over pixels and channels; render, image (N,3,H,W), mask (N,1,H,W) or (N,H,W).
at::Tensor masked_color_l1_loss(const at::Tensor& render, const at::Tensor& image, const at::Tensor& mask);

// 1 - mean over renders of sum(A*M) / sum(A + M - A*M); silhouette A and mask M (N,H,W) or (N,1,H,W).
at::Tensor iou_loss(const at::Tensor& silhouette, const at::Tensor& mask);

// mean over meshes and vertices of |L v|^2; vertices (B,V,3), laplacian (V,V) (uniform_laplacian).
at::Tensor laplacian_loss(const at::Tensor& vertices, const at::Tensor& laplacian);

// SoftRas flatten loss: sum over interior edges of (cos + 1)^2, cos of the dihedral angle measured between
// the perpendiculars from the two opposite vertices to the edge; averaged over the batch. vertices (B,V,3).
at::Tensor flatten_loss(const at::Tensor& vertices, const EdgeAdjacency& adjacency);

}  // namespace dibr
