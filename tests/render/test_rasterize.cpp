// Hand-computed forward cases of dibr_rasterize: barycentrics, coverage, soft mask distances, depth test,
// tie-breaking and culling.
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "render/raster_kernels.h"
#include "render/rasterize.h"
#include "test_rasterize_util.h"

namespace dibr {
namespace {

using test::pixel_x;
using test::pixel_y;
using test::single_image;

RasterizeOutput run(const test::RasterInputs& in, int height, int width, double sigmainv, double boxlen, int knum = 30) {
  RasterizeSettings st;
  st.height = height;
  st.width = width;
  st.sigmainv = sigmainv;
  st.boxlen = boxlen;
  st.knum = knum;
  return dibr_rasterize(in.z, in.image, in.features, in.normals, st);
}

// Lower-left half of the NDC square: corners (-1,-1), (1,-1), (-1,1). For p = (x,y) the barycentrics are
// w1 = (x+1)/2, w2 = (y+1)/2, w0 = -(x+y)/2, so the face covers x + y <= 0 (diagonal included).
TEST(Rasterize, OneTriangleBarycentricsAndFaceIndex) {
  auto in = single_image({{-1, -1, 1, -1, -1, 1}}, {-2.0}, {1.0}, 3);
  in.features = torch::eye(3, torch::kFloat64).reshape({1, 1, 3, 3});  // features = barycentrics
  const int H = 4, W = 4;
  const double sigmainv = 3.0;
  const auto out = run(in, H, W, sigmainv, 0.02);
  ASSERT_EQ(out.features.sizes(), (at::IntArrayRef{1, H, W, 3}));
  ASSERT_EQ(out.soft_mask.sizes(), (at::IntArrayRef{1, H, W}));
  ASSERT_EQ(out.face_index.sizes(), (at::IntArrayRef{1, H, W}));
  ASSERT_EQ(out.face_index.scalar_type(), torch::kLong);
  int covered = 0;
  for (int h = 0; h < H; ++h)
    for (int w = 0; w < W; ++w) {
      const double x = pixel_x(w, W), y = pixel_y(h, H);
      const bool inside = x + y <= 1e-12;
      covered += inside;
      EXPECT_EQ(out.face_index[0][h][w].item<int64_t>(), inside ? 0 : -1) << "pixel " << h << "," << w;
      const double expect_w[3] = {-(x + y) / 2, (x + 1) / 2, (y + 1) / 2};
      for (int i = 0; i < 3; ++i)
        EXPECT_NEAR(out.features[0][h][w][i].item<double>(), inside ? expect_w[i] : 0.0, 1e-12);
      // Outside, the nearest point is on the diagonal x + y = 0.
      const double d2 = (x + y) * (x + y) / 2;
      EXPECT_NEAR(out.soft_mask[0][h][w].item<double>(), inside ? 1.0 : std::exp(-sigmainv * d2), 1e-12)
          << "pixel " << h << "," << w;
    }
  EXPECT_EQ(covered, 10);  // 6 strictly below the diagonal + 4 on it (inclusive edges)
}

TEST(Rasterize, PixelRowZeroIsTheTop) {
  // A triangle in the upper half only covers the first rows.
  auto in = single_image({{-1, 0.1, 1, 0.1, 0, 1}}, {-2.0}, {1.0});
  const auto out = run(in, 4, 4, 7000.0, 0.02);
  EXPECT_GE(out.face_index[0][0][1].item<int64_t>(), 0);
  EXPECT_EQ(out.face_index[0][3][1].item<int64_t>(), -1);
}

TEST(Rasterize, SoftMaskAtKnownDistanceFromACorner) {
  // 1x1 image: the only pixel centre is (0,0); the nearest point of the triangle is its corner (0.1,0.05).
  auto in = single_image({{0.1, 0.05, 0.3, 0.05, 0.1, 0.2}}, {-2.0}, {1.0});
  const double sigmainv = 50.0, d2 = 0.1 * 0.1 + 0.05 * 0.05;
  auto out = run(in, 1, 1, sigmainv, 0.2);
  EXPECT_EQ(out.face_index[0][0][0].item<int64_t>(), -1);
  EXPECT_NEAR(out.soft_mask[0][0][0].item<double>(), std::exp(-sigmainv * d2), 1e-12);
  EXPECT_EQ(out.features.abs().max().item<double>(), 0.0);
  // A box margin too small to reach the pixel: the face does not contribute at all.
  out = run(in, 1, 1, sigmainv, 0.02);
  EXPECT_EQ(out.soft_mask[0][0][0].item<double>(), 0.0);
}

TEST(Rasterize, BoxTestIsInclusiveAndAnEdgeThroughACentreCovers) {
  // Deviation (b) from Kaolin v0.9: the grown box is closed. The triangle's box starts at x = 0.25; with boxlen
  // 0.25 the only pixel centre (0,0) lies exactly on the grown box's edge and still gathers the face.
  auto in = single_image({{0.25, -0.5, 0.75, -0.5, 0.25, 0.5}}, {-2.0}, {1.0});
  auto out = run(in, 1, 1, 10.0, 0.25);
  EXPECT_NEAR(out.soft_mask[0][0][0].item<double>(), std::exp(-10.0 * 0.0625), 1e-12);
  // Deviation (d): the inside test is exact (Kaolin v0.9 allows -1e-7). A centre on an edge is covered...
  in = single_image({{0.0, -0.5, 0.5, -0.5, 0.0, 0.5}}, {-2.0}, {1.0});
  out = run(in, 1, 1, 10.0, 0.25);
  EXPECT_EQ(out.face_index[0][0][0].item<int64_t>(), 0);
  // ...and one just outside it is not.
  in = single_image({{1e-9, -0.5, 0.5, -0.5, 1e-9, 0.5}}, {-2.0}, {1.0});
  out = run(in, 1, 1, 10.0, 0.25);
  EXPECT_EQ(out.face_index[0][0][0].item<int64_t>(), -1);
}

TEST(Rasterize, SoftMaskCombinesFacesAndRespectsKnum) {
  // Pixel (0,0); face 0 at distance 0.1 (edge x = 0.1), face 1 at distance 0.2 (edge y = -0.2).
  auto in = single_image({{0.1, -0.3, 0.5, 0.0, 0.1, 0.3}, {-0.3, -0.2, 0.3, -0.2, 0.0, -0.6}}, {-2.0, -3.0},
                         {1.0, -1.0});
  const double s = 20.0, a0 = std::exp(-s * 0.01), a1 = std::exp(-s * 0.04);
  auto out = run(in, 1, 1, s, 0.5);
  EXPECT_NEAR(out.soft_mask[0][0][0].item<double>(), 1 - (1 - a0) * (1 - a1), 1e-12);
  out = run(in, 1, 1, s, 0.5, /*knum=*/1);  // only the lowest face index counts
  EXPECT_NEAR(out.soft_mask[0][0][0].item<double>(), a0, 1e-12);
}

TEST(Rasterize, DepthTestPicksLargerZ) {
  const std::vector<double> tri = {-1, -1, 3, -1, -1, 3};  // covers the whole image
  for (int nearer : {0, 1}) {
    auto in = single_image({tri, tri}, {nearer == 0 ? -1.0 : -5.0, nearer == 0 ? -5.0 : -1.0}, {1.0, 1.0}, 2);
    const auto out = run(in, 6, 6, 7000.0, 0.02);
    EXPECT_TRUE((out.face_index == nearer).all().item<bool>()) << "nearer face " << nearer;
    const double x = pixel_x(2, 6), y = pixel_y(3, 6);
    const double w1 = (x + 1) / 4, w2 = (y + 1) / 4, w0 = 1 - w1 - w2;
    for (int d = 0; d < 2; ++d) {
      const at::Tensor f = in.features[0][nearer];
      const double expect = w0 * f[0][d].item<double>() + w1 * f[1][d].item<double>() + w2 * f[2][d].item<double>();
      EXPECT_NEAR(out.features[0][3][2][d].item<double>(), expect, 1e-12);
    }
    EXPECT_TRUE((out.soft_mask == 1.0).all().item<bool>());
  }
}

TEST(Rasterize, DepthUsesInterpolatedZ) {
  // Two full-screen faces whose depth planes cross at x = 0: face 0 is nearer on the left, face 1 on the right.
  const std::vector<double> tri = {-1, -1, 3, -1, -1, 3};
  auto in = single_image({tri, tri}, {0.0, 0.0}, {1.0, 1.0});
  in.z[0][0] = torch::tensor({-1.0, -5.0, -1.0}, torch::kFloat64);  // z = -2 - x
  in.z[0][1] = torch::tensor({-3.0, 1.0, -3.0}, torch::kFloat64);   // z = -2 + x
  const auto out = run(in, 4, 4, 7000.0, 0.02);
  for (int h = 0; h < 4; ++h) {
    EXPECT_EQ(out.face_index[0][h][0].item<int64_t>(), 0);
    EXPECT_EQ(out.face_index[0][h][1].item<int64_t>(), 0);
    EXPECT_EQ(out.face_index[0][h][2].item<int64_t>(), 1);
    EXPECT_EQ(out.face_index[0][h][3].item<int64_t>(), 1);
  }
}

TEST(Rasterize, EqualDepthGoesToLowerFaceIndex) {
  const std::vector<double> tri = {-1, -1, 3, -1, -1, 3};
  auto in = single_image({tri, tri, tri}, {-2.0, -2.0, -2.0}, {-1.0, 1.0, 1.0});  // face 0 culled
  const auto out = run(in, 5, 5, 7000.0, 0.02);
  EXPECT_TRUE((out.face_index == 1).all().item<bool>());
}

TEST(Rasterize, CullingBySignOfNormalZ) {
  const std::vector<double> tri = {-1, -1, 3, -1, -1, 3};
  // Nearer face 1 is culled: the farther face 0 shows.
  auto in = single_image({tri, tri}, {-5.0, -1.0}, {1.0, -0.5});
  auto out = run(in, 4, 4, 7000.0, 0.02);
  EXPECT_TRUE((out.face_index == 0).all().item<bool>());
  // A zero normal is not culled (only < 0 is).
  in.normals[0][1] = 0.0;
  out = run(in, 4, 4, 7000.0, 0.02);
  EXPECT_TRUE((out.face_index == 1).all().item<bool>());
}

TEST(Rasterize, AllFacesCulledKeepsSoftMaskFromDistances) {
  auto in = single_image({{-1, -1, 1, -1, -1, 1}}, {-2.0}, {-1.0});
  const int H = 4, W = 4;
  const double sigmainv = 3.0;
  for (const auto mode : {SoftMaskDistance::Triangle, SoftMaskDistance::Boundary}) {
    RasterizeSettings st;
    st.height = H;
    st.width = W;
    st.sigmainv = sigmainv;
    st.boxlen = 0.02;
    st.soft_distance = mode;
    const auto out = dibr_rasterize(in.z, in.image, in.features, in.normals, st);
    EXPECT_TRUE((out.face_index == -1).all().item<bool>());
    EXPECT_EQ(out.features.abs().max().item<double>(), 0.0);
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        const double x = pixel_x(w, W), y = pixel_y(h, H);
        const double hypotenuse = (x + y) * (x + y) / 2;
        double d2 = hypotenuse;  // outside: the distance to the triangle, the same in both modes
        if (x + y <= 0) {
          // Inside the culled face: ours is 0; Kaolin's is the distance to the nearest edge.
          d2 = mode == SoftMaskDistance::Triangle ? 0.0
                                                  : std::min({hypotenuse, (x + 1) * (x + 1), (y + 1) * (y + 1)});
        }
        EXPECT_NEAR(out.soft_mask[0][h][w].item<double>(), std::exp(-sigmainv * d2), 1e-12)
            << (mode == SoftMaskDistance::Triangle ? "triangle" : "boundary") << " pixel " << h << "," << w;
      }
  }
}

TEST(Rasterize, DegenerateTriangleNeverCoversAndStaysFinite) {
  // Collinear corners through a pixel centre: zero area, so no coverage, and distance 0 on the segment.
  auto in = single_image({{-0.75, 0.75, 0.0, 0.0, 0.75, -0.75}}, {-2.0}, {1.0});
  const auto out = run(in, 4, 4, 50.0, 0.02);
  EXPECT_TRUE((out.face_index == -1).all().item<bool>());
  EXPECT_TRUE(torch::isfinite(out.soft_mask).all().item<bool>());
  EXPECT_NEAR(out.soft_mask[0][0][0].item<double>(), 1.0, 1e-12);  // (-0.75,0.75) is a corner
}

TEST(Rasterize, EmptyImageWhenNoFaceIsNear) {
  auto in = single_image({{2, 2, 3, 2, 2, 3}}, {-2.0}, {1.0});
  const auto out = run(in, 8, 8, 7000.0, 0.02);
  EXPECT_TRUE((out.face_index == -1).all().item<bool>());
  EXPECT_EQ(out.features.abs().max().item<double>(), 0.0);
  EXPECT_EQ(out.soft_mask.abs().max().item<double>(), 0.0);
}

TEST(Rasterize, BatchImagesAreIndependentAndFloatMatchesDouble) {
  auto a = test::random_inputs(1, 6, 3, 9, 7, 0.1, 0.3, 11);
  auto b = test::random_inputs(1, 6, 3, 9, 7, 0.1, 0.3, 12);
  test::RasterInputs both{torch::cat({a.z, b.z}), torch::cat({a.image, b.image}),
                          torch::cat({a.features, b.features}), torch::cat({a.normals, b.normals})};
  const auto oa = run(a, 9, 7, 100.0, 0.1), ob = run(b, 9, 7, 100.0, 0.1), o2 = run(both, 9, 7, 100.0, 0.1);
  EXPECT_TRUE(torch::equal(o2.face_index, torch::cat({oa.face_index, ob.face_index})));
  EXPECT_TRUE(torch::allclose(o2.features, torch::cat({oa.features, ob.features})));
  EXPECT_TRUE(torch::allclose(o2.soft_mask, torch::cat({oa.soft_mask, ob.soft_mask})));
  EXPECT_GT((o2.face_index >= 0).sum().item<int64_t>(), 0);

  test::RasterInputs f{both.z.to(torch::kFloat32), both.image.to(torch::kFloat32),
                       both.features.to(torch::kFloat32), both.normals.to(torch::kFloat32)};
  const auto of = run(f, 9, 7, 100.0, 0.1);
  EXPECT_EQ(of.features.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(of.face_index, o2.face_index));
  EXPECT_TRUE(torch::allclose(of.features.to(torch::kFloat64), o2.features, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(of.soft_mask.to(torch::kFloat64), o2.soft_mask, 1e-4, 1e-5));
}

TEST(Rasterize, NonContiguousInputsAreAccepted) {
  auto in = test::random_inputs(2, 5, 3, 8, 8, 0.1, 0.0, 5);
  const auto ref = run(in, 8, 8, 100.0, 0.1);
  test::RasterInputs t{in.z.transpose(1, 2).contiguous().transpose(1, 2), in.image,
                       in.features.permute({0, 1, 3, 2}).contiguous().permute({0, 1, 3, 2}), in.normals};
  ASSERT_FALSE(t.z.is_contiguous());
  const auto out = run(t, 8, 8, 100.0, 0.1);
  EXPECT_TRUE(torch::equal(out.features, ref.features));
  EXPECT_TRUE(torch::equal(out.face_index, ref.face_index));
}

// The CPU forward bins faces into pixel tiles; it must match visiting every face, bit for bit, for small,
// large, off-screen, huge, degenerate and NaN faces.
TEST(Rasterize, TileBinningMatchesVisitingEveryFace) {
  torch::manual_seed(3);
  const int64_t B = 2, F = 60, D = 2;
  const int H = 37, W = 29;  // not multiples of the tile size
  auto image = torch::rand({B, F, 1, 2}, torch::kFloat32) * 3.0 - 1.5 +
               torch::randn({B, F, 3, 2}, torch::kFloat32) * torch::rand({B, F, 1, 1}, torch::kFloat32) * 0.5;
  image[0][0] = torch::full({3, 2}, std::nanf(""));
  image[0][1][0][0] = 1e6f;
  image[1][2] = torch::tensor({{0.1f, 0.1f}, {0.2f, 0.2f}, {0.3f, 0.3f}});  // collinear
  image[1][3] = torch::tensor({{-1.0f, -1.0f}, {3.0f, -1.0f}, {-1.0f, 3.0f}});  // whole screen, far behind
  const auto z = torch::rand({B, F, 3}, torch::kFloat32) - 3.0;
  const auto features = torch::randn({B, F, 3, D}, torch::kFloat32);
  const auto normals = torch::randn({B, F}, torch::kFloat32);
  for (double boxlen : {0.0, 0.02, 0.3}) {
    raster::RasterForwardParams<float> p;
    p.sizes = {B, F, D, H, W, 300.0, boxlen, 7};
    p.face_vertices_z = z.data_ptr<float>();
    p.face_vertices_image = image.data_ptr<float>();
    p.face_features = features.data_ptr<float>();
    p.face_normals_z = normals.data_ptr<float>();
    at::Tensor out[2][3];
    for (int binned = 0; binned < 2; ++binned) {
      out[binned][0] = torch::full({B, H, W, D}, -7.0f);
      out[binned][1] = torch::full({B, H, W}, -7.0f);
      out[binned][2] = torch::full({B, H, W}, int64_t(-7), torch::kLong);
      p.features = out[binned][0].data_ptr<float>();
      p.soft_mask = out[binned][1].data_ptr<float>();
      p.face_index = out[binned][2].data_ptr<int64_t>();
      if (binned)
        raster::rasterize_forward_cpu(p);
      else
        raster::rasterize_forward_cpu_unbinned(p);
    }
    for (int k = 0; k < 3; ++k) EXPECT_TRUE(torch::equal(out[0][k], out[1][k])) << "output " << k << " boxlen " << boxlen;
    EXPECT_GT((out[1][2] >= 0).sum().item<int64_t>(), 100);
    EXPECT_GT(((out[1][1] > 0) & (out[1][1] < 1)).sum().item<int64_t>(), 10);
  }
}

// The tiled CPU backward sums each face's pixels in another order than the unbinned loop (per tile slot, then
// tile by tile), so it agrees to rounding, not bit for bit; and it must give the same bits whatever the thread
// count, for both soft-mask distances and for a knum that cuts the face lists.
void expect_tiled_backward_matches(torch::Dtype dtype, double rtol) {
  torch::manual_seed(5);
  const int64_t B = 3, F = 80, D = 2;
  const int H = 45, W = 38;  // not multiples of the tile size
  auto image = (torch::rand({B, F, 1, 2}) * 2.4 - 1.2 + torch::randn({B, F, 3, 2}) * 0.15).to(dtype);
  image[0][0] = torch::full({3, 2}, std::nan(""), image.options());
  const auto z = (torch::rand({B, F, 3}) - 3.0).to(dtype);
  const auto features = torch::randn({B, F, 3, D}).to(dtype);
  const auto normals = torch::randn({B, F}).to(dtype);
  const auto grad_features = torch::randn({B, H, W, D}).to(dtype), grad_mask = torch::randn({B, H, W}).to(dtype);
  for (bool boundary : {true, false})
    for (int knum : {30, 3}) {
      AT_DISPATCH_FLOATING_TYPES(image.scalar_type(), "test", [&] {
        raster::RasterForwardParams<scalar_t> p;
        p.sizes = {B, F, D, H, W, 150.0, 0.08, knum, boundary};
        p.face_vertices_z = z.data_ptr<scalar_t>();
        p.face_vertices_image = image.data_ptr<scalar_t>();
        p.face_features = features.data_ptr<scalar_t>();
        p.face_normals_z = normals.data_ptr<scalar_t>();
        const auto out_features = torch::empty({B, H, W, D}, image.options());
        const auto soft_mask = torch::empty({B, H, W}, image.options());
        const auto face_index = torch::empty({B, H, W}, torch::kLong);
        p.features = out_features.data_ptr<scalar_t>();
        p.soft_mask = soft_mask.data_ptr<scalar_t>();
        p.face_index = face_index.data_ptr<int64_t>();
        raster::rasterize_forward_cpu(p);
        auto backward = [&](int mode) {  // 0: unbinned, 1: tiled on three threads, 2: tiled on one
          raster::RasterBackwardParams<scalar_t> q;
          q.sizes = p.sizes;
          q.face_vertices_image = p.face_vertices_image;
          q.face_features = p.face_features;
          q.face_index = p.face_index;
          q.grad_features = grad_features.data_ptr<scalar_t>();
          q.grad_soft_mask = grad_mask.data_ptr<scalar_t>();
          std::pair<at::Tensor, at::Tensor> g{torch::zeros_like(image), torch::zeros_like(features)};
          q.grad_face_vertices_image = g.first.data_ptr<scalar_t>();
          q.grad_face_features = g.second.data_ptr<scalar_t>();
          const int threads = at::get_num_threads();
          at::set_num_threads(mode == 2 ? 1 : 3);
          mode == 0 ? raster::rasterize_backward_cpu_unbinned(q) : raster::rasterize_backward_cpu(q);
          at::set_num_threads(threads);
          return g;
        };
        const auto reference = backward(0), tiled = backward(1), one_thread = backward(2);
        const auto where = " (boundary " + std::to_string(boundary) + ", knum " + std::to_string(knum) + ")";
        EXPECT_TRUE(torch::allclose(tiled.first, reference.first, rtol, rtol)) << "corners" << where;
        EXPECT_TRUE(torch::allclose(tiled.second, reference.second, rtol, rtol)) << "features" << where;
        EXPECT_TRUE(torch::equal(tiled.first, one_thread.first)) << "corners depend on the threads" << where;
        EXPECT_TRUE(torch::equal(tiled.second, one_thread.second)) << "features depend on the threads" << where;
        EXPECT_GT(reference.first.abs().sum().item<double>(), 1.0);
        EXPECT_TRUE(torch::isfinite(tiled.first).all().item<bool>());
      });
    }
}

TEST(Rasterize, TiledBackwardMatchesUnbinnedFloat64) { expect_tiled_backward_matches(torch::kFloat64, 1e-10); }
TEST(Rasterize, TiledBackwardMatchesUnbinnedFloat32) { expect_tiled_backward_matches(torch::kFloat32, 1e-4); }

// The backward reuses the bins its forward built; a backward through dibr_rasterize must equal one that rebuilds
// them (the raw entry point without the forward's bins).
TEST(Rasterize, BackwardWithTheForwardsBinsEqualsRebuilt) {
  torch::manual_seed(77);
  test::RasterInputs in;
  in.image = torch::rand({2, 50, 1, 2}, torch::kFloat64) * 2 - 1 + torch::randn({2, 50, 3, 2}, torch::kFloat64) * 0.2;
  in.z = torch::rand({2, 50, 3}, torch::kFloat64) - 3;
  in.features = torch::randn({2, 50, 3, 3}, torch::kFloat64);
  in.normals = torch::randn({2, 50}, torch::kFloat64);
  RasterizeSettings st;
  st.height = 40;
  st.width = 33;
  st.boxlen = 0.05;
  st.sigmainv = 300;
  const auto image = in.image.clone().requires_grad_(true), features = in.features.clone().requires_grad_(true);
  const auto out = dibr_rasterize(in.z, image, features, in.normals, st);
  const auto wf = torch::randn_like(out.features), wm = torch::randn_like(out.soft_mask);
  const auto g = torch::autograd::grad({(out.features * wf).sum() + (out.soft_mask * wm).sum()}, {image, features});
  raster::RasterBackwardParams<double> q;
  q.sizes = {2, 50, 3, 40, 33, st.sigmainv, st.boxlen, st.knum, true};
  const auto img = in.image.contiguous(), feat = in.features.contiguous(), index = out.face_index.contiguous();
  q.face_vertices_image = img.data_ptr<double>();
  q.face_features = feat.data_ptr<double>();
  q.face_index = index.data_ptr<int64_t>();
  const auto gf = wf.contiguous(), gm = wm.contiguous();
  q.grad_features = gf.data_ptr<double>();
  q.grad_soft_mask = gm.data_ptr<double>();
  auto gi = torch::zeros_like(img), gff = torch::zeros_like(feat);
  q.grad_face_vertices_image = gi.data_ptr<double>();
  q.grad_face_features = gff.data_ptr<double>();
  raster::rasterize_backward_cpu(q);
  EXPECT_TRUE(torch::equal(g[0], gi));
  EXPECT_TRUE(torch::equal(g[1], gff));
  EXPECT_GT(gi.abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace dibr
