#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "render/icosphere.h"
#include "render/mesh_ops.h"
#include "trainer/losses.h"

namespace dibr {
namespace {

TEST(Losses, IouOfIdenticalMasksIsZeroAndOfDisjointMasksIsOne) {
  auto mask = torch::zeros({2, 8, 8});
  mask.slice(1, 2, 6).slice(2, 2, 6).fill_(1);
  EXPECT_NEAR(iou_loss(mask, mask).item<double>(), 0.0, 1e-5);

  auto other = torch::zeros({2, 8, 8});
  other.slice(1, 0, 2).fill_(1);  // rows 0-1, disjoint from rows 2-5
  EXPECT_NEAR(iou_loss(other, mask.unsqueeze(1)).item<double>(), 1.0, 1e-6);

  // Half overlap: A = left half of the square, M = square -> IoU 0.5.
  auto half = torch::zeros({2, 8, 8});
  half.slice(1, 2, 6).slice(2, 2, 4).fill_(1);
  EXPECT_NEAR(iou_loss(half, mask).item<double>(), 0.5, 1e-5);
}

TEST(Losses, MaskedColorL1IgnoresBackground) {
  auto image = torch::rand({2, 3, 8, 8});
  auto mask = torch::zeros({2, 1, 8, 8});
  mask.slice(2, 0, 4).fill_(1);  // top half
  auto render = image.clone();
  render.slice(2, 4, 8).fill_(7.0);  // only the background differs
  EXPECT_NEAR(masked_color_l1_loss(render, image, mask).item<double>(), 0.0, 1e-7);

  render.slice(2, 0, 4).add_(0.5);  // foreground off by 0.5 on half of the pixels
  EXPECT_NEAR(masked_color_l1_loss(render, image, mask).item<double>(), 0.25, 1e-6);
  EXPECT_THROW(masked_color_l1_loss(render, image.slice(1, 0, 2), mask), c10::Error);
}

TEST(Losses, LaplacianOfTheSphereIsSmallerThanOfANoisySphere) {
  const auto sphere = make_icosphere(3, 0.5);
  const auto L = uniform_laplacian(sphere.vertices.size(0), sphere.faces);
  auto v = sphere.vertices.unsqueeze(0);
  torch::manual_seed(0);
  auto noisy = v + 0.02 * torch::randn_like(v);
  const double smooth = laplacian_loss(v, L).item<double>();
  const double rough = laplacian_loss(noisy, L).item<double>();
  EXPECT_LT(smooth, 1e-3);
  EXPECT_GT(rough, 2 * smooth);
}

TEST(Losses, FlattenIsZeroForAFlatPairAndPositiveWhenFolded) {
  // Two triangles sharing the edge 0-1 along x; the third corners on either side.
  EdgeAdjacency pair;
  pair.edges = torch::tensor({0, 1}, torch::kInt64).view({1, 2});
  pair.opposite = torch::tensor({2, 3}, torch::kInt64).view({1, 2});
  auto flat = torch::tensor({0.f, 0.f, 0.f, 1.f, 0.f, 0.f, 0.5f, 1.f, 0.f, 0.5f, -1.f, 0.f}).view({1, 4, 3});
  EXPECT_NEAR(flatten_loss(flat, pair).item<double>(), 0.0, 1e-4);

  auto right_angle = flat.clone();
  right_angle[0][3] = torch::tensor({0.5f, 0.f, 1.f});  // folded by 90 degrees: cos = 0 -> (0+1)^2
  EXPECT_NEAR(flatten_loss(right_angle, pair).item<double>(), 1.0, 1e-3);

  auto sharp = flat.clone();
  sharp[0][3] = torch::tensor({0.5f, 0.9f, 0.2f});  // folded almost shut: cos -> 1
  EXPECT_GT(flatten_loss(sharp, pair).item<double>(), 3.0);

  // Averaged over the batch, not summed.
  EXPECT_NEAR(flatten_loss(torch::cat({right_angle, right_angle}), pair).item<double>(), 1.0, 1e-3);
}

TEST(Losses, FlattenOfTheSphereGrowsWithNoiseAndHasFiniteGradients) {
  const auto sphere = make_icosphere(3, 0.5);
  const auto adjacency = edge_face_adjacency(sphere.faces);
  torch::manual_seed(1);
  auto v = sphere.vertices.unsqueeze(0).clone().requires_grad_(true);
  auto smooth = flatten_loss(v, adjacency);
  auto noisy = flatten_loss(v.detach() + 0.03 * torch::randn_like(v), adjacency);
  EXPECT_GT(noisy.item<double>(), smooth.item<double>());
  smooth.backward();
  EXPECT_TRUE(torch::isfinite(v.grad()).all().item<bool>());
}

}  // namespace
}  // namespace dibr
