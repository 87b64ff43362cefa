// CPU vs CUDA parity of the point-cloud kernels (splat, soft z-buffer, repulsion, nearest neighbours, distance
// transform), values and gradients; skipped without a CUDA device.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "render/distance_transform.h"
#include "render/nearest_2d.h"
#include "render/point_repulsion.h"
#include "render/point_splat.h"
#include "render/point_zbuffer.h"

namespace dibr {
namespace {

#define DIBR_REQUIRE_CUDA() \
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped"

at::Tensor cpu64(const at::Tensor& t) { return t.detach().cpu().to(torch::kFloat64); }

TEST(PointKernelsCuda, SplatParity) {
  DIBR_REQUIRE_CUDA();
  torch::manual_seed(1);
  PointSplatSettings st;
  const auto pts = torch::rand({4, 1000, 2}) * 64;
  const auto w = torch::randn({4, 64, 64});
  std::vector<at::Tensor> out, grad;
  for (const auto device : {torch::kCPU, torch::kCUDA}) {
    const auto p = pts.to(device).requires_grad_(true);
    const auto m = point_splat_mask(p, st);
    grad.push_back(cpu64(torch::autograd::grad({(m * w.to(device)).sum()}, {p})[0]));
    out.push_back(cpu64(m));
  }
  EXPECT_TRUE(torch::allclose(out[0], out[1], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(grad[0], grad[1], 1e-4, 1e-4));
}

TEST(PointKernelsCuda, ZbufferParity) {
  DIBR_REQUIRE_CUDA();
  torch::manual_seed(2);
  PointZbufferSettings st;
  const auto pts = torch::rand({4, 1000, 2}) * 64, depth = torch::rand({4, 1000}) + 2, feat = torch::rand({4, 1000, 3});
  const auto w = torch::randn({4, 64, 64, 3});
  std::vector<at::Tensor> out, gz, gf;
  for (const auto device : {torch::kCPU, torch::kCUDA}) {
    const auto z = depth.to(device).requires_grad_(true), f = feat.to(device).requires_grad_(true);
    const auto img = point_zbuffer(pts.to(device), z, f, st).image;
    const auto g = torch::autograd::grad({(img * w.to(device)).sum()}, {z, f});
    out.push_back(cpu64(img));
    gz.push_back(cpu64(g[0]));
    gf.push_back(cpu64(g[1]));
  }
  EXPECT_TRUE(torch::allclose(out[0], out[1], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(gz[0], gz[1], 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(gf[0], gf[1], 1e-5, 1e-5));
}

TEST(PointKernelsCuda, RepulsionParity) {
  DIBR_REQUIRE_CUDA();
  torch::manual_seed(3);
  const auto pts = torch::rand({4, 2000, 2}) * 32, w = torch::rand({4, 2000}), b = torch::rand({4, 2000}) + 3.5;
  std::vector<at::Tensor> out, gp, gw, gb;
  for (const auto device : {torch::kCPU, torch::kCUDA}) {
    const auto p = pts.to(device).requires_grad_(true), ww = w.to(device).requires_grad_(true),
               bb = b.to(device).requires_grad_(true);
    const auto e = point_repulsion(p, ww, bb, 5.0);
    const auto g = torch::autograd::grad({e.sum()}, {p, ww, bb});
    out.push_back(cpu64(e));
    gp.push_back(cpu64(g[0]));
    gw.push_back(cpu64(g[1]));
    gb.push_back(cpu64(g[2]));
  }
  EXPECT_TRUE(torch::allclose(out[0], out[1], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(gp[0], gp[1], 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(gw[0], gw[1], 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(gb[0], gb[1], 1e-4, 1e-4));
}

TEST(PointKernelsCuda, NearestAndDistanceTransformParity) {
  DIBR_REQUIRE_CUDA();
  torch::manual_seed(4);
  const auto q = torch::rand({4, 2000, 2}) * 64, t = torch::rand({4, 5000, 2}) * 64;
  const Nearest2d cpu = nearest_2d(q, t), gpu = nearest_2d(q.cuda(), t.cuda());
  EXPECT_TRUE(torch::allclose(cpu.distance_sq, gpu.distance_sq.cpu(), 1e-6, 1e-6));
  EXPECT_GT(torch::eq(cpu.index, gpu.index.cpu()).to(torch::kFloat64).mean().item<double>(), 0.999);
  const auto masks = (torch::rand({4, 64, 64}) > 0.97).to(torch::kFloat32);
  EXPECT_TRUE(torch::equal(squared_distance_transform(masks, 0.5, -1.0),
                           squared_distance_transform(masks.cuda(), 0.5, -1.0).cpu()));
}

}  // namespace
}  // namespace dibr
