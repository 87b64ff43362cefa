// DVR's ray marching (no gradient) and secant search on the decoder of dvr-paper (hidden 128, code 256), CPU and
// CUDA: rays per second for 16 and 128 march steps, against the decoder evaluated once per ray in the same run (the
// baseline: a march of n steps + 8 secant steps costs about n + 8 of it).
#include <benchmark/benchmark.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "render/camera.h"
#include "trainer/methods/dvr_marching.h"
#include "trainer/methods/dvr_network.h"

namespace {

struct Setup {
  dibr::DvrDecoder decoder{nullptr};
  dibr::DvrField field;
  dibr::Rays rays;
};

// B objects x P rays of NMR views through random pixels; the decoder gets a sphere-like bias so that most rays cross.
Setup make_setup(int64_t objects, int64_t rays_per_object, torch::Device device) {
  torch::manual_seed(0);
  Setup s;
  s.decoder = dibr::DvrDecoder(256, 128);
  s.decoder->to(device);
  s.field = {s.decoder, s.decoder->code_features(torch::randn({objects, 256}, device)).detach()};
  std::vector<at::Tensor> mats;
  for (int64_t b = 0; b < objects; ++b) mats.push_back(dibr::nmr_world_mat(15.0 * b));
  const at::Tensor pixels = torch::randint(16, 48, {objects, rays_per_object, 2}, torch::kLong);
  s.rays = dibr::pixel_rays(torch::cat(mats).to(device), torch::full({objects}, dibr::focal_from_fovy(30.0)).to(device),
                            pixels.to(device), 64);
  return s;
}

dibr::OccupancyField field_of(const Setup& s) {
  const dibr::DvrField& f = s.field;
  return [&f](const at::Tensor& p, const at::Tensor& o) { return f.logits(p, o) + 5 * (0.3 - p.norm(2, 1)); };
}

bool skip_without(benchmark::State& state, torch::Device device) {
  if (device.is_cuda() && !torch::cuda::is_available()) {
    state.SkipWithError("no CUDA device");
    return true;
  }
  return false;
}

void sync(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize();
}

void BM_DecoderOncePerRay(benchmark::State& state, torch::Device device) {
  if (skip_without(state, device)) return;
  const Setup s = make_setup(state.range(0), state.range(1), device);
  const auto f = field_of(s);
  for (auto _ : state) {
    benchmark::DoNotOptimize(dibr::evaluate_in_chunks(f, s.rays.origins + 2.5 * s.rays.directions, s.rays.object, 3500000));
    sync(device);
  }
  state.SetItemsProcessed(state.iterations() * s.rays.origins.size(0));
}

void BM_MarchAndSecant(benchmark::State& state, torch::Device device) {
  if (skip_without(state, device)) return;
  const Setup s = make_setup(state.range(0), state.range(1), device);
  const auto f = field_of(s);
  dibr::MarchSettings settings;
  settings.steps = static_cast<int>(state.range(2));
  settings.secant_steps = static_cast<int>(state.range(3));
  for (auto _ : state) {
    benchmark::DoNotOptimize(dibr::march_rays(f, s.rays, settings).depth);
    sync(device);
  }
  state.SetItemsProcessed(state.iterations() * s.rays.origins.size(0));
}

void BM_DepthGradient(benchmark::State& state, torch::Device device) {
  if (skip_without(state, device)) return;
  const Setup s = make_setup(state.range(0), state.range(1), device);
  const auto f = field_of(s);
  const dibr::MarchResult m = dibr::march_rays(f, s.rays, dibr::MarchSettings{});
  for (auto _ : state) {
    const at::Tensor d = dibr::differentiable_depth(f, s.rays, m);
    d.sum().backward();
    sync(device);
  }
  state.SetItemsProcessed(state.iterations() * s.rays.origins.size(0));
}

// objects, rays per object (dvr-quick: 8 x 128 on the CPU; dvr-paper: 64 x 1024 on a GPU)
BENCHMARK_CAPTURE(BM_DecoderOncePerRay, cpu, torch::kCPU)->Args({8, 128})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MarchAndSecant, cpu_march16_secant8, torch::kCPU)->Args({8, 128, 16, 8})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MarchAndSecant, cpu_march16_secant0, torch::kCPU)->Args({8, 128, 16, 0})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DepthGradient, cpu, torch::kCPU)->Args({8, 128})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DecoderOncePerRay, cuda, torch::kCUDA)->Args({64, 1024})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MarchAndSecant, cuda_march16_secant8, torch::kCUDA)->Args({64, 1024, 16, 8})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MarchAndSecant, cuda_march128_secant8, torch::kCUDA)->Args({64, 1024, 128, 8})->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DepthGradient, cuda, torch::kCUDA)->Args({64, 1024})->Unit(benchmark::kMillisecond);

}  // namespace
