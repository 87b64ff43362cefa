#pragma once
// A prediction's object as a file other tools open: a mesh as OBJ or PLY (chosen by the file's extension; Debian's
// MeshLab reads PLY with colours but not every OBJ), a point cloud as PLY; optional vertex normals; and a provenance
// header (checkpoint, step, method, object, frame, colour space) as OBJ '#' or PLY 'comment' lines.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <string>
#include <vector>

#include "trainer/ply_io.h"
#include "trainer/prediction.h"

namespace dibr {

struct ExportProvenance {
  std::string source;   // the checkpoint file, "live training" or the model a picture was reconstructed with
  int64_t step = -1;    // -1: unknown
  std::string method;
  std::string object;   // "<class>/<id> view 0", or the picture's path
};

struct ExportOptions {
  PlyEncoding ply = PlyEncoding::Binary;
  bool normals = false;  // area-weighted vertex normals (meshes only)
  ExportProvenance provenance;
};

// The provenance as header lines (without '#' or 'comment'): what was exported from what, the coordinate frame and
// the colour space, so a file found later says where it came from.
std::vector<std::string> provenance_lines(const ExportProvenance& provenance);

// `path` with the extension its kind is saved with when it has none: a mesh gets `mesh_default` (".obj" or ".ply"),
// a point cloud ".ply". A path with an extension is returned as it is (export_prediction checks it).
std::string with_export_extension(const std::string& path, PredictionKind kind, const std::string& mesh_default = ".obj");

// Writes object i to path (.obj or .ply for a mesh, .ply for a point cloud). Throws std::invalid_argument for
// another extension (naming the ones that work) and std::runtime_error naming the file when it cannot be written.
void export_prediction(const Prediction& prediction, int64_t i, const std::string& path, const ExportOptions& options);

// (V,3) unit vertex normals: the sum of the adjacent faces' area-weighted normals (zero for a vertex on no face).
at::Tensor vertex_normals(const at::Tensor& vertices, const at::Tensor& faces);

// PLY with an optional face element: vertex x y z [nx ny nz] [red green blue] (uchar), face list uchar int; written
// atomically. faces, normals and colors may be undefined.
void write_ply_mesh(const std::string& path, const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& colors,
                    const at::Tensor& normals, PlyEncoding encoding, const std::vector<std::string>& comments = {});

struct PlyMesh {
  at::Tensor vertices, faces, colors, normals;  // faces (F,3) int64 (empty when none), colors in [0,1]; undefined when absent
  std::vector<std::string> comments;
};
// Reads what write_ply_mesh writes (binary little-endian or ASCII; triangles). Throws std::runtime_error naming the file.
PlyMesh read_ply_mesh(const std::string& path);

}  // namespace dibr
