// dibr_rasterize rejects malformed inputs with an exception that names the offending argument.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>

#include "render/rasterize.h"
#include "test_rasterize_util.h"

namespace dibr {
namespace {

// Runs f, expects an exception whose message contains `needle`.
void expect_error_mentioning(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning '" << needle << "'";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message '" << e.what() << "' does not mention '" << needle << "'";
  }
}

struct RasterizeErrors : ::testing::Test {
  test::RasterInputs in = test::random_inputs(2, 3, 4, 8, 8, 0.02, 0.0, 21);
  RasterizeSettings st;
  void SetUp() override { st.height = st.width = 8; }
  void call(const test::RasterInputs& x, const RasterizeSettings& s) {
    dibr_rasterize(x.z, x.image, x.features, x.normals, s);
  }
};

TEST_F(RasterizeErrors, WrongRanksAndShapes) {
  auto bad = in;
  bad.image = in.image.reshape({2, 3, 6});
  expect_error_mentioning([&] { call(bad, st); }, "face_vertices_image");
  bad = in;
  bad.image = in.image.narrow(2, 0, 2);  // (B,F,2,2)
  expect_error_mentioning([&] { call(bad, st); }, "face_vertices_image");
  bad = in;
  bad.z = in.z.narrow(1, 0, 2);  // F mismatch
  expect_error_mentioning([&] { call(bad, st); }, "face_vertices_z");
  bad = in;
  bad.features = in.features[0];  // rank 3
  expect_error_mentioning([&] { call(bad, st); }, "face_features");
  bad = in;
  bad.features = in.features.narrow(0, 0, 1);  // B mismatch
  expect_error_mentioning([&] { call(bad, st); }, "face_features");
  bad = in;
  bad.normals = in.normals.unsqueeze(-1);
  expect_error_mentioning([&] { call(bad, st); }, "face_normals_z");
  bad = in;
  bad.z = at::Tensor();
  expect_error_mentioning([&] { call(bad, st); }, "face_vertices_z");
}

TEST_F(RasterizeErrors, Dtypes) {
  auto bad = in;
  bad.features = in.features.to(torch::kInt32);
  expect_error_mentioning([&] { call(bad, st); }, "face_features");
  bad = in;
  bad.normals = in.normals.to(torch::kFloat32);  // mixed float32 / float64
  expect_error_mentioning([&] { call(bad, st); }, "face_normals_z");
  bad = in;
  bad.image = in.image.to(torch::kHalf);
  expect_error_mentioning([&] { call(bad, st); }, "face_vertices_image");
}

TEST_F(RasterizeErrors, Settings) {
  auto s = st;
  s.height = 0;
  expect_error_mentioning([&] { call(in, s); }, "height");
  s = st;
  s.width = -3;
  expect_error_mentioning([&] { call(in, s); }, "width");
  s = st;
  s.knum = 0;
  expect_error_mentioning([&] { call(in, s); }, "knum");
  s = st;
  s.sigmainv = 0.0;
  expect_error_mentioning([&] { call(in, s); }, "sigmainv");
  s = st;
  s.boxlen = -1.0;
  expect_error_mentioning([&] { call(in, s); }, "boxlen");
}

TEST_F(RasterizeErrors, MixedDevices) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  auto bad = in;
  bad.features = in.features.to(torch::kCUDA);
  expect_error_mentioning([&] { call(bad, st); }, "face_features");
}

TEST_F(RasterizeErrors, EmptyBatchAndNoFacesAreValid) {
  auto none = test::RasterInputs{in.z.narrow(1, 0, 0), in.image.narrow(1, 0, 0), in.features.narrow(1, 0, 0),
                                 in.normals.narrow(1, 0, 0)};
  const auto out = dibr_rasterize(none.z, none.image, none.features, none.normals, st);
  EXPECT_TRUE((out.face_index == -1).all().item<bool>());
  EXPECT_EQ(out.soft_mask.abs().max().item<double>(), 0.0);
  auto empty = test::RasterInputs{in.z.narrow(0, 0, 0), in.image.narrow(0, 0, 0), in.features.narrow(0, 0, 0),
                                  in.normals.narrow(0, 0, 0)};
  const auto out0 = dibr_rasterize(empty.z, empty.image, empty.features, empty.normals, st);
  EXPECT_EQ(out0.features.sizes(), (at::IntArrayRef{0, 8, 8, 4}));
}

}  // namespace
}  // namespace dibr
