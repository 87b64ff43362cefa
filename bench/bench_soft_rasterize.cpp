// soft_rasterize (SoftRas) forward and forward+backward, CPU and CUDA, on icosphere-template meshes
// (1280 faces), against the unbinned CPU kernels (every pixel visits every face) in the same run.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench_meshes.h"
#include "render/soft_raster_kernels.h"
#include "render/soft_rasterize.h"

namespace {

struct Inputs {
  at::Tensor image, depth, features, background;
};

Inputs make_inputs(int64_t batch, torch::Device device) {
  const at::Tensor corners = dibr::bench::jittered_icosphere_corners(batch);
  Inputs in;
  in.image = corners.slice(3, 0, 2).contiguous().to(device);
  in.depth = (2.0 - corners.select(3, 2)).contiguous().to(device);
  in.features = torch::rand({batch, corners.size(1), 3, 3}).to(device);
  in.background = torch::zeros({3}).to(device);
  return in;
}

// SoftRas's training setting: sigma 1e-4 and gamma 1e-4 at 64^2 with colours.
dibr::SoftRasterizeSettings settings_for(int size) {
  dibr::SoftRasterizeSettings st;
  st.height = st.width = size;
  return st;
}

void run(benchmark::State& state, torch::Device device, bool backward, bool colour) {
  if (device.is_cuda() && !torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return;
  }
  const int64_t batch = state.range(0);
  const auto st = settings_for(static_cast<int>(state.range(1)));
  Inputs in = make_inputs(batch, device);
  if (backward) {
    in.image.requires_grad_(true);
    in.depth.requires_grad_(true);
    in.features.requires_grad_(true);
  }
  for (auto _ : state) {
    auto out = colour ? dibr::soft_rasterize(in.image, in.depth, in.features, in.background, st)
                      : dibr::soft_rasterize(in.image, in.depth, at::Tensor(), at::Tensor(), st);
    if (backward) (colour ? out.features.sum() + out.alpha.sum() : out.alpha.sum()).backward();
    if (device.is_cuda()) torch::cuda::synchronize();
    benchmark::DoNotOptimize(out.alpha.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * batch);  // images per second
}

// The baseline: the same kernels with every pixel visiting every face.
void run_unbinned(benchmark::State& state, bool backward, bool colour) {
  const int64_t batch = state.range(0);
  const int size = static_cast<int>(state.range(1));
  const auto st = settings_for(size);
  const Inputs in = make_inputs(batch, torch::kCPU);
  dibr::softras::SoftRasSizes s;
  s.batch = batch;
  s.num_faces = in.image.size(1);
  s.feature_dim = colour ? 3 : 0;
  s.height = s.width = size;
  s.sigma = st.sigma;
  s.threshold = dibr::soft_rasterize_threshold(st);
  s.gamma = st.gamma;
  s.near = st.near;
  s.far = st.far;
  s.background_eps = st.background_eps;
  at::Tensor alpha = torch::empty({batch, size, size}), features = torch::empty({batch, size, size, 3});
  at::Tensor softmax_max = torch::empty({batch, size, size}), softmax_sum = torch::empty({batch, size, size});
  at::Tensor grad_alpha = torch::ones({batch, size, size}), grad_features = torch::ones({batch, size, size, 3});
  dibr::softras::SoftRasForwardParams<float> f;
  f.sizes = s;
  f.face_vertices_image = in.image.data_ptr<float>();
  f.face_depth = in.depth.data_ptr<float>();
  f.alpha = alpha.data_ptr<float>();
  if (colour) {
    f.face_features = in.features.data_ptr<float>();
    f.background = in.background.data_ptr<float>();
    f.features = features.data_ptr<float>();
    f.softmax_max = softmax_max.data_ptr<float>();
    f.softmax_sum = softmax_sum.data_ptr<float>();
  }
  for (auto _ : state) {
    dibr::softras::soft_rasterize_forward_cpu_unbinned(f);
    if (backward) {
      at::Tensor gi = torch::zeros_like(in.image), gd = torch::zeros_like(in.depth), gf = torch::zeros_like(in.features);
      dibr::softras::SoftRasBackwardParams<float> b;
      b.sizes = s;
      b.face_vertices_image = f.face_vertices_image;
      b.face_depth = f.face_depth;
      b.face_features = f.face_features;
      b.alpha = f.alpha;
      b.features = f.features;
      b.softmax_max = f.softmax_max;
      b.softmax_sum = f.softmax_sum;
      b.grad_alpha = grad_alpha.data_ptr<float>();
      b.grad_features = colour ? grad_features.data_ptr<float>() : nullptr;
      b.grad_face_vertices_image = gi.data_ptr<float>();
      b.grad_face_depth = gd.data_ptr<float>();
      b.grad_face_features = colour ? gf.data_ptr<float>() : nullptr;
      dibr::softras::soft_rasterize_backward_cpu_unbinned(b);
      benchmark::DoNotOptimize(gi.data_ptr());
    }
    benchmark::DoNotOptimize(f.alpha);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

// With colours (D = 3, the previews) and silhouettes only (what SoftRas trains on).
void BM_SoftRasterizeForwardCpuBruteForce(benchmark::State& s) { run_unbinned(s, false, true); }
void BM_SoftRasterizeForwardBackwardCpuBruteForce(benchmark::State& s) { run_unbinned(s, true, true); }
void BM_SoftRasterizeForwardCpu(benchmark::State& s) { run(s, torch::kCPU, false, true); }
void BM_SoftRasterizeForwardBackwardCpu(benchmark::State& s) { run(s, torch::kCPU, true, true); }
void BM_SoftSilhouetteForwardCpuBruteForce(benchmark::State& s) { run_unbinned(s, false, false); }
void BM_SoftSilhouetteForwardBackwardCpuBruteForce(benchmark::State& s) { run_unbinned(s, true, false); }
void BM_SoftSilhouetteForwardCpu(benchmark::State& s) { run(s, torch::kCPU, false, false); }
void BM_SoftSilhouetteForwardBackwardCpu(benchmark::State& s) { run(s, torch::kCPU, true, false); }
void BM_SoftRasterizeForwardCuda(benchmark::State& s) { run(s, torch::kCUDA, false, true); }
void BM_SoftRasterizeForwardBackwardCuda(benchmark::State& s) { run(s, torch::kCUDA, true, true); }
void BM_SoftSilhouetteForwardBackwardCuda(benchmark::State& s) { run(s, torch::kCUDA, true, false); }

}  // namespace

// Args: {batch, image size}; (64, 64^2) is the comparison point.
BENCHMARK(BM_SoftRasterizeForwardCpuBruteForce)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftRasterizeForwardBackwardCpuBruteForce)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftRasterizeForwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftRasterizeForwardBackwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftSilhouetteForwardCpuBruteForce)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftSilhouetteForwardBackwardCpuBruteForce)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftSilhouetteForwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftSilhouetteForwardBackwardCpu)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftRasterizeForwardCuda)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftRasterizeForwardBackwardCuda)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SoftSilhouetteForwardBackwardCuda)->Args({64, 64})->Unit(benchmark::kMillisecond)->UseRealTime();
