// dibr_rasterize forward and forward+backward, CPU and CUDA, on icosphere-template meshes (1280 faces).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_meshes.h"
#include "render/mesh_ops.h"
#include "render/raster_kernels.h"
#include "render/rasterize.h"

namespace {

struct Inputs {
  at::Tensor z, image, features, normals;
};

// B jittered icospheres, orthographically projected in front of the camera (half the faces are culled).
Inputs make_inputs(int64_t batch, torch::Device device) {
  Inputs in;
  const at::Tensor corners = dibr::bench::jittered_icosphere_corners(batch);  // (B,F,3,3)
  in.image = corners.slice(3, 0, 2).contiguous().to(device);
  in.z = (corners.select(3, 2) - 2.0).contiguous().to(device);
  in.normals = dibr::screen_normals_z(in.image.cpu()).to(device);
  in.features = torch::rand({batch, corners.size(1), 3, 3}).to(device);
  return in;
}

void sync(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

void run(benchmark::State& state, torch::Device device, bool backward) {
  if (device.is_cuda() && !torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const int64_t batch = state.range(0);
  dibr::RasterizeSettings st;
  st.height = st.width = static_cast<int>(state.range(1));
  Inputs in = make_inputs(batch, device);
  if (backward) {
    in.image.requires_grad_(true);
    in.features.requires_grad_(true);
  }
  for (auto _ : state) {
    auto out = dibr::dibr_rasterize(in.z, in.image, in.features, in.normals, st);
    if (backward) (out.features.sum() + out.soft_mask.sum()).backward();
    sync(device);
    benchmark::DoNotOptimize(out.soft_mask.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * batch);  // images per second
}

// Baselines for the ratios in BENCHMARKS.md: the same CPU forward (and backward) without tile binning, every
// pixel visiting every face as the reference kernels do, on the same inputs, called directly (no autograd, so
// the ratio against the tiled path through dibr_rasterize is conservative). The backward gets the gradient of
// features.sum() + soft_mask.sum(), as run() does.
void brute_force(benchmark::State& state, bool backward, torch::Device device = torch::kCPU) {
#ifndef DIBR_WITH_CUDA
  if (device.is_cuda()) {
    state.SkipWithError("no CUDA kernels in this build");
    return;
  }
#endif
  if (device.is_cuda() && !torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const int64_t batch = state.range(0);
  const int size = static_cast<int>(state.range(1));
  const Inputs in = make_inputs(batch, device);
  const int64_t faces = in.image.size(1);
  const auto opts = in.image.options();
  at::Tensor features = torch::empty({batch, size, size, 3}, opts);
  at::Tensor soft_mask = torch::empty({batch, size, size}, opts);
  at::Tensor face_index = torch::empty({batch, size, size}, opts.dtype(torch::kLong));
  dibr::raster::RasterForwardParams<float> p;
  p.sizes.batch = batch;
  p.sizes.num_faces = faces;
  p.sizes.feature_dim = 3;
  p.sizes.height = p.sizes.width = size;
  const dibr::RasterizeSettings defaults;
  p.sizes.sigmainv = defaults.sigmainv;
  p.sizes.boxlen = defaults.boxlen;
  p.sizes.knum = defaults.knum;
  p.face_vertices_z = in.z.data_ptr<float>();
  p.face_vertices_image = in.image.data_ptr<float>();
  p.face_features = in.features.data_ptr<float>();
  p.face_normals_z = in.normals.data_ptr<float>();
  p.features = features.data_ptr<float>();
  p.soft_mask = soft_mask.data_ptr<float>();
  p.face_index = face_index.data_ptr<int64_t>();
  const at::Tensor grad_features = torch::ones_like(features), grad_mask = torch::ones_like(soft_mask);
  dibr::raster::RasterBackwardParams<float> q;
  q.sizes = p.sizes;
  q.face_vertices_image = p.face_vertices_image;
  q.face_features = p.face_features;
  q.face_index = p.face_index;
  q.grad_features = grad_features.data_ptr<float>();
  q.grad_soft_mask = grad_mask.data_ptr<float>();
  for (auto _ : state) {
    at::Tensor grad_image, grad_face_features;
    if (backward) {
      grad_image = torch::zeros_like(in.image);
      grad_face_features = torch::zeros_like(in.features);
      q.grad_face_vertices_image = grad_image.data_ptr<float>();
      q.grad_face_features = grad_face_features.data_ptr<float>();
    }
    if (device.is_cuda()) {
#ifdef DIBR_WITH_CUDA
      dibr::raster::rasterize_forward_cuda_unbinned(p, nullptr);  // the legacy default stream, then synchronise
      if (backward) dibr::raster::rasterize_backward_cuda_unbinned(q, nullptr);
      torch::cuda::synchronize();
#endif
    } else {
      dibr::raster::rasterize_forward_cpu_unbinned(p);
      if (backward) dibr::raster::rasterize_backward_cpu_unbinned(q);
    }
    benchmark::DoNotOptimize(q.grad_face_vertices_image);
    benchmark::DoNotOptimize(p.soft_mask);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_RasterizeForwardCpuBruteForce(benchmark::State& s) { brute_force(s, false); }
void BM_RasterizeForwardBackwardCpuBruteForce(benchmark::State& s) { brute_force(s, true); }
void BM_RasterizeForwardBackwardCudaBruteForce(benchmark::State& s) { brute_force(s, true, torch::kCUDA); }
void BM_RasterizeForwardCpu(benchmark::State& s) { run(s, torch::kCPU, false); }
void BM_RasterizeForwardBackwardCpu(benchmark::State& s) { run(s, torch::kCPU, true); }
void BM_RasterizeForwardCuda(benchmark::State& s) { run(s, torch::kCUDA, false); }
void BM_RasterizeForwardBackwardCuda(benchmark::State& s) { run(s, torch::kCUDA, true); }

// Args: {batch, image size}. 64x64 is the NMR resolution; 128 x 224^2 the training setting, slow on a CPU.
BENCHMARK(BM_RasterizeForwardCpuBruteForce)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardBackwardCpuBruteForce)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardBackwardCpuBruteForce)->Args({128, 224})->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardBackwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardCpu)->Args({128, 224})->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardBackwardCpu)->Args({128, 224})->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardBackwardCudaBruteForce)->Args({64, 64})->Args({128, 224})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardCuda)->Args({64, 64})->Args({128, 224})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RasterizeForwardBackwardCuda)->Args({64, 64})->Args({128, 224})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
