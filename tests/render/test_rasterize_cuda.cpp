// CPU vs CUDA parity of dibr_rasterize (values and gradients); skipped without a CUDA device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/rasterize.h"
#include "test_rasterize_util.h"

namespace dibr {
namespace {

struct Result {
  RasterizeOutput out;
  at::Tensor grad_image, grad_features;
};

Result run(const test::RasterInputs& in, const RasterizeSettings& st, const at::Tensor& wf, const at::Tensor& wm,
           torch::Device device, torch::Dtype dtype) {
  const auto image = in.image.to(device, dtype).requires_grad_(true);
  const auto features = in.features.to(device, dtype).requires_grad_(true);
  Result r;
  r.out = dibr_rasterize(in.z.to(device, dtype), image, features, in.normals.to(device, dtype), st);
  const auto l = (r.out.features * wf.to(device, dtype)).sum() + (r.out.soft_mask * wm.to(device, dtype)).sum();
  const auto g = torch::autograd::grad({l}, {image, features});
  r.grad_image = g[0].cpu().to(torch::kFloat64);
  r.grad_features = g[1].cpu().to(torch::kFloat64);
  return r;
}

void expect_parity(torch::Dtype dtype, double rtol, double atol) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  const int H = 32, W = 24;
  auto in = test::random_inputs(3, 40, 3, H, W, 0.1, 0.3, 31);
  RasterizeSettings st;
  st.height = H;
  st.width = W;
  st.sigmainv = 200.0;
  st.boxlen = 0.1;
  st.knum = 8;
  const auto wf = torch::randn({3, H, W, 3}, torch::kFloat64);
  const auto wm = torch::randn({3, H, W}, torch::kFloat64);
  const Result cpu = run(in, st, wf, wm, torch::kCPU, dtype);
  const Result gpu = run(in, st, wf, wm, torch::kCUDA, dtype);
  EXPECT_TRUE(torch::equal(cpu.out.face_index, gpu.out.face_index.cpu()));
  EXPECT_TRUE(torch::allclose(cpu.out.features, gpu.out.features.cpu(), rtol, atol));
  EXPECT_TRUE(torch::allclose(cpu.out.soft_mask, gpu.out.soft_mask.cpu(), rtol, atol));
  EXPECT_TRUE(torch::allclose(cpu.grad_image, gpu.grad_image, rtol, atol * 10));
  EXPECT_TRUE(torch::allclose(cpu.grad_features, gpu.grad_features, rtol, atol));
  EXPECT_GT(cpu.grad_image.abs().max().item<double>(), 0.0);
}

TEST(RasterizeCuda, ParityFloat64) { expect_parity(torch::kFloat64, 1e-9, 1e-9); }
// --use_fast_math makes expf approximate on the GPU.
TEST(RasterizeCuda, ParityFloat32) { expect_parity(torch::kFloat32, 1e-3, 1e-4); }

TEST(RasterizeCuda, ForwardIsRepeatable) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  // The forward has no atomics: two runs agree bit for bit.
  auto in = test::random_inputs(2, 20, 3, 16, 16, 0.1, 0.0, 32);
  RasterizeSettings st;
  st.height = st.width = 16;
  const auto a = dibr_rasterize(in.z.cuda(), in.image.cuda(), in.features.cuda(), in.normals.cuda(), st);
  const auto b = dibr_rasterize(in.z.cuda(), in.image.cuda(), in.features.cuda(), in.normals.cuda(), st);
  EXPECT_TRUE(torch::equal(a.features.cpu(), b.features.cpu()));
  EXPECT_TRUE(torch::equal(a.face_index.cpu(), b.face_index.cpu()));
}

// More faces than one shared-memory chunk (256) and several tiles, a cut last tile row and column, and both
// backward modes; the deterministic one must also repeat bit for bit.
void expect_tiled_parity(bool deterministic) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  torch::manual_seed(41);
  const int64_t B = 2, F = 700;
  const int H = 45, W = 38;
  test::RasterInputs in;
  in.image = torch::rand({B, F, 1, 2}, torch::kFloat64) * 2.2 - 1.1 + torch::randn({B, F, 3, 2}, torch::kFloat64) * 0.08;
  in.z = torch::rand({B, F, 3}, torch::kFloat64) - 3;
  in.features = torch::randn({B, F, 3, 3}, torch::kFloat64);
  in.normals = torch::randn({B, F}, torch::kFloat64);
  RasterizeSettings st;
  st.height = H;
  st.width = W;
  st.sigmainv = 300.0;
  st.boxlen = 0.05;
  st.knum = 12;
  st.deterministic_backward = deterministic;
  const auto wf = torch::randn({B, H, W, 3}, torch::kFloat64);
  const auto wm = torch::randn({B, H, W}, torch::kFloat64);
  const Result cpu = run(in, st, wf, wm, torch::kCPU, torch::kFloat64);
  const Result gpu = run(in, st, wf, wm, torch::kCUDA, torch::kFloat64);
  EXPECT_TRUE(torch::equal(cpu.out.face_index, gpu.out.face_index.cpu()));
  EXPECT_TRUE(torch::allclose(cpu.out.soft_mask, gpu.out.soft_mask.cpu(), 1e-9, 1e-9));
  EXPECT_TRUE(torch::allclose(cpu.grad_image, gpu.grad_image, 1e-8, 1e-8));
  EXPECT_TRUE(torch::allclose(cpu.grad_features, gpu.grad_features, 1e-9, 1e-9));
  if (deterministic) {
    const Result again = run(in, st, wf, wm, torch::kCUDA, torch::kFloat64);
    EXPECT_TRUE(torch::equal(gpu.grad_image, again.grad_image));
    EXPECT_TRUE(torch::equal(gpu.grad_features, again.grad_features));
  }
}

TEST(RasterizeCuda, TiledParityManyFaces) { expect_tiled_parity(false); }
TEST(RasterizeCuda, DeterministicBackwardParityAndRepeatable) { expect_tiled_parity(true); }

}  // namespace
}  // namespace dibr
