// soft_rasterize values against a direct implementation of the SoftRas formulas, the binned kernels against
// the unbinned ones bit for bit, and the errors bad input gets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "render/soft_raster_kernels.h"
#include "render/soft_rasterize.h"
#include "test_rasterize_util.h"
#include "test_soft_rasterize_util.h"

namespace dibr {
namespace {

// The soft rasterizer written out plainly: every pixel, every face, a softmax without the running maximum.
SoftRasterizeOutput reference(const test::SoftInputs& in, const at::Tensor& background, const SoftRasterizeSettings& st) {
  const int64_t B = in.image.size(0), F = in.image.size(1), D = in.features.size(3);
  const int H = st.height, W = st.width;
  const double threshold = soft_rasterize_threshold(st);
  auto img = in.image.accessor<double, 4>();
  auto dep = in.depth.accessor<double, 3>();
  auto fea = in.features.accessor<double, 4>();
  auto bg = background.accessor<double, 1>();
  at::Tensor alpha = torch::zeros({B, H, W}, torch::kFloat64);
  at::Tensor colour = torch::zeros({B, H, W, D}, torch::kFloat64);
  for (int64_t b = 0; b < B; ++b)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        const double px = test::pixel_x(w, W), py = test::pixel_y(h, H);
        double keep = 1.0;
        const double bg_weight = std::exp(st.background_eps / st.gamma);
        double total = bg_weight;
        std::vector<double> acc(D);
        for (int64_t d = 0; d < D; ++d) acc[d] = bg_weight * bg[d];
        for (int64_t f = 0; f < F; ++f) {
          double x[3], y[3];
          for (int k = 0; k < 3; ++k) x[k] = img[b][f][k][0], y[k] = img[b][f][k][1];
          const double det = (x[0] - x[2]) * (y[1] - y[2]) - (x[1] - x[2]) * (y[0] - y[2]);
          double bary[3];
          bary[0] = ((y[1] - y[2]) * (px - x[2]) + (x[2] - x[1]) * (py - y[2])) / det;
          bary[1] = ((y[2] - y[0]) * (px - x[2]) + (x[0] - x[2]) * (py - y[2])) / det;
          bary[2] = 1.0 - bary[0] - bary[1];
          const bool inside = bary[0] > 0 && bary[1] > 0 && bary[2] > 0;
          double dist = 1e300;
          for (int k = 0; k < 3; ++k)
            dist = std::min(dist, test::segment_distance(px, py, x[k], y[k], x[(k + 1) % 3], y[(k + 1) % 3]));
          const double d2 = dist * dist;
          if (!inside && d2 >= threshold) continue;
          const double prob = 1.0 / (1.0 + std::exp(-(inside ? d2 : -d2) / st.sigma));
          keep *= 1.0 - prob;
          if (D == 0 || (!st.two_sided && det < 0)) continue;
          double clipped[3], sum = 0;
          for (int k = 0; k < 3; ++k) sum += clipped[k] = std::clamp(bary[k], 0.0, 1.0);
          double inv_z = 0;
          for (int k = 0; k < 3; ++k) inv_z += clipped[k] / std::max(sum, 1e-5) / dep[b][f][k];
          const double z = 1.0 / inv_z;
          if (z < st.near || z > st.far) continue;
          const double weight = prob * std::exp((st.far - z) / (st.far - st.near) / st.gamma);
          total += weight;
          for (int64_t d = 0; d < D; ++d)
            for (int k = 0; k < 3; ++k) acc[d] += weight * clipped[k] / std::max(sum, 1e-5) * fea[b][f][k][d];
        }
        alpha[b][h][w] = 1.0 - keep;
        for (int64_t d = 0; d < D; ++d) colour[b][h][w][d] = acc[d] / total;
      }
  return {alpha, colour};
}

SoftRasterizeSettings settings(int h, int w, double sigma, double gamma) {
  SoftRasterizeSettings st;
  st.height = h;
  st.width = w;
  st.sigma = sigma;
  st.gamma = gamma;
  st.near = 1.0;
  st.far = 10.0;
  return st;
}

TEST(SoftRasterize, MatchesTheFormulasWrittenOut) {
  for (const bool two_sided : {true, false}) {
    SCOPED_TRACE(two_sided ? "two-sided" : "one-sided");
    auto in = test::random_soft_inputs(2, 9, 3, 0.9, 5);
    auto st = settings(12, 10, 5e-4, 0.05);
    st.two_sided = two_sided;
    const at::Tensor bg = torch::tensor({0.2, 0.5, 0.9}, torch::kFloat64);
    const auto got = soft_rasterize(in.image, in.depth, in.features, bg, st);
    const auto want = reference(in, bg, st);
    EXPECT_TRUE(torch::allclose(got.alpha, want.alpha, 1e-10, 1e-12));
    EXPECT_TRUE(torch::allclose(got.features, want.features, 1e-10, 1e-12));
    // The case covers pixels inside faces, soft pixels and pixels no face reaches.
    EXPECT_GT((got.alpha > 0.99).sum().item<int64_t>(), 0);
    EXPECT_GT(((got.alpha > 0.01) & (got.alpha < 0.99)).sum().item<int64_t>(), 0);
    EXPECT_GT((got.alpha == 0).sum().item<int64_t>(), 0);
  }
}

TEST(SoftRasterize, SharpGammaShowsTheNearestFace) {
  // Two red/green squares-as-triangles over the image centre; the green one is nearer.
  test::SoftInputs in;
  in.image = torch::tensor({-0.9, -0.9, 0.9, -0.9, 0.0, 0.9, -0.9, -0.9, 0.9, -0.9, 0.0, 0.9}, torch::kFloat64)
                 .view({1, 2, 3, 2});
  in.depth = torch::tensor({5.0, 5.0, 5.0, 2.0, 2.0, 2.0}, torch::kFloat64).view({1, 2, 3});
  in.features = torch::zeros({1, 2, 3, 3}, torch::kFloat64);
  in.features.select(3, 0)[0][0].fill_(1.0);
  in.features.select(3, 1)[0][1].fill_(1.0);
  const auto st = settings(4, 4, 1e-5, 1e-4);
  const auto out = soft_rasterize(in.image, in.depth, in.features, at::Tensor(), st);
  const at::Tensor centre = out.features[0][2][2];  // pixel centre (0.25, -0.25), well inside both faces
  EXPECT_NEAR(centre[1].item<double>(), 1.0, 1e-9);
  EXPECT_NEAR(centre[0].item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(out.alpha[0][2][2].item<double>(), 1.0, 1e-12);
  // The corner pixel (-0.75, 0.75) is outside both by more than the threshold: background, alpha 0.
  EXPECT_EQ(out.alpha[0][0][0].item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(out.features[0][0][0], torch::zeros({3}, torch::kFloat64)));
}

TEST(SoftRasterize, OneSidedDropsClockwiseColourButKeepsTheSilhouette) {
  test::SoftInputs in;
  // Clockwise on screen (y up): (-0.9,-0.9) -> (0,0.9) -> (0.9,-0.9).
  in.image = torch::tensor({-0.9, -0.9, 0.0, 0.9, 0.9, -0.9}, torch::kFloat64).view({1, 1, 3, 2});
  in.depth = torch::full({1, 1, 3}, 3.0, torch::kFloat64);
  in.features = torch::ones({1, 1, 3, 1}, torch::kFloat64);
  auto st = settings(4, 4, 1e-5, 1e-4);
  st.two_sided = false;
  const auto one = soft_rasterize(in.image, in.depth, in.features, at::Tensor(), st);
  st.two_sided = true;
  const auto two = soft_rasterize(in.image, in.depth, in.features, at::Tensor(), st);
  EXPECT_NEAR(one.alpha[0][2][2].item<double>(), 1.0, 1e-12);
  EXPECT_EQ(one.features[0][2][2][0].item<double>(), 0.0);
  EXPECT_NEAR(two.features[0][2][2][0].item<double>(), 1.0, 1e-9);
}

TEST(SoftRasterize, BoundaryPixelHasHalfProbability) {
  // The pixel centre (0.25, 0.25) of a 4x4 image lies on the face's left edge x = 0.25.
  test::SoftInputs in;
  in.image = torch::tensor({0.25, -0.9, 0.9, 0.25, 0.25, 0.9}, torch::kFloat64).view({1, 1, 3, 2});
  in.depth = torch::full({1, 1, 3}, 3.0, torch::kFloat64);
  in.features = torch::zeros({1, 1, 3, 0}, torch::kFloat64);
  const auto out = soft_rasterize(in.image, in.depth, at::Tensor(), at::Tensor(), settings(4, 4, 1e-3, 1e-4));
  EXPECT_NEAR(out.alpha[0][1][2].item<double>(), 0.5, 1e-12);
  EXPECT_EQ(out.features.size(3), 0);
}

template <typename T>
void expect_binned_equals_unbinned(torch::Dtype dtype) {
  // Icosphere-sized faces over a 40x36 image (several tiles, faces crossing tile borders), colours on.
  auto in = test::random_soft_inputs(3, 150, 3, 0.25, 11, dtype);
  const at::Tensor bg = torch::rand({3}).to(dtype);
  SoftRasterizeSettings st = settings(40, 36, 1e-4, 1e-4);
  softras::SoftRasSizes s;
  s.batch = 3;
  s.num_faces = 150;
  s.feature_dim = 3;
  s.height = st.height;
  s.width = st.width;
  s.sigma = st.sigma;
  s.threshold = soft_rasterize_threshold(st);
  s.gamma = st.gamma;
  s.near = st.near;
  s.far = st.far;
  auto forward = [&](bool binned) {
    std::vector<at::Tensor> out = {torch::empty({3, 40, 36}, dtype), torch::empty({3, 40, 36, 3}, dtype),
                                   torch::empty({3, 40, 36}, dtype), torch::empty({3, 40, 36}, dtype)};
    softras::SoftRasForwardParams<T> p;
    p.sizes = s;
    p.face_vertices_image = in.image.data_ptr<T>();
    p.face_depth = in.depth.data_ptr<T>();
    p.face_features = in.features.data_ptr<T>();
    p.background = bg.data_ptr<T>();
    p.alpha = out[0].data_ptr<T>();
    p.features = out[1].data_ptr<T>();
    p.softmax_max = out[2].data_ptr<T>();
    p.softmax_sum = out[3].data_ptr<T>();
    binned ? softras::soft_rasterize_forward_cpu(p) : softras::soft_rasterize_forward_cpu_unbinned(p);
    return out;
  };
  const std::vector<at::Tensor> fwd = forward(true), fwd_ref = forward(false);
  for (size_t i = 0; i < fwd.size(); ++i) EXPECT_TRUE(torch::equal(fwd[i], fwd_ref[i])) << "forward output " << i;
  const at::Tensor g_alpha = torch::randn({3, 40, 36}).to(dtype), g_feat = torch::randn({3, 40, 36, 3}).to(dtype);
  auto backward = [&](bool binned) {
    std::vector<at::Tensor> g = {torch::zeros_like(in.image), torch::zeros_like(in.depth), torch::zeros_like(in.features)};
    softras::SoftRasBackwardParams<T> p;
    p.sizes = s;
    p.face_vertices_image = in.image.data_ptr<T>();
    p.face_depth = in.depth.data_ptr<T>();
    p.face_features = in.features.data_ptr<T>();
    p.alpha = fwd[0].data_ptr<T>();
    p.features = fwd[1].data_ptr<T>();
    p.softmax_max = fwd[2].data_ptr<T>();
    p.softmax_sum = fwd[3].data_ptr<T>();
    p.grad_alpha = g_alpha.data_ptr<T>();
    p.grad_features = g_feat.data_ptr<T>();
    p.grad_face_vertices_image = g[0].data_ptr<T>();
    p.grad_face_depth = g[1].data_ptr<T>();
    p.grad_face_features = g[2].data_ptr<T>();
    binned ? softras::soft_rasterize_backward_cpu(p) : softras::soft_rasterize_backward_cpu_unbinned(p);
    return g;
  };
  const std::vector<at::Tensor> bwd = backward(true), bwd_ref = backward(false);
  for (size_t i = 0; i < bwd.size(); ++i) EXPECT_TRUE(torch::equal(bwd[i], bwd_ref[i])) << "gradient " << i;
  EXPECT_GT(bwd[0].abs().max().item<double>(), 0.0);
  EXPECT_GT(((fwd[0] > 0.01) & (fwd[0] < 0.99)).sum().item<int64_t>(), 0);
}

TEST(SoftRasterize, BinnedEqualsUnbinnedFloat32) { expect_binned_equals_unbinned<float>(torch::kFloat32); }
TEST(SoftRasterize, BinnedEqualsUnbinnedFloat64) { expect_binned_equals_unbinned<double>(torch::kFloat64); }

TEST(SoftRasterize, BackwardIsDeterministic) {
  auto in = test::random_soft_inputs(2, 60, 3, 0.4, 3, torch::kFloat32);
  in.image.requires_grad_(true);
  const auto st = settings(24, 24, 1e-4, 1e-4);
  at::Tensor first;
  for (int run = 0; run < 3; ++run) {
    const auto out = soft_rasterize(in.image, in.depth, in.features, at::Tensor(), st);
    const at::Tensor g = torch::autograd::grad({out.alpha.sum() + out.features.sum()}, {in.image})[0];
    if (run == 0)
      first = g;
    else
      EXPECT_TRUE(torch::equal(first, g));
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

TEST(SoftRasterize, BadInputGetsAClearError) {
  auto in = test::random_soft_inputs(1, 4, 3, 0.5, 1);
  const auto st = settings(8, 8, 1e-4, 1e-4);
  expect_error([&] { soft_rasterize(in.image.view({1, 4, 6}), in.depth, in.features, {}, st); }, "face_vertices_image");
  expect_error([&] { soft_rasterize(in.image, in.depth.slice(1, 0, 3), in.features, {}, st); }, "face_depth");
  expect_error([&] { soft_rasterize(in.image, in.depth.to(torch::kFloat32), in.features, {}, st); }, "face_depth");
  expect_error([&] { soft_rasterize(in.image, in.depth, in.features.slice(2, 0, 2), {}, st); }, "face_features");
  expect_error([&] { soft_rasterize(in.image, in.depth, in.features, torch::zeros({2}, torch::kFloat64), st); },
               "background");
  expect_error([&] { soft_rasterize(in.image, in.depth, {}, torch::zeros({3}, torch::kFloat64), st); }, "background");
  expect_error([&] { soft_rasterize(in.image.to(torch::kInt32), in.depth, in.features, {}, st); }, "face_vertices_image");
  auto bad = st;
  bad.sigma = 0;
  expect_error([&] { soft_rasterize(in.image, in.depth, in.features, {}, bad); }, "sigma");
  bad = st;
  bad.near = 10;
  bad.far = 1;
  expect_error([&] { soft_rasterize(in.image, in.depth, in.features, {}, bad); }, "near");
  bad = st;
  bad.dist_eps = 0.7;
  expect_error([&] { soft_rasterize(in.image, in.depth, in.features, {}, bad); }, "dist_eps");
  bad = st;
  bad.height = 0;
  expect_error([&] { soft_rasterize(in.image, in.depth, in.features, {}, bad); }, "height");
}

TEST(SoftRasterize, EmptyBatchAndNoFaces) {
  const auto st = settings(8, 8, 1e-4, 1e-4);
  auto empty = test::random_soft_inputs(0, 4, 3, 0.5, 1);
  EXPECT_EQ(soft_rasterize(empty.image, empty.depth, empty.features, {}, st).alpha.size(0), 0);
  auto none = test::random_soft_inputs(2, 0, 3, 0.5, 1);
  const at::Tensor bg = torch::tensor({0.1, 0.2, 0.3}, torch::kFloat64);
  const auto out = soft_rasterize(none.image, none.depth, none.features, bg, st);
  EXPECT_EQ(out.alpha.abs().max().item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(out.features[1][3][4], bg));
}

}  // namespace
}  // namespace dibr
