// The point methods' kernels at their paper settings, CPU and CUDA, each against a dense or brute-force baseline
// in the same run: the Gaussian splat (CAPNet, 1024 points, 64^2) against CAPNet's dense B x N x H x W sum; the
// soft z-buffer (DIFFER) against its dense softmax; the fused repulsion (DRWR, 2000 points) against the B x N x N
// formula; the k-d tree 2D nearest neighbours (2DPM, 8000 points x 5000 samples) against the brute force; the
// distance transform against a brute-force minimum over seed pixels.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "render/distance_transform.h"
#include "render/nearest_2d.h"
#include "render/point_repulsion.h"
#include "render/point_splat.h"
#include "render/point_zbuffer.h"

namespace {

bool skip_without_cuda(benchmark::State& state, const torch::Device& device) {
  if (device.is_cuda() && !torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return true;
  }
  return false;
}

void sync(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

// Points spread over the middle of a 64^2 image, as an object's projection.
at::Tensor image_points(int64_t views, int64_t n, const torch::Device& device) {
  torch::manual_seed(1);
  return (torch::rand({views, n, 2}) * 40 + 12).to(device);
}

void BM_SplatForwardBackward(benchmark::State& state, torch::Device device) {
  if (skip_without_cuda(state, device)) return;
  const at::Tensor pts = image_points(state.range(0), 1024, device).requires_grad_(true);
  dibr::PointSplatSettings st;
  st.sigma_sq = 0.5;
  for (auto _ : state) {
    dibr::point_splat_mask(pts, st).sum().backward();
    sync(device);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));  // views per second
}

void BM_SplatDenseBaseline(benchmark::State& state) {
  const at::Tensor pts = image_points(state.range(0), 1024, torch::kCPU).requires_grad_(true);
  const auto cols = torch::arange(64, torch::kFloat32).view({1, 1, 1, 64}), rows = torch::arange(64, torch::kFloat32).view({1, 1, 64, 1});
  for (auto _ : state) {
    const auto x = pts.select(2, 0).unsqueeze(-1).unsqueeze(-1), y = pts.select(2, 1).unsqueeze(-1).unsqueeze(-1);
    torch::tanh((torch::exp(-(x - cols).pow(2) / 1.0) * torch::exp(-(y - rows).pow(2) / 1.0)).sum(1)).sum().backward();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_ZbufferForwardBackward(benchmark::State& state, torch::Device device) {
  if (skip_without_cuda(state, device)) return;
  const int64_t views = state.range(0);
  const at::Tensor pts = image_points(views, 1024, device);
  const at::Tensor depth = (torch::rand({views, 1024}) + 2.5).to(device).requires_grad_(true);
  const at::Tensor feat = torch::rand({views, 1024, 3}).to(device).requires_grad_(true);
  for (auto _ : state) {
    dibr::point_zbuffer(pts, depth, feat, {}).image.sum().backward();
    sync(device);
  }
  state.SetItemsProcessed(state.iterations() * views);
}

// DIFFER's dense form: every point's logit at every pixel, masked to the well, softmax over points.
void BM_ZbufferDenseBaseline(benchmark::State& state) {
  const int64_t views = state.range(0);
  const at::Tensor pts = image_points(views, 1024, torch::kCPU);
  const at::Tensor depth = (torch::rand({views, 1024}) + 2.5).requires_grad_(true);
  const at::Tensor feat = torch::rand({views, 1024, 3}).requires_grad_(true);
  const auto cols = torch::arange(64, torch::kFloat32).view({1, 1, 1, 64}), rows = torch::arange(64, torch::kFloat32).view({1, 1, 64, 1});
  for (auto _ : state) {
    const auto x = pts.select(2, 0).unsqueeze(-1).unsqueeze(-1), y = pts.select(2, 1).unsqueeze(-1).unsqueeze(-1);
    const auto in = ((x - cols).abs() <= 1) & ((y - rows).abs() <= 1);  // (V,N,64,64)
    const auto logits = torch::where(in, 100.0 / depth.view({views, 1024, 1, 1}), torch::full({}, -1e9));
    const auto p = torch::softmax(logits, 1) * in;
    torch::einsum("vnhw,vnc->vhwc", {p, feat}).sum().backward();
  }
  state.SetItemsProcessed(state.iterations() * views);
}

void BM_RepulsionForwardBackward(benchmark::State& state, torch::Device device) {
  if (skip_without_cuda(state, device)) return;
  const int64_t views = state.range(0), n = 2000;
  torch::manual_seed(2);
  const at::Tensor p = (torch::rand({views, n, 2}) * 31).to(device).requires_grad_(true);
  const at::Tensor w = torch::rand({views, n}).to(device).requires_grad_(true);
  const at::Tensor b = (torch::rand({views, n}) + 3.5).to(device).requires_grad_(true);
  for (auto _ : state) {
    dibr::point_repulsion(p, w, b, 5.0).mean().backward();
    sync(device);
  }
  state.SetItemsProcessed(state.iterations() * views);
}

void BM_RepulsionDenseBaseline(benchmark::State& state) {
  const int64_t views = state.range(0), n = 2000;
  torch::manual_seed(2);
  const at::Tensor p = (torch::rand({views, n, 2}) * 31).requires_grad_(true);
  const at::Tensor w = torch::rand({views, n}).requires_grad_(true);
  const at::Tensor b = (torch::rand({views, n}) + 3.5).requires_grad_(true);
  for (auto _ : state) {
    const auto d = (p.unsqueeze(2) - p.unsqueeze(1)).pow(2).sum(-1);  // (V,N,N)
    (w * (w.unsqueeze(1) * torch::exp(-d / 5.0 + b.unsqueeze(2))).mean(2)).mean().backward();
  }
  state.SetItemsProcessed(state.iterations() * views);
}

void BM_Nearest2d(benchmark::State& state, torch::Device device, dibr::Nearest2dAlgorithm algorithm) {
  if (skip_without_cuda(state, device)) return;
  const int64_t views = state.range(0);
  torch::manual_seed(3);
  const at::Tensor q = (torch::rand({views, 8000, 2}) * 64).to(device), t = (torch::rand({views, 5000, 2}) * 64).to(device);
  for (auto _ : state) {
    // Both directions of 2DPM's chamfer.
    const auto a = dibr::nearest_2d(q, t, algorithm), b = dibr::nearest_2d(t, q, algorithm);
    sync(device);
    benchmark::DoNotOptimize(a.index.data_ptr());
    benchmark::DoNotOptimize(b.index.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * views);
}

void BM_DistanceTransform(benchmark::State& state, torch::Device device) {
  if (skip_without_cuda(state, device)) return;
  torch::manual_seed(4);
  const at::Tensor masks = (torch::rand({state.range(0), 64, 64}) > 0.7).to(torch::kFloat32).to(device);
  for (auto _ : state) {
    const auto d = dibr::squared_distance_transform(masks, 0.5, 1e4);
    sync(device);
    benchmark::DoNotOptimize(d.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Every pixel against every pixel of its image, keeping the seeds: O((HW)^2).
void BM_DistanceTransformBruteForceBaseline(benchmark::State& state) {
  torch::manual_seed(4);
  const at::Tensor masks = (torch::rand({state.range(0), 64, 64}) > 0.7).to(torch::kFloat32);
  const auto ij = torch::stack(torch::meshgrid({torch::arange(64.0), torch::arange(64.0)}, "ij"), -1).view({-1, 2});
  const auto d2 = (ij.unsqueeze(1) - ij.unsqueeze(0)).pow(2).sum(-1);  // (HW,HW)
  for (auto _ : state) {
    const auto seeds = masks.view({-1, 1, 64 * 64}) >= 0.5;
    const auto d = torch::where(seeds, d2.unsqueeze(0), torch::full({}, 1e4)).amin(2);
    benchmark::DoNotOptimize(d.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// 64 objects x 4 views (256) at the paper settings; each baseline, and the kernel beside it, also at a view count
// whose dense arrays fit in a few GB (8 or 16; 4 for the O((HW)^2) distance transform). Ratios are quoted per
// view at the same count.
BENCHMARK_CAPTURE(BM_SplatForwardBackward, cpu, torch::Device(torch::kCPU))->Arg(8)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SplatForwardBackward, cuda, torch::Device(torch::kCUDA))->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SplatDenseBaseline)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ZbufferForwardBackward, cpu, torch::Device(torch::kCPU))->Arg(8)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ZbufferForwardBackward, cuda, torch::Device(torch::kCUDA))->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ZbufferDenseBaseline)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RepulsionForwardBackward, cpu, torch::Device(torch::kCPU))->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RepulsionForwardBackward, cuda, torch::Device(torch::kCUDA))->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RepulsionDenseBaseline)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Nearest2d, cpu_kdtree, torch::Device(torch::kCPU), dibr::Nearest2dAlgorithm::Auto)->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Nearest2d, cpu_brute_force_baseline, torch::Device(torch::kCPU), dibr::Nearest2dAlgorithm::BruteForce)->Arg(16)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Nearest2d, cuda, torch::Device(torch::kCUDA), dibr::Nearest2dAlgorithm::Auto)->Arg(16)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DistanceTransform, cpu, torch::Device(torch::kCPU))->Arg(4)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DistanceTransform, cuda, torch::Device(torch::kCUDA))->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DistanceTransformBruteForceBaseline)->Arg(4)->Unit(benchmark::kMillisecond);

}  // namespace
