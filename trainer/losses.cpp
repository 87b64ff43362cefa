#include "trainer/losses.h"

#include <torch/torch.h>

namespace dibr {
namespace {

at::Tensor as_nhw(const at::Tensor& t, const char* name) {
  TORCH_CHECK(t.dim() == 3 || (t.dim() == 4 && t.size(1) == 1), name, " must be (N,H,W) or (N,1,H,W), got ",
              t.sizes());
  return t.dim() == 4 ? t.squeeze(1) : t;
}

}  // namespace

at::Tensor masked_color_l1_loss(const at::Tensor& render, const at::Tensor& image, const at::Tensor& mask) {
  TORCH_CHECK(render.sizes() == image.sizes(), "masked_color_l1_loss: render ", render.sizes(), " vs image ",
              image.sizes());
  auto m = as_nhw(mask, "masked_color_l1_loss: mask").unsqueeze(1);
  return ((render - image) * m).abs().mean();
}

at::Tensor iou_loss(const at::Tensor& silhouette, const at::Tensor& mask) {
  auto a = as_nhw(silhouette, "iou_loss: silhouette");
  auto m = as_nhw(mask, "iou_loss: mask");
  TORCH_CHECK(a.sizes() == m.sizes(), "iou_loss: silhouette ", a.sizes(), " vs mask ", m.sizes());
  auto intersection = (a * m).sum({1, 2});
  auto uni = (a + m - a * m).sum({1, 2});
  return 1.0 - (intersection / (uni + 1e-6)).mean();
}

at::Tensor laplacian_loss(const at::Tensor& vertices, const at::Tensor& laplacian) {
  TORCH_CHECK(vertices.dim() == 3 && laplacian.dim() == 2 && laplacian.size(0) == vertices.size(1),
              "laplacian_loss: vertices (B,V,3) and laplacian (V,V) expected, got ", vertices.sizes(), " and ",
              laplacian.sizes());
  auto lv = torch::matmul(laplacian.to(vertices.dtype()), vertices);  // (B,V,3)
  return lv.pow(2).sum(2).mean();
}

at::Tensor flatten_loss(const at::Tensor& vertices, const EdgeAdjacency& adjacency) {
  TORCH_CHECK(vertices.dim() == 3, "flatten_loss: vertices must be (B,V,3), got ", vertices.sizes());
  constexpr double eps = 1e-6;
  auto pick = [&](const at::Tensor& ids, int64_t col) { return vertices.index_select(1, ids.select(1, col)); };
  auto v0 = pick(adjacency.edges, 0), v1 = pick(adjacency.edges, 1);
  auto v2 = pick(adjacency.opposite, 0), v3 = pick(adjacency.opposite, 1);

  // Perpendicular from an opposite vertex to the edge line, and its length.
  auto edge = v1 - v0;
  auto edge_l2 = edge.pow(2).sum(-1);
  auto perpendicular = [&](const at::Tensor& v) {
    auto b = v - v0;
    auto b_l2 = b.pow(2).sum(-1);
    auto ab = (edge * b).sum(-1);
    auto cos = ab / ((edge_l2 + eps).sqrt() * (b_l2 + eps).sqrt() + eps);
    auto sin = (1 - cos.pow(2) + eps).sqrt();
    auto c = b - edge * (ab / (edge_l2 + eps)).unsqueeze(-1);
    return std::make_pair(c, (b_l2 + eps).sqrt() * sin);
  };
  auto [c1, l1] = perpendicular(v2);
  auto [c2, l2] = perpendicular(v3);
  auto cos = (c1 * c2).sum(-1) / (l1 * l2 + eps);
  return (cos + 1).pow(2).sum() / vertices.size(0);
}

}  // namespace dibr
