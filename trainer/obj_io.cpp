#include "trainer/obj_io.h"

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dibr {

void write_obj(const std::string& path, const at::Tensor& vertices, const at::Tensor& faces, const at::Tensor& colors,
               const at::Tensor& normals, const std::vector<std::string>& comments) {
  TORCH_CHECK(vertices.defined() && vertices.dim() == 2 && vertices.size(1) == 3, "write_obj(", path,
              "): vertices must be (V,3), got ", vertices.defined() ? vertices.sizes() : at::IntArrayRef{});
  TORCH_CHECK(faces.defined() && faces.dim() == 2 && faces.size(1) == 3, "write_obj(", path,
              "): faces must be (F,3), got ", faces.defined() ? faces.sizes() : at::IntArrayRef{});
  const bool has_colors = colors.defined();
  TORCH_CHECK(!has_colors || colors.sizes() == vertices.sizes(), "write_obj(", path, "): colors must be (V,3) like vertices, got ",
              has_colors ? colors.sizes() : at::IntArrayRef{});
  const auto v = vertices.detach().to(at::kCPU, at::kDouble).contiguous();
  const auto f = faces.detach().to(at::kCPU, at::kLong).contiguous();
  const auto c = has_colors ? colors.detach().to(at::kCPU, at::kDouble).contiguous() : at::Tensor();
  const int64_t V = v.size(0);
  TORCH_CHECK(f.numel() == 0 || (f.min().item<int64_t>() >= 0 && f.max().item<int64_t>() < V), "write_obj(", path,
              "): face index out of range [0,", V, ")");

  TORCH_CHECK(!normals.defined() || normals.sizes() == vertices.sizes(), "write_obj(", path, "): normals must be (V,3) like vertices");
  std::ostringstream out;
  for (std::string comment : comments) {
    for (char& ch : comment)
      if (ch == '\n' || ch == '\r') ch = ' ';
    out << "# " << comment << '\n';
  }
  char line[160];
  const double* vp = v.data_ptr<double>();
  const double* cp = has_colors ? c.data_ptr<double>() : nullptr;
  for (int64_t i = 0; i < V; ++i) {
    if (cp)
      std::snprintf(line, sizeof(line), "v %.9g %.9g %.9g %.6g %.6g %.6g\n", vp[3 * i], vp[3 * i + 1], vp[3 * i + 2],
                    cp[3 * i], cp[3 * i + 1], cp[3 * i + 2]);
    else
      std::snprintf(line, sizeof(line), "v %.9g %.9g %.9g\n", vp[3 * i], vp[3 * i + 1], vp[3 * i + 2]);
    out << line;
  }
  if (normals.defined()) {
    const auto n = normals.detach().to(at::kCPU, at::kDouble).contiguous();
    const double* np = n.data_ptr<double>();
    for (int64_t i = 0; i < V; ++i) {
      std::snprintf(line, sizeof(line), "vn %.6g %.6g %.6g\n", np[3 * i], np[3 * i + 1], np[3 * i + 2]);
      out << line;
    }
  }
  const int64_t* fp = f.data_ptr<int64_t>();
  for (int64_t i = 0; i < f.size(0); ++i) {
    if (normals.defined()) {
      const int64_t a = fp[3 * i] + 1, b = fp[3 * i + 1] + 1, c = fp[3 * i + 2] + 1;
      out << "f " << a << "//" << a << ' ' << b << "//" << b << ' ' << c << "//" << c << '\n';
    } else {
      out << "f " << fp[3 * i] + 1 << ' ' << fp[3 * i + 1] + 1 << ' ' << fp[3 * i + 2] + 1 << '\n';
    }
  }

  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::trunc);
    if (!file) throw std::runtime_error("write_obj: cannot create " + tmp);
    file << out.str();
    if (!file) throw std::runtime_error("write_obj: write error on " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("write_obj: cannot rename " + tmp + " to " + path);
  }
}

ObjMesh read_obj(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("read_obj: cannot open " + path);
  std::vector<float> verts, cols;
  std::vector<int64_t> faces;
  bool any_color = false, all_color = true;
  std::string line;
  int64_t line_no = 0;
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("read_obj: " + path + ":" + std::to_string(line_no) + ": " + what);
  };
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream ss(line);
    std::string tag;
    if (!(ss >> tag) || tag[0] == '#') continue;
    if (tag == "v") {
      double x[6];
      int n = 0;
      while (n < 6 && ss >> x[n]) ++n;
      if (n < 3) fail("vertex needs 3 coordinates");
      verts.insert(verts.end(), {float(x[0]), float(x[1]), float(x[2])});
      if (n >= 6) {
        cols.insert(cols.end(), {float(x[3]), float(x[4]), float(x[5])});
        any_color = true;
      } else {
        cols.insert(cols.end(), {0.f, 0.f, 0.f});
        all_color = false;
      }
    } else if (tag == "f") {
      std::vector<int64_t> corner;
      std::string token;
      const int64_t vcount = static_cast<int64_t>(verts.size() / 3);
      while (ss >> token) {
        // "a", "a/b", "a//c", "a/b/c": the vertex index comes first; negative indices count from the end.
        int64_t idx = 0;
        try {
          idx = std::stoll(token.substr(0, token.find('/')));
        } catch (const std::exception&) {
          fail("bad face index '" + token + "'");
        }
        idx = idx > 0 ? idx - 1 : vcount + idx;
        if (idx < 0 || idx >= vcount) fail("face index '" + token + "' out of range");
        corner.push_back(idx);
      }
      if (corner.size() < 3) fail("face needs at least 3 vertices");
      for (size_t k = 1; k + 1 < corner.size(); ++k)  // fan triangulation of quads / polygons
        faces.insert(faces.end(), {corner[0], corner[k], corner[k + 1]});
    }
  }
  ObjMesh mesh;
  const int64_t V = static_cast<int64_t>(verts.size() / 3), F = static_cast<int64_t>(faces.size() / 3);
  mesh.vertices = torch::tensor(at::ArrayRef<float>(verts), torch::kFloat32).view({V, 3});
  mesh.faces = torch::tensor(at::ArrayRef<int64_t>(faces), torch::kLong).view({F, 3});
  if (any_color && all_color) mesh.colors = torch::tensor(at::ArrayRef<float>(cols), torch::kFloat32).view({V, 3});
  return mesh;
}

}  // namespace dibr
