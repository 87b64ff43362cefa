// nmr_rasterize (Kato's NMR silhouettes): the forward's coverage, depth and fill_back rules, anti-aliasing,
// binned vs unbinned, bad input, and NMR's approximate gradient on hand-computed cases
// (shared/specs/seed_methods.md §1.3): one edge crossing, the lever arm of each corner, the descent-only rule,
// moving in, the scan to the border, an edge at the image border and a face that owns no pixel.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "render/nmr_raster_kernels.h"
#include "render/nmr_rasterize.h"
#include "test_soft_rasterize_util.h"

namespace dibr {
namespace {

constexpr double kEps = 1e-3;

struct Faces {
  at::Tensor image, depth;
};

// One image (B=1): triangles {x0,y0,x1,y1,x2,y2} in NDC at constant depths.
Faces faces_of(const std::vector<std::vector<double>>& tris, const std::vector<double>& depth) {
  const int64_t F = static_cast<int64_t>(tris.size());
  Faces f{torch::zeros({1, F, 3, 2}, torch::kFloat64), torch::zeros({1, F, 3}, torch::kFloat64)};
  for (int64_t i = 0; i < F; ++i) {
    for (int k = 0; k < 6; ++k) f.image[0][i][k / 2][k % 2] = tris[i][k];
    f.depth[0][i].fill_(depth[i]);
  }
  return f;
}

NmrRasterizeSettings plain(int size) {
  NmrRasterizeSettings st;
  st.height = st.width = size;
  st.anti_aliasing = false;
  st.eps = kEps;
  return st;
}

// Gradient of sum(alpha * g) w.r.t. the corners, g (H,W) given row by row from the top.
at::Tensor gradient(const Faces& in, const NmrRasterizeSettings& st, const at::Tensor& g) {
  const at::Tensor image = in.image.clone().requires_grad_(true);
  const auto out = nmr_rasterize(image, in.depth, st);
  return torch::autograd::grad({(out.alpha * g.unsqueeze(0)).sum()}, {image})[0][0];  // (F,3,2)
}

// The left half-plane face of a 4x4 image: corners A (0,-3), B (0,3), C (-3,0), counter-clockwise; its right
// edge A->B sits at pixel x = 1.5, between columns 1 and 2, so columns 0-1 are covered.
const std::vector<double> kLeftFace = {0.0, -3.0, 0.0, 3.0, -3.0, 0.0};

TEST(NmrRasterize, CoversPixelCentresWithTheNearestFaceOfEitherWinding) {
  // Face 0 covers the left half at depth 3; face 1 (clockwise: drawn through fill_back) the whole image at depth 2
  // but only inside near/far when far allows; face 2 is behind the far plane.
  auto in = faces_of({kLeftFace, {-3, -3, 0, 3, 3, -3}, {-3, -3, 3, -3, 0, 3}}, {3.0, 2.0, 200.0});
  const auto out = nmr_rasterize(in.image, in.depth, plain(4));
  const at::Tensor expected = torch::full({4, 4}, 1, torch::kInt);
  EXPECT_TRUE(torch::equal(out.face_index[0], expected)) << out.face_index[0];
  in.depth[0][1].fill_(5.0);  // now behind face 0
  const auto behind = nmr_rasterize(in.image, in.depth, plain(4));
  for (int h = 0; h < 4; ++h)
    for (int w = 0; w < 4; ++w) EXPECT_EQ(behind.face_index[0][h][w].item<int>(), w < 2 ? 0 : 1) << h << "," << w;
  EXPECT_EQ(behind.alpha.sum().item<double>(), 16.0);
  auto near_cut = in;
  near_cut.depth = in.depth.clone();
  near_cut.depth[0][0].fill_(0.05);  // in front of the near plane: dropped
  EXPECT_TRUE((nmr_rasterize(near_cut.image, near_cut.depth, plain(4)).face_index != 0).all().item<bool>());
}

TEST(NmrRasterize, AntiAliasingAveragesTwoByTwoBlocks) {
  // The edge at NDC x = 0.2 splits output column 2 of a 4x4 image: its left 8x8 half-column is covered.
  const auto in = faces_of({{0.2, -3.0, 0.2, 3.0, -3.0, 0.0}}, {3.0});
  NmrRasterizeSettings st = plain(4);
  st.anti_aliasing = true;
  const auto out = nmr_rasterize(in.image, in.depth, st);
  EXPECT_EQ(out.face_index.sizes(), (std::vector<int64_t>{1, 8, 8}));
  for (int h = 0; h < 4; ++h) {
    EXPECT_DOUBLE_EQ(out.alpha[0][h][1].item<double>(), 1.0);
    EXPECT_DOUBLE_EQ(out.alpha[0][h][2].item<double>(), 0.5);
    EXPECT_DOUBLE_EQ(out.alpha[0][h][3].item<double>(), 0.0);
  }
}

TEST(NmrRasterizeGrad, OneEdgeCrossingMovesBothCornersByTheirLeverArms) {
  const auto in = faces_of({kLeftFace}, {2.0});
  at::Tensor g = torch::zeros({4, 4}, torch::kFloat64);
  g[0][3] = -1.0;  // top-right pixel (row from the bottom 3, column 3): covering it lowers the loss
  const at::Tensor grad = gradient(in, plain(4), g);
  // Row 3 crosses A->B at x = 1.5; reaching column 3 moves the crossing 1.5 px = 0.75 NDC. Moving A moves the
  // crossing by (7.5 - 3)/12 of its own displacement, B by (3 + 4.5)/12: A must move 2.0, B 1.2.
  EXPECT_NEAR(grad[0][0][0].item<double>(), -1.0 / (2.0 + kEps), 1e-12);
  EXPECT_NEAR(grad[0][1][0].item<double>(), -1.0 / (1.2 + kEps), 1e-12);
  grad[0][0][0] = 0;
  grad[0][1][0] = 0;
  EXPECT_EQ(grad.abs().max().item<double>(), 0.0) << "only A.x and B.x move: " << grad;
}

TEST(NmrRasterizeGrad, TheOutwardScanRunsToTheBorder) {
  const auto in = faces_of({kLeftFace}, {2.0});
  at::Tensor g = torch::zeros({4, 4}, torch::kFloat64);
  g[0][2] = -1.0;
  g[0][3] = -1.0;
  const at::Tensor grad = gradient(in, plain(4), g);
  // Column 2 is 0.5 px away: A 2/3, B 0.4 (the same levers), plus column 3's terms.
  EXPECT_NEAR(grad[0][0][0].item<double>(), -1.0 / (2.0 / 3 + kEps) - 1.0 / (2.0 + kEps), 1e-12);
  EXPECT_NEAR(grad[0][1][0].item<double>(), -1.0 / (0.4 + kEps) - 1.0 / (1.2 + kEps), 1e-12);
}

TEST(NmrRasterizeGrad, OnlyDescentDirectionsAreKept) {
  const auto in = faces_of({kLeftFace}, {2.0});
  at::Tensor g = torch::zeros({4, 4}, torch::kFloat64);
  g[0][3] = 1.0;  // covering the pixel would raise the loss: NMR keeps no gradient for it
  EXPECT_EQ(gradient(in, plain(4), g).abs().max().item<double>(), 0.0);
}

TEST(NmrRasterizeGrad, MovingInUncoversTheFacesOwnPixels) {
  const auto in = faces_of({kLeftFace}, {2.0});
  at::Tensor g = torch::zeros({4, 4}, torch::kFloat64);
  g[0][1] = 1.0;  // the face's pixel next to the edge: uncovering it lowers the loss
  const at::Tensor grad = gradient(in, plain(4), g);
  // The crossing moves 0.5 px = 0.25 NDC to the left: A by 2/3, B by 0.4 (negative displacements).
  EXPECT_NEAR(grad[0][0][0].item<double>(), 1.0 / (2.0 / 3 + kEps), 1e-12);
  EXPECT_NEAR(grad[0][1][0].item<double>(), 1.0 / (0.4 + kEps), 1e-12);
}

TEST(NmrRasterizeGrad, ScanningColumnsMovesCornersInY) {
  // The lower half-plane face: A (3,0) -> B (-3,0) is its top edge at pixel y = 1.5, rows 0-1 from the bottom.
  const auto in = faces_of({{3.0, 0.0, -3.0, 0.0, 0.0, -3.0}}, {2.0});
  at::Tensor g = torch::zeros({4, 4}, torch::kFloat64);
  g[0][3] = -1.0;  // top row, column 3
  const at::Tensor grad = gradient(in, plain(4), g);
  EXPECT_NEAR(grad[0][0][1].item<double>(), -1.0 / (1.2 + kEps), 1e-12);  // A is nearer column 3: less to move
  EXPECT_NEAR(grad[0][1][1].item<double>(), -1.0 / (2.0 + kEps), 1e-12);
  grad[0][0][1] = 0;
  grad[0][1][1] = 0;
  EXPECT_EQ(grad.abs().max().item<double>(), 0.0) << grad;
}

TEST(NmrRasterizeGrad, ClockwiseFacesGetTheGradientOfTheirFillBackCopy) {
  // kLeftFace with corners 1 and 2 swapped: the same gradient, on the swapped rows.
  const auto in = faces_of({{0.0, -3.0, -3.0, 0.0, 0.0, 3.0}}, {2.0});
  at::Tensor g = torch::zeros({4, 4}, torch::kFloat64);
  g[0][3] = -1.0;
  const at::Tensor grad = gradient(in, plain(4), g);
  EXPECT_NEAR(grad[0][0][0].item<double>(), -1.0 / (2.0 + kEps), 1e-12);
  EXPECT_NEAR(grad[0][2][0].item<double>(), -1.0 / (1.2 + kEps), 1e-12);
}

TEST(NmrRasterizeGrad, AnEdgeOnTheImageBorderHasNoOutsidePixel) {
  // The right edge at NDC x = 1 (pixel x = 3.5): the pixel beyond it is outside the image.
  const auto in = faces_of({{1.0, -3.0, 1.0, 3.0, -3.0, 0.0}}, {2.0});
  const at::Tensor g = -torch::ones({4, 4}, torch::kFloat64);
  EXPECT_EQ(gradient(in, plain(4), g).abs().max().item<double>(), 0.0);
}

TEST(NmrRasterizeGrad, AFaceThatOwnsNoPixelGetsNoGradient) {
  // A sliver between the centres of rows 1 and 2 (pixel y 1.2-1.8) across columns 0-3, over a face that owns
  // the left columns: the sliver owns nothing, the big face still gets its gradient.
  auto px = [](double p) { return (2 * p + 1 - 4) / 4.0; };
  const auto in = faces_of({{px(0.2), px(1.2), px(3.8), px(1.4), px(1.5), px(1.8)}, kLeftFace}, {1.0, 2.0});
  const at::Tensor g = -torch::ones({4, 4}, torch::kFloat64);
  const auto out = nmr_rasterize(in.image, in.depth, plain(4));
  EXPECT_TRUE((out.face_index != 0).all().item<bool>());
  const at::Tensor grad = gradient(in, plain(4), g);
  EXPECT_EQ(grad[0].abs().max().item<double>(), 0.0);
  EXPECT_GT(grad[1].abs().max().item<double>(), 0.0);
}

TEST(NmrRasterizeGrad, DepthGetsNoGradientAndTheBackwardIsRepeatable) {
  const auto in = test::random_soft_inputs(2, 40, 0, 0.5, 9);
  const at::Tensor image = in.image.clone().requires_grad_(true);
  const at::Tensor depth = in.depth.clone().requires_grad_(true);
  NmrRasterizeSettings st;
  st.height = st.width = 16;
  const at::Tensor w = torch::randn({2, 16, 16}, torch::kFloat64);
  const auto l1 = (nmr_rasterize(image, depth, st).alpha * w).sum();
  const auto g1 = torch::autograd::grad({l1}, {image, depth}, {}, false, false, /*allow_unused=*/true);
  const auto l2 = (nmr_rasterize(image, depth, st).alpha * w).sum();
  const auto g2 = torch::autograd::grad({l2}, {image});
  EXPECT_TRUE(!g1[1].defined() || g1[1].abs().max().item<double>() == 0.0);
  EXPECT_TRUE(torch::equal(g1[0], g2[0]));
  EXPECT_GT(g1[0].abs().max().item<double>(), 0.0);
}

TEST(NmrRasterize, BinnedForwardEqualsVisitingEveryFace) {
  for (const auto dtype : {torch::kFloat32, torch::kFloat64}) {
    const auto in = test::random_soft_inputs(3, 200, 0, 0.3, 12, dtype);
    nmr::NmrRasterSizes s;
    s.batch = 3;
    s.num_faces = 200;
    s.height = 40;
    s.width = 36;
    auto run = [&](bool binned) {
      at::Tensor index = torch::empty({3, 40, 36}, torch::kInt), alpha = torch::empty({3, 40, 36}, dtype);
      AT_DISPATCH_FLOATING_TYPES(dtype, "test", [&] {
        nmr::NmrForwardParams<scalar_t> p;
        p.sizes = s;
        p.face_vertices_image = in.image.data_ptr<scalar_t>();
        p.face_depth = in.depth.data_ptr<scalar_t>();
        p.face_index = index.data_ptr<int32_t>();
        p.alpha = alpha.data_ptr<scalar_t>();
        binned ? nmr::nmr_rasterize_forward_cpu(p) : nmr::nmr_rasterize_forward_cpu_unbinned(p);
      });
      return index;
    };
    const at::Tensor binned = run(true);
    EXPECT_TRUE(torch::equal(binned, run(false)));
    EXPECT_GT((binned >= 0).sum().item<int64_t>(), 1000);
  }
}

void expect_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what_without_backtrace()).find(needle), std::string::npos) << e.what_without_backtrace();
  }
}

TEST(NmrRasterize, BadInputGetsAClearError) {
  const auto in = test::random_soft_inputs(1, 4, 0, 0.5, 1);
  const auto st = plain(8);
  expect_error([&] { nmr_rasterize(in.image.view({1, 4, 6}), in.depth, st); }, "face_vertices_image");
  expect_error([&] { nmr_rasterize(in.image, in.depth.slice(1, 0, 2), st); }, "face_depth");
  expect_error([&] { nmr_rasterize(in.image, in.depth.to(torch::kFloat32), st); }, "face_depth");
  auto bad = st;
  bad.near = 0;
  expect_error([&] { nmr_rasterize(in.image, in.depth, bad); }, "near");
  bad = st;
  bad.eps = 0;
  expect_error([&] { nmr_rasterize(in.image, in.depth, bad); }, "eps");
  bad = st;
  bad.width = 0;
  expect_error([&] { nmr_rasterize(in.image, in.depth, bad); }, "width");
}

// CPU vs CUDA: face indices equal, silhouettes equal, gradients close.
TEST(NmrRasterizeCuda, Parity) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  for (const auto dtype : {torch::kFloat64, torch::kFloat32}) {
    const auto in = test::random_soft_inputs(3, 60, 0, 0.5, 42, dtype);
    NmrRasterizeSettings st;
    st.height = 20;
    st.width = 24;
    const at::Tensor w = torch::randn({3, 20, 24}).to(dtype);
    std::vector<at::Tensor> results;
    for (const auto device : {torch::kCPU, torch::kCUDA}) {
      const at::Tensor image = in.image.to(device).requires_grad_(true);
      const auto out = nmr_rasterize(image, in.depth.to(device), st);
      const auto g = torch::autograd::grad({(out.alpha * w.to(device)).sum()}, {image})[0];
      results.push_back(out.face_index.cpu());
      results.push_back(out.alpha.cpu());
      results.push_back(g.cpu());
    }
    EXPECT_TRUE(torch::equal(results[0], results[3]));
    EXPECT_TRUE(torch::equal(results[1], results[4]));
    EXPECT_TRUE(torch::allclose(results[2], results[5], 1e-5, 1e-6));
    EXPECT_GT(results[2].abs().max().item<double>(), 0.0);
  }
}

}  // namespace
}  // namespace dibr
