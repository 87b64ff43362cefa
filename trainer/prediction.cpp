#include "trainer/prediction.h"

#include <torch/torch.h>

#include <random>
#include <stdexcept>

#include "render/mesh_ops.h"
#include "trainer/obj_io.h"
#include "trainer/ply_io.h"

namespace dibr {

const char* to_string(PredictionKind kind) {
  switch (kind) {
    case PredictionKind::Mesh: return "mesh";
    case PredictionKind::PointCloud: return "point cloud";
    case PredictionKind::ImplicitField: return "implicit field";
  }
  return "unknown";
}

int64_t Prediction::count() const {
  if (kind == PredictionKind::ImplicitField) return latent.defined() ? latent.size(0) : static_cast<int64_t>(meshes.size());
  return vertices.defined() ? vertices.size(0) : 0;
}

TriangleMesh Prediction::mesh(int64_t i) const {
  if (i < 0 || i >= count()) throw std::out_of_range("Prediction::mesh: object " + std::to_string(i) + " of " + std::to_string(count()));
  switch (kind) {
    case PredictionKind::Mesh:
      return {vertices[i].to(torch::kCPU, torch::kFloat32).contiguous(), faces.to(torch::kCPU, torch::kInt64).contiguous()};
    case PredictionKind::ImplicitField:
      if (static_cast<size_t>(i) >= meshes.size())
        throw std::logic_error("Prediction::mesh: the field of object " + std::to_string(i) + " was not meshed (Method::extract_meshes)");
      return {meshes[i].vertices.to(torch::kCPU, torch::kFloat32), meshes[i].faces.to(torch::kCPU, torch::kInt64)};
    case PredictionKind::PointCloud: break;
  }
  throw std::logic_error("Prediction::mesh: a point cloud has no faces");
}

at::Tensor Prediction::colors_of(int64_t i) const {
  if (kind == PredictionKind::ImplicitField)
    return static_cast<size_t>(i) < mesh_colors.size() && mesh_colors[i].defined() ? mesh_colors[i].to(torch::kCPU, torch::kFloat32).contiguous() : at::Tensor();
  if (!colors.defined()) return {};
  return colors[i].to(torch::kCPU, torch::kFloat32).contiguous();
}

Prediction Prediction::to_cpu() const {
  Prediction p = *this;
  if (vertices.defined()) p.vertices = vertices.to(torch::kCPU);
  if (colors.defined()) p.colors = colors.to(torch::kCPU);
  if (faces.defined()) p.faces = faces.to(torch::kCPU);
  if (latent.defined()) p.latent = latent.to(torch::kCPU);
  for (auto& m : p.meshes) m = {m.vertices.to(torch::kCPU), m.faces.to(torch::kCPU)};
  for (auto& c : p.mesh_colors)
    if (c.defined()) c = c.to(torch::kCPU);
  return p;
}

const char* export_extension(PredictionKind kind, const char* mesh_default) {
  return kind == PredictionKind::PointCloud ? ".ply" : mesh_default;
}

void write_prediction(const Prediction& p, int64_t i, const std::string& path, PlyEncoding ply) {
  if (p.kind == PredictionKind::PointCloud) {
    write_ply_points(path, p.vertices[i].to(torch::kCPU, torch::kFloat32).contiguous(), p.colors_of(i), ply);
    return;
  }
  const TriangleMesh m = p.mesh(i);
  write_obj(path, m.vertices, m.faces, p.colors_of(i));
}

at::Tensor sample_prediction_points(const Prediction& p, int64_t i, int64_t count, uint64_t seed) {
  if (p.kind != PredictionKind::PointCloud) {
    const TriangleMesh m = p.mesh(i);
    return sample_surface_points(m.vertices, m.faces, count, seed);
  }
  return subsample_points(p.vertices[i].to(torch::kCPU, torch::kFloat32), count, seed).contiguous();
}

at::Tensor subsample_points(const at::Tensor& points, int64_t count, uint64_t seed) {
  const int64_t n = points.size(0);
  if (count >= n) return points;
  std::vector<int64_t> index(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) index[k] = k;
  std::mt19937_64 rng(seed);
  for (int64_t k = 0; k < count; ++k) std::swap(index[k], index[k + static_cast<int64_t>(rng() % static_cast<uint64_t>(n - k))]);
  index.resize(static_cast<size_t>(count));
  return points.index_select(0, torch::tensor(at::ArrayRef<int64_t>(index), torch::kLong));
}

}  // namespace dibr
