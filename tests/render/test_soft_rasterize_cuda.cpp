// CPU vs CUDA parity of soft_rasterize (values and gradients); skipped without a CUDA device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/soft_rasterize.h"
#include "test_soft_rasterize_util.h"

namespace dibr {
namespace {

struct Result {
  SoftRasterizeOutput out;
  at::Tensor grad_image, grad_depth, grad_features;
};

Result run(const test::SoftInputs& in, const at::Tensor& bg, const SoftRasterizeSettings& st, const at::Tensor& wa,
           const at::Tensor& wf, torch::Device device, torch::Dtype dtype) {
  const auto image = in.image.to(device, dtype).requires_grad_(true);
  const auto depth = in.depth.to(device, dtype).requires_grad_(true);
  const auto features = in.features.to(device, dtype).requires_grad_(true);
  Result r;
  r.out = soft_rasterize(image, depth, features, bg.to(device, dtype), st);
  const auto l = (r.out.alpha * wa.to(device, dtype)).sum() + (r.out.features * wf.to(device, dtype)).sum();
  const auto g = torch::autograd::grad({l}, {image, depth, features});
  r.grad_image = g[0].cpu().to(torch::kFloat64);
  r.grad_depth = g[1].cpu().to(torch::kFloat64);
  r.grad_features = g[2].cpu().to(torch::kFloat64);
  return r;
}

void expect_parity(torch::Dtype dtype, double rtol, double atol) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
  const int H = 32, W = 24;
  const auto in = test::random_soft_inputs(3, 60, 3, 0.5, 41);
  SoftRasterizeSettings st;
  st.height = H;
  st.width = W;
  st.sigma = 1e-3;
  st.gamma = 1e-2;
  const at::Tensor bg = torch::rand({3}, torch::kFloat64);
  const at::Tensor wa = torch::randn({3, H, W}, torch::kFloat64), wf = torch::randn({3, H, W, 3}, torch::kFloat64);
  const Result cpu = run(in, bg, st, wa, wf, torch::kCPU, dtype);
  const Result gpu = run(in, bg, st, wa, wf, torch::kCUDA, dtype);
  EXPECT_TRUE(torch::allclose(cpu.out.alpha, gpu.out.alpha.cpu(), rtol, atol));
  EXPECT_TRUE(torch::allclose(cpu.out.features, gpu.out.features.cpu(), rtol, atol));
  EXPECT_TRUE(torch::allclose(cpu.grad_image, gpu.grad_image, rtol, atol * 10));
  EXPECT_TRUE(torch::allclose(cpu.grad_depth, gpu.grad_depth, rtol, atol * 10));
  EXPECT_TRUE(torch::allclose(cpu.grad_features, gpu.grad_features, rtol, atol));
  EXPECT_GT(cpu.grad_image.abs().max().item<double>(), 0.0);
}

TEST(SoftRasterizeCuda, ParityFloat64) { expect_parity(torch::kFloat64, 1e-9, 1e-9); }
TEST(SoftRasterizeCuda, ParityFloat32) { expect_parity(torch::kFloat32, 1e-3, 1e-4); }

}  // namespace
}  // namespace dibr
