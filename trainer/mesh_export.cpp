#include "trainer/mesh_export.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "trainer/atomic_file.h"
#include "trainer/obj_io.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

template <typename T>
void append_binary(std::string& out, T value) {  // x86/ARM hosts are little-endian
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

std::vector<std::string> provenance_lines(const ExportProvenance& p) {
  std::vector<std::string> lines{"written by DIB-R Studio"};
  if (!p.source.empty()) lines.push_back("source: " + p.source);
  if (p.step >= 0) lines.push_back("step: " + std::to_string(p.step));
  if (!p.method.empty()) lines.push_back("method: " + p.method);
  if (!p.object.empty()) lines.push_back("object: " + p.object);
  lines.push_back("frame: the dataset's object frame (that of cameras.npz and pointcloud.npz), not rescaled");
  lines.push_back("colour space: sRGB-encoded values in [0,1] as the training images hold them");
  return lines;
}

std::string with_export_extension(const std::string& path, PredictionKind kind, const std::string& mesh_default) {
  if (path.empty() || !fs::path(path).extension().empty()) return path;
  return path + export_extension(kind, mesh_default.c_str());
}

at::Tensor vertex_normals(const at::Tensor& vertices, const at::Tensor& faces) {
  const at::Tensor v = vertices.detach().to(torch::kCPU, torch::kFloat32);
  at::Tensor n = torch::zeros_like(v);
  if (!faces.defined() || faces.numel() == 0) return n;
  const at::Tensor f = faces.to(torch::kCPU, torch::kLong);
  const at::Tensor a = v.index_select(0, f.select(1, 0)), b = v.index_select(0, f.select(1, 1)), c = v.index_select(0, f.select(1, 2));
  const at::Tensor face_normal = torch::cross(b - a, c - a, 1);  // length = 2 x area: area-weighted
  for (int k = 0; k < 3; ++k) n.index_add_(0, f.select(1, k), face_normal);
  const at::Tensor length = n.norm(2, 1, true);
  return torch::where(length > 0, n / length.clamp_min(1e-20), n);
}

void write_ply_mesh(const std::string& path, const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& colors,
                    const at::Tensor& normals, PlyEncoding encoding, const std::vector<std::string>& comments) {
  if (!vertices.defined() || vertices.dim() != 2 || vertices.size(1) != 3)
    throw std::runtime_error("write_ply_mesh(" + path + "): vertices must be (V,3)");
  const int64_t n = vertices.size(0);
  for (const auto* t : {&colors, &normals})
    if (t->defined() && t->sizes() != vertices.sizes())
      throw std::runtime_error("write_ply_mesh(" + path + "): colours and normals must be (V,3) like the vertices");
  const at::Tensor v = vertices.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const at::Tensor nn = normals.defined() ? normals.detach().to(torch::kCPU, torch::kFloat32).contiguous() : at::Tensor();
  const at::Tensor c = colors.defined() ? (colors.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1) * 255).round().to(torch::kUInt8).contiguous()
                                        : at::Tensor();
  const at::Tensor f = faces.defined() ? faces.detach().to(torch::kCPU, torch::kInt32).contiguous() : at::Tensor();
  if (f.defined() && (f.dim() != 2 || f.size(1) != 3)) throw std::runtime_error("write_ply_mesh(" + path + "): faces must be (F,3)");
  if (f.defined() && f.numel() > 0 && (f.min().item<int>() < 0 || f.max().item<int64_t>() >= n))
    throw std::runtime_error("write_ply_mesh(" + path + "): face index out of range");
  const bool ascii = encoding == PlyEncoding::Ascii;

  std::string out = std::string("ply\nformat ") + (ascii ? "ascii" : "binary_little_endian") + " 1.0\n";
  for (const auto& line : comments) {
    std::string clean = line;
    for (char& ch : clean)
      if (ch == '\n' || ch == '\r') ch = ' ';
    out += "comment " + clean + "\n";
  }
  out += "element vertex " + std::to_string(n) + "\nproperty float x\nproperty float y\nproperty float z\n";
  if (nn.defined()) out += "property float nx\nproperty float ny\nproperty float nz\n";
  if (c.defined()) out += "property uchar red\nproperty uchar green\nproperty uchar blue\n";
  if (f.defined()) out += "element face " + std::to_string(f.size(0)) + "\nproperty list uchar int vertex_indices\n";
  out += "end_header\n";
  const float* vp = v.data_ptr<float>();
  const float* np = nn.defined() ? nn.data_ptr<float>() : nullptr;
  const uint8_t* cp = c.defined() ? c.data_ptr<uint8_t>() : nullptr;
  char buf[160];
  for (int64_t i = 0; i < n; ++i) {
    if (ascii) {
      int len = std::snprintf(buf, sizeof buf, "%.9g %.9g %.9g", vp[3 * i], vp[3 * i + 1], vp[3 * i + 2]);
      if (np) len += std::snprintf(buf + len, sizeof buf - len, " %.6g %.6g %.6g", np[3 * i], np[3 * i + 1], np[3 * i + 2]);
      if (cp) len += std::snprintf(buf + len, sizeof buf - len, " %u %u %u", cp[3 * i], cp[3 * i + 1], cp[3 * i + 2]);
      out.append(buf, static_cast<size_t>(len));
      out += '\n';
      continue;
    }
    for (int k = 0; k < 3; ++k) append_binary(out, vp[3 * i + k]);
    for (int k = 0; np && k < 3; ++k) append_binary(out, np[3 * i + k]);
    for (int k = 0; cp && k < 3; ++k) append_binary(out, cp[3 * i + k]);
  }
  const int32_t* fp = f.defined() ? f.data_ptr<int32_t>() : nullptr;
  for (int64_t i = 0; fp && i < f.size(0); ++i) {
    if (ascii) {
      out += "3 " + std::to_string(fp[3 * i]) + " " + std::to_string(fp[3 * i + 1]) + " " + std::to_string(fp[3 * i + 2]) + "\n";
      continue;
    }
    append_binary(out, static_cast<uint8_t>(3));
    for (int k = 0; k < 3; ++k) append_binary(out, fp[3 * i + k]);
  }
  write_file_atomically(path, out);
}

PlyMesh read_ply_mesh(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("read_ply_mesh: cannot open " + path);
  auto fail = [&](const std::string& what) -> void { throw std::runtime_error("read_ply_mesh: " + path + ": " + what); };
  std::string line;
  if (!std::getline(in, line) || line != "ply") fail("not a PLY file");
  bool ascii = false;
  int64_t vertex_count = 0, face_count = 0;
  std::vector<std::pair<std::string, std::string>> vertex_props;  // name, type
  std::string element;
  PlyMesh mesh;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string word;
    ss >> word;
    if (word == "format") {
      std::string f;
      ss >> f;
      if (f == "ascii") ascii = true;
      else if (f != "binary_little_endian") fail("unsupported format " + f);
    } else if (word == "comment") {
      mesh.comments.push_back(line.size() > 8 ? line.substr(8) : std::string());
    } else if (word == "element") {
      int64_t count = 0;
      ss >> element >> count;
      if (element == "vertex") vertex_count = count;
      else if (element == "face") face_count = count;
      else fail("unexpected element " + element);
    } else if (word == "property") {
      std::string type, name;
      ss >> type;
      if (type == "list") {
        std::string count_type, index_type;
        ss >> count_type >> index_type >> name;
        if (element != "face" || (count_type != "uchar" && count_type != "uint8") || (index_type != "int" && index_type != "int32"))
          fail("unsupported list property " + line);
      } else {
        ss >> name;
        if (element != "vertex") fail("unexpected property " + line);
        if (type != "float" && type != "float32" && type != "uchar" && type != "uint8") fail("unsupported property type " + type);
        vertex_props.push_back({name, type});
      }
    } else if (word == "end_header") {
      break;
    }
  }
  // A header's counts are checked against the bytes left before anything is allocated (a damaged or hostile file).
  const std::streamoff body_start = in.tellg();
  in.seekg(0, std::ios::end);
  const double left = static_cast<double>(in.tellg() - body_start);
  in.seekg(body_start);
  const double per_vertex = ascii ? 2.0 * static_cast<double>(vertex_props.size()) : static_cast<double>(vertex_props.size());
  if (vertex_count < 0 || face_count < 0 ||
      static_cast<double>(vertex_count) * per_vertex + static_cast<double>(face_count) * (ascii ? 8.0 : 13.0) > left)
    fail("the header claims " + std::to_string(vertex_count) + " vertices and " + std::to_string(face_count) +
         " faces but the file holds " + std::to_string(static_cast<int64_t>(left)) + " bytes after it");
  auto index_of = [&](const char* name) {
    for (size_t k = 0; k < vertex_props.size(); ++k)
      if (vertex_props[k].first == name) return static_cast<int>(k);
    return -1;
  };
  if (index_of("x") < 0 || index_of("y") < 0 || index_of("z") < 0) fail("vertices without x, y, z");
  std::vector<float> values(static_cast<size_t>(vertex_count) * vertex_props.size());
  for (int64_t i = 0; i < vertex_count; ++i)
    for (size_t k = 0; k < vertex_props.size(); ++k) {
      const bool byte = vertex_props[k].second == "uchar" || vertex_props[k].second == "uint8";
      float value = 0;
      if (ascii) {
        if (!(in >> value)) fail("truncated vertex " + std::to_string(i));
      } else if (byte) {
        uint8_t b = 0;
        if (!in.read(reinterpret_cast<char*>(&b), 1)) fail("truncated vertex " + std::to_string(i));
        value = b;
      } else if (!in.read(reinterpret_cast<char*>(&value), 4)) {
        fail("truncated vertex " + std::to_string(i));
      }
      values[static_cast<size_t>(i) * vertex_props.size() + k] = value;
    }
  const at::Tensor table = torch::tensor(values).view({vertex_count, static_cast<int64_t>(vertex_props.size())});
  auto columns = [&](const char* a, const char* b, const char* c) {
    const int ia = index_of(a), ib = index_of(b), ic = index_of(c);
    if (ia < 0 || ib < 0 || ic < 0) return at::Tensor();
    return table.index_select(1, torch::tensor({ia, ib, ic}, torch::kLong)).contiguous();
  };
  mesh.vertices = columns("x", "y", "z");
  mesh.normals = columns("nx", "ny", "nz");
  mesh.colors = columns("red", "green", "blue");
  if (mesh.colors.defined()) mesh.colors = mesh.colors / 255.f;
  std::vector<int64_t> faces;
  for (int64_t i = 0; i < face_count; ++i) {
    int count = 0;
    int32_t idx[3] = {0, 0, 0};
    if (ascii) {
      if (!(in >> count >> idx[0] >> idx[1] >> idx[2])) fail("truncated face " + std::to_string(i));
    } else {
      uint8_t c = 0;
      if (!in.read(reinterpret_cast<char*>(&c), 1)) fail("truncated face " + std::to_string(i));
      count = c;
      if (count == 3 && !in.read(reinterpret_cast<char*>(idx), 12)) fail("truncated face " + std::to_string(i));
    }
    if (count != 3) fail("face " + std::to_string(i) + " is not a triangle");
    for (int32_t k : idx) {
      if (k < 0 || k >= vertex_count) fail("face index out of range");
      faces.push_back(k);
    }
  }
  mesh.faces = torch::tensor(at::ArrayRef<int64_t>(faces), torch::kLong).view({face_count, 3});
  return mesh;
}

void export_prediction(const Prediction& prediction, int64_t i, const std::string& path, const ExportOptions& options) {
  const std::string ext = lower_extension(path);
  const std::vector<std::string> comments = provenance_lines(options.provenance);
  if (prediction.kind == PredictionKind::PointCloud) {
    if (ext != ".ply")
      throw std::invalid_argument("a point cloud is saved as .ply, not '" + ext + "': " +
                                  (fs::path(path).replace_extension(".ply")).string());
    write_ply_mesh(path, prediction.vertices[i], {}, prediction.colors_of(i), {}, options.ply, comments);
    return;
  }
  if (ext != ".obj" && ext != ".ply")
    throw std::invalid_argument("a mesh is saved as .obj or .ply, not '" + ext + "' (" + path + ")");
  const TriangleMesh mesh = prediction.mesh(i);
  const at::Tensor normals = options.normals ? vertex_normals(mesh.vertices, mesh.faces) : at::Tensor();
  if (ext == ".ply")
    write_ply_mesh(path, mesh.vertices, mesh.faces, prediction.colors_of(i), normals, options.ply, comments);
  else
    write_obj(path, mesh.vertices, mesh.faces, prediction.colors_of(i), normals, comments);
}

}  // namespace dibr
