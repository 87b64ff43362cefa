// nmr_rasterize (Kato's NMR silhouettes, anti-aliased: rasterized at 2x) forward and forward+backward, CPU and
// CUDA, on icosphere-template meshes (1280 faces), against the unbinned CPU forward in the same run.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_meshes.h"
#include "render/nmr_raster_kernels.h"
#include "render/nmr_rasterize.h"

namespace {

struct Inputs {
  at::Tensor image, depth;
};

Inputs make_inputs(int64_t batch, torch::Device device) {
  const at::Tensor corners = dibr::bench::jittered_icosphere_corners(batch);
  return {corners.slice(3, 0, 2).contiguous().to(device), (2.0 - corners.select(3, 2)).contiguous().to(device)};
}

void run(benchmark::State& state, torch::Device device, bool backward) {
  if (device.is_cuda() && !torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const int64_t batch = state.range(0);
  dibr::NmrRasterizeSettings st;
  st.height = st.width = static_cast<int>(state.range(1));
  Inputs in = make_inputs(batch, device);
  if (backward) in.image.requires_grad_(true);
  const at::Tensor weight = torch::randn({batch, st.height, st.width}).to(device);
  for (auto _ : state) {
    auto out = dibr::nmr_rasterize(in.image, in.depth, st);
    if (backward) (out.alpha * weight).sum().backward();
    if (device.is_cuda()) torch::cuda::synchronize();
    benchmark::DoNotOptimize(out.alpha.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * batch);  // images per second
}

// The baseline: the same forward with every pixel visiting every face, at the rasterized (2x) size.
void BM_NmrForwardCpuBruteForce(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const int size = 2 * static_cast<int>(state.range(1));
  const Inputs in = make_inputs(batch, torch::kCPU);
  at::Tensor index = torch::empty({batch, size, size}, torch::kInt), alpha = torch::empty({batch, size, size});
  dibr::nmr::NmrForwardParams<float> p;
  p.sizes.batch = batch;
  p.sizes.num_faces = in.image.size(1);
  p.sizes.height = p.sizes.width = size;
  p.face_vertices_image = in.image.data_ptr<float>();
  p.face_depth = in.depth.data_ptr<float>();
  p.face_index = index.data_ptr<int32_t>();
  p.alpha = alpha.data_ptr<float>();
  for (auto _ : state) {
    dibr::nmr::nmr_rasterize_forward_cpu_unbinned(p);
    benchmark::DoNotOptimize(p.alpha);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_NmrForwardCpu(benchmark::State& s) { run(s, torch::kCPU, false); }
void BM_NmrForwardBackwardCpu(benchmark::State& s) { run(s, torch::kCPU, true); }
void BM_NmrForwardCuda(benchmark::State& s) { run(s, torch::kCUDA, false); }
void BM_NmrForwardBackwardCuda(benchmark::State& s) { run(s, torch::kCUDA, true); }

}  // namespace

// Args: {batch, output size}; the rasterization runs at twice the size (anti-aliasing, Kato's default).
BENCHMARK(BM_NmrForwardCpuBruteForce)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NmrForwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NmrForwardBackwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NmrForwardCuda)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_NmrForwardBackwardCuda)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
