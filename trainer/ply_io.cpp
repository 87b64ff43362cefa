#include "trainer/ply_io.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace dibr {

const char* to_string(PlyEncoding encoding) { return encoding == PlyEncoding::Ascii ? "ascii" : "binary"; }

PlyEncoding ply_encoding_from(const std::string& name) {
  if (name == "binary") return PlyEncoding::Binary;
  if (name == "ascii") return PlyEncoding::Ascii;
  throw std::invalid_argument("PLY encoding must be 'binary' or 'ascii', got '" + name + "'");
}

void write_ply_points(const std::string& path, const at::Tensor& points, const at::Tensor& colors, PlyEncoding encoding) {
  if (!points.defined() || points.dim() != 2 || points.size(1) != 3)
    throw std::runtime_error("write_ply_points(" + path + "): points must be (N,3)");
  const bool has_colors = colors.defined();
  if (has_colors && colors.sizes() != points.sizes())
    throw std::runtime_error("write_ply_points(" + path + "): colors must be (N,3) like the points");
  const at::Tensor p = points.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const at::Tensor c = has_colors ? colors.detach().to(torch::kCPU, torch::kFloat32).clamp(0, 1).contiguous() : at::Tensor();
  const int64_t n = p.size(0);

  std::ostringstream header;
  const bool ascii = encoding == PlyEncoding::Ascii;
  header << "ply\nformat " << (ascii ? "ascii" : "binary_little_endian") << " 1.0\ncomment written by DIB-R Studio\nelement vertex " << n
         << "\nproperty float x\nproperty float y\nproperty float z\n";
  if (has_colors) header << "property uchar red\nproperty uchar green\nproperty uchar blue\n";
  header << "end_header\n";

  std::vector<char> body;
  body.reserve(static_cast<size_t>(n) * (12 + (has_colors ? 3 : 0)));
  const float* pp = p.data_ptr<float>();
  const float* cp = has_colors ? c.data_ptr<float>() : nullptr;
  auto colour_byte = [&](int64_t i, int k) { return static_cast<unsigned>(std::lround(cp[3 * i + k] * 255.f)); };
  for (int64_t i = 0; ascii && i < n; ++i) {
    char line[128];
    int len = std::snprintf(line, sizeof line, "%.9g %.9g %.9g", pp[3 * i], pp[3 * i + 1], pp[3 * i + 2]);
    if (cp) len += std::snprintf(line + len, sizeof line - len, " %u %u %u", colour_byte(i, 0), colour_byte(i, 1), colour_byte(i, 2));
    body.insert(body.end(), line, line + len);
    body.push_back('\n');
  }
  for (int64_t i = 0; !ascii && i < n; ++i) {
    const char* xyz = reinterpret_cast<const char*>(pp + 3 * i);  // x86/ARM hosts are little-endian
    body.insert(body.end(), xyz, xyz + 12);
    if (cp)
      for (int k = 0; k < 3; ++k) body.push_back(static_cast<char>(static_cast<unsigned char>(std::lround(cp[3 * i + k] * 255.f))));
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
    if (!file) throw std::runtime_error("write_ply_points: cannot create " + tmp);
    file << header.str();
    file.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!file) {
      file.close();
      std::remove(tmp.c_str());
      throw std::runtime_error("write_ply_points: write error on " + tmp);
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("write_ply_points: cannot rename " + tmp + " to " + path);
  }
}

namespace {

PlyPoints read_ascii_body(std::istream& in, const std::string& path, int64_t n, bool has_colors) {
  PlyPoints out;
  out.points = torch::empty({n, 3}, torch::kFloat32);
  if (has_colors) out.colors = torch::empty({n, 3}, torch::kFloat32);
  float* p = out.points.data_ptr<float>();
  float* c = has_colors ? out.colors.data_ptr<float>() : nullptr;
  for (int64_t i = 0; i < n; ++i) {
    if (!(in >> p[3 * i] >> p[3 * i + 1] >> p[3 * i + 2]))
      throw std::runtime_error("read_ply_points: " + path + " is truncated or malformed at vertex " + std::to_string(i));
    for (int k = 0; c && k < 3; ++k) {
      unsigned v = 0;
      if (!(in >> v) || v > 255)
        throw std::runtime_error("read_ply_points: " + path + " has a bad colour at vertex " + std::to_string(i));
      c[3 * i + k] = static_cast<float>(v) / 255.f;
    }
  }
  return out;
}

}  // namespace

PlyPoints read_ply_points(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("read_ply_points: cannot open " + path);
  std::string line;
  int64_t n = -1;
  std::vector<std::string> properties;
  bool binary = false, ascii = false;
  while (std::getline(in, line)) {
    if (line == "end_header") break;
    std::istringstream s(line);
    std::string word;
    s >> word;
    if (word == "format") {
      std::string format;
      s >> format;
      binary = format == "binary_little_endian";
      ascii = format == "ascii";
    } else if (word == "element") {
      std::string name;
      s >> name >> n;
    } else if (word == "property") {
      std::string type, name;
      s >> type >> name;
      properties.push_back(type + " " + name);
    }
  }
  const std::vector<std::string> xyz{"float x", "float y", "float z"};
  const std::vector<std::string> rgb{"float x", "float y", "float z", "uchar red", "uchar green", "uchar blue"};
  if ((!binary && !ascii) || n < 0 || (properties != xyz && properties != rgb))
    throw std::runtime_error("read_ply_points: " + path + " is not a binary little-endian or ASCII x,y,z[,red,green,blue] point PLY");
  const bool has_colors = properties == rgb;
  if (ascii) return read_ascii_body(in, path, n, has_colors);
  const size_t stride = 12 + (has_colors ? 3 : 0);
  std::vector<char> body(static_cast<size_t>(n) * stride);
  in.read(body.data(), static_cast<std::streamsize>(body.size()));
  if (in.gcount() != static_cast<std::streamsize>(body.size()))
    throw std::runtime_error("read_ply_points: " + path + " is truncated");
  PlyPoints out;
  out.points = torch::empty({n, 3}, torch::kFloat32);
  if (has_colors) out.colors = torch::empty({n, 3}, torch::kFloat32);
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out.points.data_ptr<float>() + 3 * i, body.data() + i * stride, 12);
    if (has_colors)
      for (int k = 0; k < 3; ++k)
        out.colors.data_ptr<float>()[3 * i + k] = static_cast<unsigned char>(body[i * stride + 12 + k]) / 255.f;
  }
  return out;
}

}  // namespace dibr
