// The analytic backward of soft_rasterize against central finite differences in float64, for the silhouette
// and the colour aggregation, w.r.t. corner positions, depths and colours.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "render/soft_rasterize.h"
#include "test_soft_rasterize_util.h"

namespace dibr {
namespace {

struct Weights {
  at::Tensor alpha, features;  // random projections of the outputs; undefined drops that output from the loss
};

at::Tensor loss(const test::SoftInputs& in, const at::Tensor& bg, const SoftRasterizeSettings& st, const Weights& w) {
  const auto out = soft_rasterize(in.image, in.depth, in.features, bg, st);
  at::Tensor l = torch::zeros({}, torch::kFloat64);
  if (w.alpha.defined()) l = l + (out.alpha * w.alpha).sum();
  if (w.features.defined()) l = l + (out.features * w.features).sum();
  return l;
}

void expect_matches_finite_differences(test::SoftInputs& in, at::Tensor& param, const at::Tensor& analytic,
                                       const at::Tensor& bg, const SoftRasterizeSettings& st, const Weights& w,
                                       const std::string& name) {
  torch::NoGradGuard no_grad;
  const double eps = 1e-6;
  at::Tensor flat = param.view({-1});
  const at::Tensor grad = analytic.reshape({-1});
  int64_t nonzero = 0;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double saved = flat[i].item<double>();
    flat[i] = saved + eps;
    const double plus = loss(in, bg, st, w).item<double>();
    flat[i] = saved - eps;
    const double minus = loss(in, bg, st, w).item<double>();
    flat[i] = saved;
    const double fd = (plus - minus) / (2 * eps);
    EXPECT_NEAR(grad[i].item<double>(), fd, 1e-6 + 1e-5 * std::abs(fd)) << name << " entry " << i;
    nonzero += std::abs(fd) > 1e-8;
  }
  EXPECT_GT(nonzero, flat.numel() / 4) << name << ": most finite differences were zero, the case tests little";
}

struct Case {
  int64_t batch, faces, dim;
  int height, width;
  double sigma, gamma, size;
  bool two_sided;
  uint64_t seed;
  bool with_alpha = true, with_features = true;
};

void check_case(const Case& c) {
  SCOPED_TRACE("seed " + std::to_string(c.seed));
  auto in = test::random_soft_inputs(c.batch, c.faces, c.dim, c.size, c.seed);
  SoftRasterizeSettings st;
  st.height = c.height;
  st.width = c.width;
  st.sigma = c.sigma;
  st.gamma = c.gamma;
  st.dist_eps = 1e-20;  // the skip threshold's jump in D (below dist_eps) stays far under the FD resolution
  st.near = 1.0;
  st.far = 10.0;
  st.two_sided = c.two_sided;
  const at::Tensor bg = torch::rand({c.dim}, torch::kFloat64);
  Weights w;
  if (c.with_alpha) w.alpha = torch::randn({c.batch, c.height, c.width}, torch::kFloat64);
  if (c.with_features) w.features = torch::randn({c.batch, c.height, c.width, c.dim}, torch::kFloat64);
  {
    const auto out = soft_rasterize(in.image, in.depth, in.features, bg, st);
    EXPECT_GT(((out.alpha > 1e-3) & (out.alpha < 0.999)).sum().item<int64_t>(), c.height * c.width / 10)
        << "too few soft pixels for the case to test the silhouette gradient";
  }
  in.image.requires_grad_(true);
  in.depth.requires_grad_(true);
  in.features.requires_grad_(true);
  const auto grads = torch::autograd::grad({loss(in, bg, st, w)}, {in.image, in.depth, in.features},
                                           /*grad_outputs=*/{}, /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);
  in.image = in.image.detach();
  in.depth = in.depth.detach();
  in.features = in.features.detach();
  expect_matches_finite_differences(in, in.image, grads[0], bg, st, w, "face_vertices_image");
  if (c.with_features) {
    expect_matches_finite_differences(in, in.depth, grads[1], bg, st, w, "face_depth");
    expect_matches_finite_differences(in, in.features, grads[2], bg, st, w, "face_features");
  }
}

TEST(SoftRasterizeGrad, SilhouetteMatchesFiniteDifferences) {
  check_case({2, 5, 3, 10, 12, 3e-3, 0.05, 0.8, true, 21, true, false});
}

TEST(SoftRasterizeGrad, ColourMatchesFiniteDifferences) {
  check_case({2, 5, 3, 10, 12, 3e-3, 0.05, 0.8, true, 22, false, true});
}

TEST(SoftRasterizeGrad, BothOutputsMatchFiniteDifferences) {
  check_case({1, 7, 2, 12, 10, 1e-2, 0.1, 0.9, true, 23});
}

TEST(SoftRasterizeGrad, OneSidedMatchesFiniteDifferences) {
  check_case({1, 6, 3, 10, 10, 3e-3, 0.05, 0.9, false, 24});
}

TEST(SoftRasterizeGrad, ManyOverlapsMatchFiniteDifferences) {
  // Large faces over a small image: every pixel is inside several faces (keep close to 0, deep softmax).
  check_case({1, 8, 1, 6, 6, 2e-2, 0.02, 1.6, true, 25});
}

TEST(SoftRasterizeGrad, PixelsInsideAnOpaqueFaceHaveFiniteGradients) {
  // sigma tiny: D = 1 exactly inside, keep = 0; no NaN from 1/(1 - D).
  auto in = test::random_soft_inputs(1, 6, 3, 1.2, 7, torch::kFloat32);
  in.image.requires_grad_(true);
  in.depth.requires_grad_(true);
  in.features.requires_grad_(true);
  SoftRasterizeSettings st;
  st.height = st.width = 16;
  st.sigma = 1e-7;
  const auto out = soft_rasterize(in.image, in.depth, in.features, {}, st);
  EXPECT_GT((out.alpha == 1).sum().item<int64_t>(), 0);
  (out.alpha.sum() + out.features.sum()).backward();
  for (const auto* g : {&in.image, &in.depth, &in.features})
    EXPECT_TRUE(torch::isfinite(g->grad()).all().item<bool>());
}

}  // namespace
}  // namespace dibr
