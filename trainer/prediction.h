#pragma once
// What a reconstruction method predicts for a batch of images, and the operations every consumer (export,
// scoring, the studio) needs of it, whatever the method. Three kinds cover the methods of shared/specs:
//   Mesh          a template deformed per image (DIB-R, NMR, SoftRas): shared faces, per-object vertices;
//   PointCloud    N points per image, optionally coloured (DRWR, 2DPM, CAPNet, DIFFER);
//   ImplicitField a field meshed by extraction (DVR): one mesh per object, each with its own topology.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "render/icosphere.h"
#include "trainer/ply_io.h"

namespace dibr {

enum class PredictionKind { Mesh, PointCloud, ImplicitField };
const char* to_string(PredictionKind kind);

struct Prediction {
  PredictionKind kind = PredictionKind::Mesh;
  at::Tensor vertices;  // (B,V,3) mesh vertices or points, in the normalised object frame of the cameras
  at::Tensor colors;    // (B,V,3) in [0,1], or undefined
  at::Tensor faces;     // (F,3) int64, shared by every object (Mesh only)
  at::Tensor latent;     // ImplicitField: (B,C) the code of each object's field
  std::vector<TriangleMesh> meshes;  // ImplicitField: the extracted mesh of each object (Method::extract_meshes)
  std::vector<at::Tensor> mesh_colors;  // ImplicitField: (V,3) in [0,1] per extracted mesh, or empty

  int64_t count() const;
  // Object i on the CPU as a mesh (Mesh, ImplicitField); throws std::logic_error for a point cloud or a field whose
  // meshes were not extracted.
  TriangleMesh mesh(int64_t i) const;
  at::Tensor colors_of(int64_t i) const;  // (V,3) on the CPU, or undefined
  Prediction to_cpu() const;
};

// The file extension a prediction of this kind is exported with: `mesh_default` (".obj" or ".ply") for a mesh, ".ply"
// for points; a mesh gets the `mesh_default` pointer itself back.
const char* export_extension(PredictionKind kind, const char* mesh_default = ".obj");
// Writes object i to `path` (OBJ with vertex colours, or PLY in `ply` encoding). Throws std::runtime_error naming
// the file.
void write_prediction(const Prediction& prediction, int64_t i, const std::string& path,
                      PlyEncoding ply = PlyEncoding::Binary);
// `count` points on object i for scoring: area-weighted surface samples of a mesh, or the points themselves
// (subsampled without replacement, or all of them when there are fewer) for a cloud. (count,3) float32, CPU.
at::Tensor sample_prediction_points(const Prediction& prediction, int64_t i, int64_t count, uint64_t seed);
// `count` rows of points (N,3) drawn without replacement (a seeded partial Fisher-Yates), or all when N <= count.
at::Tensor subsample_points(const at::Tensor& points, int64_t count, uint64_t seed);

}  // namespace dibr
