#include "trainer/methods/dvr_extraction.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <vector>

#include "render/marching_cubes.h"
#include "trainer/methods/dvr_marching.h"

namespace dibr {
namespace {

struct Grid {
  int64_t cells = 0;  // per side
  std::vector<float> value;
  std::vector<uint8_t> evaluated;
  int64_t side() const { return cells + 1; }
  int64_t at(int64_t i, int64_t j, int64_t k) const { return (i * side() + j) * side() + k; }
};

// Evaluates the listed grid points (flat indices) and stores their values.
int64_t evaluate(Grid& g, const std::vector<int64_t>& flat, const ObjectField& field, const ExtractionSettings& s,
                 const c10::Device& device) {
  if (flat.empty()) return 0;
  const int64_t M = static_cast<int64_t>(flat.size()), side = g.side();
  const double box = 1.0 + s.padding;
  std::vector<float> coords(static_cast<size_t>(M) * 3);
  for (int64_t m = 0; m < M; ++m) {
    const int64_t q = flat[m], idx[3] = {q / (side * side), q / side % side, q % side};
    for (int a = 0; a < 3; ++a) coords[m * 3 + a] = static_cast<float>(box * (double(idx[a]) / g.cells - 0.5));
  }
  const at::Tensor points = torch::from_blob(coords.data(), {M, 3}, torch::kFloat32).to(device);
  const OccupancyField one_object = [&field](const at::Tensor& p, const at::Tensor&) { return field(p); };
  const at::Tensor values =
      evaluate_in_chunks(one_object, points, torch::zeros({M}, points.options().dtype(torch::kLong)), s.chunk_points)
          .to(torch::kCPU, torch::kFloat32)
          .contiguous();
  const float* v = values.data_ptr<float>();
  for (int64_t m = 0; m < M; ++m) {
    g.value[flat[m]] = v[m];
    g.evaluated[flat[m]] = 1;
  }
  return M;
}

// The next level: every point's trilinear value from the coarse grid; coarse points keep their evaluated flag.
Grid upsample(const Grid& coarse) {
  Grid fine;
  fine.cells = coarse.cells * 2;
  const int64_t n = fine.side();
  fine.value.assign(static_cast<size_t>(n * n * n), 0.0f);
  fine.evaluated.assign(fine.value.size(), 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t k = 0; k < n; ++k) {
        const int64_t ci[2] = {i / 2, (i + 1) / 2}, cj[2] = {j / 2, (j + 1) / 2}, ck[2] = {k / 2, (k + 1) / 2};
        double sum = 0;
        for (int a = 0; a < 2; ++a)
          for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 2; ++c) sum += coarse.value[coarse.at(ci[a], cj[b], ck[c])];
        const int64_t q = fine.at(i, j, k);
        fine.value[q] = static_cast<float>(sum / 8);
        if (i % 2 == 0 && j % 2 == 0 && k % 2 == 0) fine.evaluated[q] = coarse.evaluated[coarse.at(i / 2, j / 2, k / 2)];
      }
  return fine;
}

bool cell_straddles(const Grid& g, int64_t i, int64_t j, int64_t k) {
  bool any_in = false, any_out = false;
  for (int c = 0; c < 8; ++c) {
    const bool in = g.value[g.at(i + (c & 1), j + (c >> 1 & 1), k + (c >> 2 & 1))] > 0;
    any_in |= in;
    any_out |= !in;
  }
  return any_in && any_out;
}

}  // namespace

MiseGrid mise_grid(const ObjectField& field, const ExtractionSettings& s, const c10::Device& device) {
  TORCH_CHECK(s.resolution >= 1 && s.upsampling >= 0, "mise_grid: resolution ", s.resolution, " and upsampling ",
              s.upsampling, " must be positive");
  Grid g;
  g.cells = s.resolution;
  const int64_t n0 = g.side();
  g.value.assign(static_cast<size_t>(n0 * n0 * n0), 0.0f);
  g.evaluated.assign(g.value.size(), 0);
  std::vector<int64_t> all(g.value.size());
  for (size_t q = 0; q < all.size(); ++q) all[q] = static_cast<int64_t>(q);
  MiseGrid out;
  out.evaluations = evaluate(g, all, field, s, device);
  for (int level = 0; level < s.upsampling; ++level) {
    Grid fine = upsample(g);
    std::vector<int64_t> queue;
    for (int64_t i = 0; i < g.cells; ++i)
      for (int64_t j = 0; j < g.cells; ++j)
        for (int64_t k = 0; k < g.cells; ++k) {
          if (!cell_straddles(g, i, j, k)) continue;
          for (int64_t a = 0; a < 3; ++a)
            for (int64_t b = 0; b < 3; ++b)
              for (int64_t c = 0; c < 3; ++c) {
                const int64_t q = fine.at(2 * i + a, 2 * j + b, 2 * k + c);
                if (fine.evaluated[q]) continue;
                fine.evaluated[q] = 1;  // queued once
                queue.push_back(q);
              }
        }
    out.evaluations += evaluate(fine, queue, field, s, device);
    g = std::move(fine);
  }
  const int64_t n = g.side();
  out.values = torch::from_blob(g.value.data(), {n, n, n}, torch::kFloat32).clone();
  return out;
}

void refine_mesh(TriangleMesh& mesh, const ObjectField& field, const ExtractionSettings& s, const c10::Device& device) {
  const int64_t F = mesh.faces.size(0);
  if (s.refine_steps <= 0 || F == 0) return;
  torch::AutoGradMode enable(true);
  at::Tensor v = mesh.vertices.to(device, torch::kFloat32).clone().requires_grad_(true);
  const at::Tensor faces = mesh.faces.to(device);
  torch::optim::RMSprop optimizer({v}, torch::optim::RMSpropOptions(1e-5));
  auto generator = at::detail::createCPUGenerator(s.seed);
  const int64_t batch = std::min<int64_t>(F, s.refine_batch_faces);
  at::Tensor order;
  int64_t cursor = F;
  for (int step = 0; step < s.refine_steps; ++step) {
    if (cursor + batch > F) {  // a new shuffle, as DVR's DataLoader starts a new epoch
      order = torch::randperm(F, generator, torch::TensorOptions(torch::kLong)).to(device);
      cursor = 0;
    }
    const at::Tensor chosen = faces.index_select(0, order.slice(0, cursor, cursor + batch));
    cursor += batch;
    const at::Tensor corners = v.index_select(0, chosen.reshape({-1})).view({batch, 3, 3});
    const at::Tensor gamma = at::_standard_gamma(torch::full({batch, 3}, 0.5, torch::kFloat32), generator).to(device);
    const at::Tensor weights = gamma / gamma.sum(1, true);
    const at::Tensor point = (corners * weights.unsqueeze(2)).sum(1);
    at::Tensor normal = torch::cross(corners.select(1, 1) - corners.select(1, 0), corners.select(1, 2) - corners.select(1, 1), 1);
    normal = normal / (normal.norm(2, 1, true) + 1e-10);
    const at::Tensor occupancy = torch::sigmoid(field(point));
    at::Tensor target = -torch::autograd::grad({occupancy.sum()}, {point}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    target = target / (target.norm(2, 1, true) + 1e-10);
    const at::Tensor loss = (occupancy - 0.5).pow(2).mean() + 0.01 * (normal - target).pow(2).sum(1).mean();
    // Only the vertices move: the field's weights must not collect gradients between training steps.
    v.mutable_grad() = torch::autograd::grad({loss}, {v})[0];
    optimizer.step();
  }
  mesh.vertices = v.detach().to(torch::kCPU);
}

TriangleMesh extract_mesh(const ObjectField& field, const ExtractionSettings& s, const c10::Device& device) {
  const MiseGrid grid = mise_grid(field, s, device);
  const MarchingCubesMesh mc = marching_cubes(grid.values, 0.0, /*close_at_border=*/true);
  const double cells = double(grid.values.size(0) - 1), box = 1.0 + s.padding;
  TriangleMesh mesh{box * (mc.vertices / cells - 0.5), mc.faces};
  refine_mesh(mesh, field, s, device);
  return mesh;
}

}  // namespace dibr
