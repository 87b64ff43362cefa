#include "trainer/voxel_iou.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "trainer/dataset.h"
#include "trainer/npz.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

// Samples on the triangle no farther apart than this (voxel units), so every voxel it crosses gets one.
constexpr double kSampleSpacing = 0.25;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

at::Tensor voxelize_kato(const at::Tensor& vertices, const at::Tensor& faces, int size) {
  TORCH_CHECK(vertices.dim() == 2 && vertices.size(1) == 3, "voxelize_kato: vertices must be (V,3), got ",
              vertices.sizes());
  TORCH_CHECK(faces.dim() == 2 && faces.size(1) == 3, "voxelize_kato: faces must be (F,3), got ", faces.sizes());
  TORCH_CHECK(size >= 2, "voxelize_kato: size must be >= 2");
  const at::Tensor v = (vertices.to(torch::kCPU, torch::kFloat64) * (size - 1) + size / 2.0).contiguous();
  const at::Tensor f = faces.to(torch::kCPU, torch::kLong).contiguous();
  TORCH_CHECK(f.numel() == 0 || (f.min().item<int64_t>() >= 0 && f.max().item<int64_t>() < v.size(0)),
              "voxelize_kato: a face refers to a vertex that does not exist");
  auto pos = v.accessor<double, 2>();
  auto tri = f.accessor<int64_t, 2>();
  const int64_t S = size;
  std::vector<uint8_t> solid(S * S * S, 0);  // indexed (X,Y,Z) by vertex axes
  auto mark = [&](double x, double y, double z) {
    const double fx = std::floor(x), fy = std::floor(y), fz = std::floor(z);
    if (fx < 0 || fy < 0 || fz < 0 || fx >= S || fy >= S || fz >= S) return;
    solid[(int64_t(fx) * S + int64_t(fy)) * S + int64_t(fz)] = 1;
  };
  for (int64_t i = 0; i < f.size(0); ++i) {
    double p[3][3];
    for (int k = 0; k < 3; ++k)
      for (int d = 0; d < 3; ++d) p[k][d] = pos[tri[i][k]][d];
    double longest = 0;
    for (int k = 0; k < 3; ++k) {
      const int n = (k + 1) % 3;
      longest = std::max(longest, std::hypot(p[n][0] - p[k][0], p[n][1] - p[k][1], p[n][2] - p[k][2]));
    }
    if (!std::isfinite(longest)) continue;
    const int steps = std::min(4096, static_cast<int>(std::ceil(longest / kSampleSpacing)) + 1);
    for (int a = 0; a <= steps; ++a)
      for (int b = 0; a + b <= steps; ++b) {
        const double u = double(a) / steps, w = double(b) / steps, t = 1 - u - w;
        mark(t * p[0][0] + u * p[1][0] + w * p[2][0], t * p[0][1] + u * p[1][1] + w * p[2][1],
             t * p[0][2] + u * p[1][2] + w * p[2][2]);
      }
  }
  // Outside = empty voxels reachable from the border (6-connected); everything else is solid.
  std::vector<uint8_t> outside(solid.size(), 0);
  std::deque<int64_t> queue;
  auto visit = [&](int64_t x, int64_t y, int64_t z) {
    if (x < 0 || y < 0 || z < 0 || x >= S || y >= S || z >= S) return;
    const int64_t i = (x * S + y) * S + z;
    if (solid[i] || outside[i]) return;
    outside[i] = 1;
    queue.push_back(i);
  };
  for (int64_t a = 0; a < S; ++a)
    for (int64_t b = 0; b < S; ++b) {
      visit(0, a, b), visit(S - 1, a, b), visit(a, 0, b), visit(a, S - 1, b), visit(a, b, 0), visit(a, b, S - 1);
    }
  while (!queue.empty()) {
    const int64_t i = queue.front();
    queue.pop_front();
    const int64_t x = i / (S * S), y = (i / S) % S, z = i % S;
    visit(x - 1, y, z), visit(x + 1, y, z), visit(x, y - 1, z), visit(x, y + 1, z), visit(x, y, z - 1), visit(x, y, z + 1);
  }
  at::Tensor grid = torch::empty({S, S, S}, torch::kBool);
  bool* out = grid.data_ptr<bool>();
  for (size_t i = 0; i < solid.size(); ++i) out[i] = !outside[i];
  // Kato: vox.transpose((0,2,1,3))[:, :, :, ::-1] -> GT[a, c, e] = vox[X=c, Y=a, Z=S-1-e].
  return grid.transpose(0, 1).flip({2}).contiguous();
}

double voxel_iou(const at::Tensor& a, const at::Tensor& b) {
  TORCH_CHECK(a.sizes() == b.sizes(), "voxel_iou: grids of different shapes ", a.sizes(), " and ", b.sizes());
  const at::Tensor x = a.to(torch::kBool), y = b.to(torch::kBool);
  const double uni = (x | y).sum().item<double>();
  return uni == 0 ? 1.0 : (x & y).sum().item<double>() / uni;
}

at::Tensor read_kato_voxels(const std::string& dir, const std::string& class_id, const std::string& split) {
  const std::string name = class_id + "_" + split + "_voxels.npz";
  fs::path path = fs::path(dir) / name;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) path = fs::path(dir) / class_id / name;
  if (!fs::is_regular_file(path, ec))
    throw std::runtime_error("voxels: " + (fs::path(dir) / name).string() + " not found (nor " + path.string() + ")");
  const auto arrays = read_npz(path.string());
  if (arrays.empty()) throw std::runtime_error("voxels: " + path.string() + " holds no array");
  const at::Tensor grids = arrays.count("arr_0") ? arrays.at("arr_0") : arrays.begin()->second;
  if (grids.dim() != 4 || grids.size(1) != kKatoVoxelSize || grids.size(2) != kKatoVoxelSize ||
      grids.size(3) != kKatoVoxelSize)
    throw std::runtime_error("voxels: " + path.string() + " must hold an (N,32,32,32) array");
  return grids.to(torch::kBool);
}

void write_kato_voxels(const std::string& path, const at::Tensor& grids) {
  write_npz(path, {{"arr_0", grids.to(torch::kBool).contiguous()}});
}

std::map<std::string, int64_t> split_list_rows(const std::string& root, const std::string& class_id,
                                               const std::string& split) {
  const fs::path list_file = split_list_path((fs::path(root) / class_id).string(), split);
  std::ifstream list(list_file);
  if (!list) throw std::runtime_error("voxels: cannot read " + list_file.string());
  std::map<std::string, int64_t> rows;
  std::string line;
  int64_t row = 0;
  bool first = true;
  while (std::getline(list, line)) {
    if (std::exchange(first, false) && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
    const std::string id = trim(line);
    if (id.empty()) continue;
    rows.emplace(id, row++);
  }
  return rows;
}

}  // namespace dibr
