// Analytic gradients of dibr_rasterize against central finite differences in float64, plus the edge cases
// where gradients must stay finite or vanish.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/rasterize.h"
#include "test_rasterize_util.h"

namespace dibr {
namespace {

struct Case {
  int64_t batch, faces, dim;
  int height, width;
  double sigmainv, boxlen, culled;
  int knum;
  uint64_t seed;
  SoftMaskDistance soft_distance = SoftMaskDistance::Boundary;
};

RasterizeSettings settings_of(const Case& c) {
  RasterizeSettings st;
  st.height = c.height;
  st.width = c.width;
  st.sigmainv = c.sigmainv;
  st.boxlen = c.boxlen;
  st.knum = c.knum;
  st.soft_distance = c.soft_distance;
  return st;
}

// L = sum(features * wf) + sum(soft_mask * wm): a random projection of every output.
at::Tensor loss(const test::RasterInputs& in, const RasterizeSettings& st, const at::Tensor& wf, const at::Tensor& wm) {
  const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  return (out.features * wf).sum() + (out.soft_mask * wm).sum();
}

// Central differences of `loss` w.r.t. every entry of `param` (a tensor inside `in`), compared with `analytic`.
void expect_matches_finite_differences(test::RasterInputs& in, at::Tensor& param, const at::Tensor& analytic,
                                       const RasterizeSettings& st, const at::Tensor& wf, const at::Tensor& wm,
                                       const char* name) {
  torch::NoGradGuard no_grad;
  const double eps = 1e-6;
  at::Tensor flat = param.view({-1});
  at::Tensor grad = analytic.reshape({-1});
  int64_t checked_nonzero = 0;
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double saved = flat[i].item<double>();
    flat[i] = saved + eps;
    const double plus = loss(in, st, wf, wm).item<double>();
    flat[i] = saved - eps;
    const double minus = loss(in, st, wf, wm).item<double>();
    flat[i] = saved;
    const double fd = (plus - minus) / (2 * eps);
    const double an = grad[i].item<double>();
    EXPECT_NEAR(an, fd, 1e-6 + 1e-5 * std::abs(fd)) << name << " entry " << i;
    checked_nonzero += std::abs(fd) > 1e-8;
  }
  EXPECT_GT(checked_nonzero, 0) << name << ": every finite difference was zero, the case tests nothing";
}

void check_case(const Case& c) {
  SCOPED_TRACE("seed " + std::to_string(c.seed));
  auto in = test::random_inputs(c.batch, c.faces, c.dim, c.height, c.width, c.boxlen, c.culled, c.seed);
  const auto st = settings_of(c);
  const at::Tensor wf = torch::randn({c.batch, c.height, c.width, c.dim}, torch::kFloat64);
  const at::Tensor wm = torch::randn({c.batch, c.height, c.width}, torch::kFloat64);
  {
    // The case must exercise both the covered (barycentric) and the soft-mask (distance) paths.
    const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
    EXPECT_GT((out.face_index >= 0).sum().item<int64_t>(), 0);
    EXPECT_GT(((out.soft_mask > 1e-6) & (out.soft_mask < 1)).sum().item<int64_t>(), 0);
  }
  in.image.requires_grad_(true);
  in.features.requires_grad_(true);
  const at::Tensor l = loss(in, st, wf, wm);
  const auto grads = torch::autograd::grad({l}, {in.image, in.features});
  in.image = in.image.detach();
  in.features = in.features.detach();
  expect_matches_finite_differences(in, in.image, grads[0], st, wf, wm, "face_vertices_image");
  expect_matches_finite_differences(in, in.features, grads[1], st, wf, wm, "face_features");
}

TEST(RasterizeGrad, MatchesFiniteDifferencesSmallBox) {
  // boxlen 0.3 so that several faces are gathered per pixel but not all of them.
  check_case({2, 4, 3, 10, 12, 50.0, 0.3, 0.25, 30, 1});
}

TEST(RasterizeGrad, MatchesFiniteDifferencesAllFacesInBox) {
  // Every face's grown box covers the image: the soft mask has gradient everywhere.
  check_case({1, 5, 2, 12, 12, 20.0, 3.0, 0.4, 30, 2});
}

TEST(RasterizeGrad, MatchesFiniteDifferencesWithKnumLimit) {
  check_case({1, 6, 1, 8, 8, 30.0, 3.0, 0.0, 2, 3});
}

TEST(RasterizeGrad, MatchesFiniteDifferencesWithTheTriangleDistance) {
  // Our rule before the setting: inside a culled face the distance is 0 (mask 1, no gradient through it).
  check_case({2, 4, 3, 10, 12, 50.0, 0.3, 0.25, 30, 1, SoftMaskDistance::Triangle});
  check_case({1, 5, 2, 12, 12, 20.0, 3.0, 0.4, 30, 2, SoftMaskDistance::Triangle});
}

TEST(RasterizeGrad, NoGradientToDepthOrNormals) {
  auto in = test::random_inputs(1, 4, 3, 8, 8, 0.5, 0.0, 4);
  in.z.requires_grad_(true);
  in.image.requires_grad_(true);
  RasterizeSettings st;
  st.height = st.width = 8;
  st.sigmainv = 50.0;
  st.boxlen = 0.5;
  const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  EXPECT_TRUE(out.features.requires_grad());
  EXPECT_TRUE(out.soft_mask.requires_grad());
  EXPECT_FALSE(out.face_index.requires_grad());
  (out.features.sum() + out.soft_mask.sum()).backward();
  EXPECT_TRUE(!in.z.grad().defined() || in.z.grad().abs().max().item<double>() == 0.0);
  ASSERT_TRUE(in.image.grad().defined());
  EXPECT_GT(in.image.grad().abs().max().item<double>(), 0.0);
}

TEST(RasterizeGrad, VertexOnPixelCentreIsFinite) {
  // Corner 0 sits exactly on the centre of pixel (1,1) of a 4x4 image: (-0.25, 0.25).
  auto in = test::single_image({{-0.25, 0.25, 0.9, 0.1, 0.1, 0.9}, {-0.25, 0.25, -0.9, -0.6, 0.3, -0.8}},
                               {-2.0, -3.0}, {1.0, -1.0});
  in.image.requires_grad_(true);
  in.features.requires_grad_(true);
  RasterizeSettings st;
  st.height = st.width = 4;
  st.sigmainv = 50.0;
  st.boxlen = 0.3;
  const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  EXPECT_EQ(out.face_index[0][1][1].item<int64_t>(), 0);
  EXPECT_TRUE(torch::allclose(out.features[0][1][1], in.features[0][0][0]));
  (out.features.sum() + out.soft_mask.sum()).backward();
  EXPECT_TRUE(torch::isfinite(in.image.grad()).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(in.features.grad()).all().item<bool>());
}

TEST(RasterizeGrad, DegenerateTrianglesGiveFiniteGradients) {
  // A collinear face, a single-point face, and a tiny non-degenerate face, all near pixel centres.
  auto in = test::single_image({{-0.8, -0.8, 0.1, 0.1, 0.8, 0.8},
                                {0.3, -0.4, 0.3, -0.4, 0.3, -0.4},
                                {-0.3, 0.3, -0.3 + 1e-7, 0.3, -0.3, 0.3 + 1e-7}},
                               {-2.0, -2.0, -1.0}, {1.0, 1.0, 1.0});
  for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
    test::RasterInputs t{in.z.to(dtype), in.image.to(dtype).detach().requires_grad_(true),
                         in.features.to(dtype).detach().requires_grad_(true), in.normals.to(dtype)};
    RasterizeSettings st;
    st.height = st.width = 16;
    st.sigmainv = 7000.0;
    st.boxlen = 0.2;
    const auto out = dibr_rasterize(t.z, t.image, t.features, t.normals, st);
    EXPECT_TRUE(torch::isfinite(out.features).all().item<bool>());
    EXPECT_TRUE(torch::isfinite(out.soft_mask).all().item<bool>());
    EXPECT_TRUE((out.face_index != 0).all().item<bool>()) << "a zero-area face covered a pixel";
    EXPECT_TRUE((out.face_index != 1).all().item<bool>()) << "a zero-area face covered a pixel";
    (out.features.sum() + (out.soft_mask * torch::randn_like(out.soft_mask)).sum()).backward();
    EXPECT_TRUE(torch::isfinite(t.image.grad()).all().item<bool>());
    EXPECT_TRUE(torch::isfinite(t.features.grad()).all().item<bool>());
    EXPECT_GT(t.image.grad()[0][0].abs().sum().item<double>(), 0.0) << "the collinear face has soft-mask gradient";
  }
}

TEST(RasterizeGrad, PixelInsideCulledFaceDoesNotPoisonOthers) {
  // Pixel (0,0) lies inside culled face 0 (factor 1 - a = 0) and near face 1: mask 1, all gradients finite,
  // face 1's gradient through this pixel is exactly zero (dA/da_1 contains the factor 1 - a_0 = 0).
  auto in = test::single_image({{-0.5, -0.5, 0.5, -0.5, 0.0, 0.5}, {0.1, -0.3, 0.5, 0.0, 0.1, 0.3}},
                               {-2.0, -3.0}, {-1.0, -1.0});
  in.image.requires_grad_(true);
  RasterizeSettings st;
  st.height = st.width = 1;
  st.sigmainv = 20.0;
  st.boxlen = 0.5;
  st.soft_distance = SoftMaskDistance::Triangle;
  const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  EXPECT_EQ(out.face_index[0][0][0].item<int64_t>(), -1);
  EXPECT_DOUBLE_EQ(out.soft_mask[0][0][0].item<double>(), 1.0);
  out.soft_mask.sum().backward();
  EXPECT_TRUE(torch::isfinite(in.image.grad()).all().item<bool>());
  EXPECT_EQ(in.image.grad().abs().max().item<double>(), 0.0);
}

TEST(RasterizeGrad, PixelInsideCulledFaceHasKaolinsBoundaryGradient) {
  // Kaolin's rule: the same pixel measures its distance to face 0's boundary, so the mask is below 1 and both
  // faces get gradient from it.
  auto in = test::single_image({{-0.5, -0.5, 0.5, -0.5, 0.0, 0.5}, {0.1, -0.3, 0.5, 0.0, 0.1, 0.3}},
                               {-2.0, -3.0}, {-1.0, -1.0});
  in.image.requires_grad_(true);
  RasterizeSettings st;
  st.height = st.width = 1;
  st.sigmainv = 20.0;
  st.boxlen = 0.5;
  st.soft_distance = SoftMaskDistance::Boundary;
  const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  EXPECT_EQ(out.face_index[0][0][0].item<int64_t>(), -1);
  EXPECT_LT(out.soft_mask[0][0][0].item<double>(), 1.0);
  out.soft_mask.sum().backward();
  EXPECT_TRUE(torch::isfinite(in.image.grad()).all().item<bool>());
  EXPECT_GT(in.image.grad()[0][0].abs().sum().item<double>(), 0.0);
  EXPECT_GT(in.image.grad()[0][1].abs().sum().item<double>(), 0.0);
}

TEST(RasterizeGrad, EmptyImageHasZeroGradients) {
  auto in = test::single_image({{2, 2, 3, 2, 2, 3}, {-3, -3, -2, -3, -3, -2}}, {-2.0, -2.0}, {1.0, 1.0});
  in.image.requires_grad_(true);
  in.features.requires_grad_(true);
  RasterizeSettings st;
  st.height = st.width = 8;
  const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  EXPECT_EQ(out.soft_mask.abs().max().item<double>(), 0.0);
  (out.features.sum() + out.soft_mask.sum()).backward();
  EXPECT_EQ(in.image.grad().abs().max().item<double>(), 0.0);
  EXPECT_EQ(in.features.grad().abs().max().item<double>(), 0.0);
}

TEST(RasterizeGrad, OnlySoftMaskOrOnlyFeaturesUsed) {
  // Backward with one of the two gradients undefined (output not used in the loss).
  auto in = test::random_inputs(1, 4, 3, 8, 8, 0.3, 0.0, 9);
  in.image.requires_grad_(true);
  in.features.requires_grad_(true);
  RasterizeSettings st;
  st.height = st.width = 8;
  st.sigmainv = 50.0;
  st.boxlen = 0.3;
  auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  out.soft_mask.sum().backward();
  EXPECT_GT(in.image.grad().abs().max().item<double>(), 0.0);
  EXPECT_TRUE(!in.features.grad().defined() || in.features.grad().abs().max().item<double>() == 0.0);
  in.image.mutable_grad() = at::Tensor();
  out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
  out.features.sum().backward();
  EXPECT_GT(in.features.grad().abs().max().item<double>(), 0.0);
}

}  // namespace
}  // namespace dibr
