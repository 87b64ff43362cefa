#include "trainer/sample_maker.h"

#include <torch/torch.h>

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <regex>
#include <vector>

#include "render/camera.h"
#include "render/mesh_ops.h"
#include "render/render_mesh.h"
#include "trainer/dataset.h"
#include "trainer/exr_io.h"
#include "trainer/image_io.h"
#include "trainer/npz.h"
#include "trainer/sample_shapes.h"
#include "trainer/visual_hull.h"
#include "trainer/voxel_iou.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

constexpr const char* kMarker = ".dibr_sample_complete";
constexpr const char* kClassPrefix = "sample_";

std::string marker_text(const SampleOptions& o) {
  std::ostringstream s;
  s << "dibr sample dataset v4 visual_hull=" << (exr_supported() ? 1 : 0) << " seed=" << o.seed << " objects_per_class=" << o.objects_per_class
    << " image_size=" << o.image_size << " supersample=" << o.supersample << " points=" << o.points_per_object << "\n";
  return s.str();
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t z = a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// (V,3) area-weighted vertex normals.
at::Tensor vertex_normals(const at::Tensor& vertices, const at::Tensor& faces) {
  const auto corners = vertices.index_select(0, faces.reshape({-1})).view({-1, 3, 3});
  const auto n = at::cross(corners.select(1, 1) - corners.select(1, 0), corners.select(1, 2) - corners.select(1, 0), 1);
  auto out = torch::zeros_like(vertices);
  for (int k = 0; k < 3; ++k) out.index_add_(0, faces.select(1, k), n);
  return out / out.norm(2, 1, true).clamp_min(1e-12);
}

// Unit normal of the face each sampled point lies on (sample_surface_points does not return face ids):
// the first face that contains the point up to float tolerance, else the face it misses least.
at::Tensor point_normals(const at::Tensor& points, const at::Tensor& vertices, const at::Tensor& faces) {
  const auto v = vertices.to(torch::kDouble).contiguous();
  const auto f = faces.contiguous();
  const auto p = points.to(torch::kDouble).contiguous();
  const int64_t F = f.size(0), N = p.size(0);
  const double* vp = v.data_ptr<double>();
  const int64_t* fp = f.data_ptr<int64_t>();
  const double* pp = p.data_ptr<double>();
  struct Tri {
    double a[3], e1[3], e2[3], n[3];  // n unit normal
    double d11, d12, d22, inv;
  };
  std::vector<Tri> tris(static_cast<size_t>(F));
  for (int64_t i = 0; i < F; ++i) {
    Tri& t = tris[i];
    for (int k = 0; k < 3; ++k) {
      t.a[k] = vp[3 * fp[3 * i] + k];
      t.e1[k] = vp[3 * fp[3 * i + 1] + k] - t.a[k];
      t.e2[k] = vp[3 * fp[3 * i + 2] + k] - t.a[k];
    }
    t.n[0] = t.e1[1] * t.e2[2] - t.e1[2] * t.e2[1];
    t.n[1] = t.e1[2] * t.e2[0] - t.e1[0] * t.e2[2];
    t.n[2] = t.e1[0] * t.e2[1] - t.e1[1] * t.e2[0];
    const double len = std::sqrt(t.n[0] * t.n[0] + t.n[1] * t.n[1] + t.n[2] * t.n[2]) + 1e-300;
    for (double& c : t.n) c /= len;
    t.d11 = t.e1[0] * t.e1[0] + t.e1[1] * t.e1[1] + t.e1[2] * t.e1[2];
    t.d12 = t.e1[0] * t.e2[0] + t.e1[1] * t.e2[1] + t.e1[2] * t.e2[2];
    t.d22 = t.e2[0] * t.e2[0] + t.e2[1] * t.e2[1] + t.e2[2] * t.e2[2];
    const double det = t.d11 * t.d22 - t.d12 * t.d12;
    t.inv = det > 0 ? 1.0 / det : 0.0;
  }
  // How far p is from lying inside triangle t (0 when inside, up to float tolerance).
  auto miss = [&](const Tri& t, const double* q) {
    const double d[3] = {q[0] - t.a[0], q[1] - t.a[1], q[2] - t.a[2]};
    const double plane = std::abs(d[0] * t.n[0] + d[1] * t.n[1] + d[2] * t.n[2]);
    const double b1 = d[0] * t.e1[0] + d[1] * t.e1[1] + d[2] * t.e1[2];
    const double b2 = d[0] * t.e2[0] + d[1] * t.e2[1] + d[2] * t.e2[2];
    const double s = (t.d22 * b1 - t.d12 * b2) * t.inv, u = (t.d11 * b2 - t.d12 * b1) * t.inv;
    return plane + std::max({0.0, -s, -u, s + u - 1.0});
  };
  auto out = torch::empty({N, 3}, torch::kFloat32);
  float* op = out.data_ptr<float>();
  at::parallel_for(0, N, 1024, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const double* q = pp + 3 * i;
      int64_t best = 0;
      double best_miss = 1e300;
      for (int64_t j = 0; j < F && best_miss > 1e-6; ++j) {
        const double m = miss(tris[j], q);
        if (m < best_miss) best_miss = m, best = j;
      }
      for (int k = 0; k < 3; ++k) op[3 * i + k] = static_cast<float>(tris[best].n[k]);
    }
  });
  return out;
}

// Largest |NDC| coordinate of the shape's vertices over all views (OpenCV world_mat: z forward).
double max_ndc(const at::Tensor& vertices, const at::Tensor& world_mats, double focal) {
  const auto homogeneous = at::cat({vertices, torch::ones({vertices.size(0), 1})}, 1);           // (V,4)
  const auto cam = at::matmul(world_mats.slice(1, 0, 3), homogeneous.t().unsqueeze(0));          // (B,3,V)
  return (focal * cam.slice(1, 0, 2) / cam.slice(1, 2, 3)).abs().max().item<double>();
}

// A unit-cube-sized object seen from 30 degrees above at distance 2.732 can overflow the frame (a cube's
// near bottom corner lands at NDC y = -1.24), so shapes are shrunk until every view keeps a margin.
void fit_to_frame(SampleShape& shape, const at::Tensor& world_mats, double focal) {
  constexpr double kMaxNdc = 0.92;
  while (max_ndc(shape.vertices, world_mats, focal) > kMaxNdc) shape.vertices = shape.vertices * 0.97f;
}

struct RenderedViews {
  at::Tensor images;  // (24,S,S,3) float [0,1] on white
  at::Tensor masks;   // (24,S,S,1) float coverage
};

RenderedViews render_views(const SampleShape& shape, const at::Tensor& world_mats, double focal, int size, int ss) {
  torch::NoGradGuard no_grad;
  const int64_t views = world_mats.size(0);
  // Headlight-style Lambert shading baked into per-view vertex colours, so the images show the 3D form.
  auto light = camera_center_from_world_mat(world_mats);
  light = light / light.norm(2, 1, true);
  light = light + torch::tensor({0.0f, 0.6f, 0.0f}).view({1, 3});
  light = light / light.norm(2, 1, true);
  const auto normals = vertex_normals(shape.vertices, shape.faces);
  const auto lambert = at::matmul(normals.unsqueeze(0), light.unsqueeze(2)).clamp_min(0.0);  // (B,V,1)
  const auto colors = shape.colors.unsqueeze(0) * (0.45 + 0.55 * lambert);

  RasterizeSettings settings;
  settings.height = settings.width = size * ss;
  const auto r = render_mesh(shape.vertices.unsqueeze(0), shape.faces, colors, world_mats,
                             torch::full({views}, focal, torch::kFloat32), settings);
  // The hard face index, not the soft silhouette, defines coverage; the background is white.
  const auto covered = (r.face_index >= 0).to(torch::kFloat32).unsqueeze(-1);  // (B,H,W,1)
  const auto rgb = r.image * covered + (1.0 - covered);
  namespace F = torch::nn::functional;
  auto down = [ss](const at::Tensor& bhwc) {
    if (ss == 1) return bhwc;
    return F::avg_pool2d(bhwc.permute({0, 3, 1, 2}), F::AvgPool2dFuncOptions(ss)).permute({0, 2, 3, 1});
  };
  return {down(rgb).clamp(0.0, 1.0), down(covered)};
}

// Writes one object and returns its GT voxels (Kato's protocol, voxel_iou.h).
at::Tensor write_object(const fs::path& dir, SampleShape shape, const SampleOptions& options, uint64_t seed) {
  fs::create_directories(dir / "image");
  fs::create_directories(dir / "mask");
  std::vector<at::Tensor> mats;
  for (int v = 0; v < kNmrViewsPerObject; ++v) mats.push_back(nmr_world_mat(15.0 * v));
  const auto world_mats = at::cat(mats);
  const auto camera_mat = nmr_camera_mat();
  const double focal = focal_from_fovy(kNmrFovyDegrees);

  fit_to_frame(shape, world_mats, focal);
  const auto views = render_views(shape, world_mats, focal, options.image_size, options.supersample);
  std::map<std::string, at::Tensor> cameras;
  for (int v = 0; v < kNmrViewsPerObject; ++v) {
    char name[16];
    std::snprintf(name, sizeof(name), "%04d.png", v);
    write_png((dir / "image" / name).string(), views.images[v]);
    write_png((dir / "mask" / name).string(), views.masks[v]);
    const auto w = world_mats[v].to(torch::kFloat64), c = camera_mat[0].to(torch::kFloat64);
    const auto id = std::to_string(v);
    cameras["world_mat_" + id] = w;
    cameras["camera_mat_" + id] = c;
    cameras["world_mat_inv_" + id] = at::inverse(w);
    cameras["camera_mat_inv_" + id] = at::inverse(c);
  }
  write_npz((dir / "cameras.npz").string(), cameras);
  if (exr_supported()) {
    // DVR's occupancy loss reads these; the NMR_Dataset computes them from all 24 masks, and so do we.
    fs::create_directories(dir / "visual_hull_depth");
    const at::Tensor hull = visual_hull_depths(views.masks.squeeze(3), world_mats, focal);
    for (int v = 0; v < kNmrViewsPerObject; ++v) {
      char name[16];
      std::snprintf(name, sizeof(name), "%04d.exr", v);
      write_exr_channel((dir / "visual_hull_depth" / name).string(), hull[v]);
    }
  }

  const auto points = sample_surface_points(shape.vertices, shape.faces, options.points_per_object, seed).to(torch::kFloat32);
  write_npz((dir / "pointcloud.npz").string(),
            {{"points", points.contiguous()},
             {"normals", point_normals(points, shape.vertices, shape.faces)},
             {"loc", torch::zeros({3}, torch::kFloat32)},
             {"scale", torch::ones({}, torch::kFloat32)}});
  return voxelize_kato(shape.vertices, shape.faces);
}

void write_list(const fs::path& file, const std::vector<std::string>& ids) {
  std::ofstream out(file);
  for (const auto& id : ids) out << id << "\n";
  if (!out) throw std::runtime_error("make_sample_dataset: cannot write " + file.string());
}

}  // namespace

namespace {

void check_options(const SampleOptions& options) {
  if (options.objects_per_class < 1) throw std::invalid_argument("make_sample_dataset: objects_per_class must be >= 1");
  if (options.image_size < 8) throw std::invalid_argument("make_sample_dataset: image_size must be >= 8");
  if (options.supersample < 1) throw std::invalid_argument("make_sample_dataset: supersample must be >= 1");
  if (options.points_per_object < 1) throw std::invalid_argument("make_sample_dataset: points_per_object must be >= 1");
}

// Writes the whole dataset, marker last, into a fresh `<out>.partial-<pid>` (unique, so two processes
// generating the same default sample do not write into each other's files). Returns that folder.
fs::path generate_partial(const fs::path& out, const SampleOptions& options) {
  const std::string prefix = out.filename().string() + ".partial-";
  const fs::path partial = out.string() + ".partial-" + std::to_string(::getpid());
  std::error_code ec;
  // Leftovers of interrupted runs: folders of processes that no longer exist.
  for (const auto& entry : fs::directory_iterator(out.has_parent_path() ? out.parent_path() : fs::path("."), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
  fs::remove_all(partial, ec);
  fs::create_directories(partial);

  const auto& kinds = sample_shape_kinds();
  const int n = options.objects_per_class;
  // Split about 2/3 train, 1/6 val, 1/6 test; with fewer than 3 objects every object is in every split.
  const int n_test = n < 3 ? n : std::max(1, n / 6), n_val = n < 3 ? n : std::max(1, n / 6);
  const int total = static_cast<int>(kinds.size()) * n;
  int done = 0;
  for (size_t k = 0; k < kinds.size(); ++k) {
    const std::string class_id = kClassPrefix + kinds[k];
    std::vector<std::string> ids;
    std::vector<at::Tensor> voxels;
    for (int i = 0; i < n; ++i) {
      char id[16];
      std::snprintf(id, sizeof(id), "o%04d", i);
      ids.push_back(id);
      const uint64_t seed = mix(mix(options.seed, k + 1), static_cast<uint64_t>(i) + 1);
      voxels.push_back(write_object(partial / class_id / id, make_sample_shape(kinds[k], seed), options, seed));
      if (options.progress) options.progress(++done, total);
    }
    const fs::path cls = partial / class_id;
    // Each split: its list, and the GT voxels of its objects in list order (<class>/<class>_<split>_voxels.npz).
    auto write_split = [&](const char* split, int first, int last) {
      write_list(split_list_path(cls.string(), split), std::vector<std::string>(ids.begin() + first, ids.begin() + last));
      write_kato_voxels((cls / (class_id + "_" + split + "_voxels.npz")).string(),
                        torch::stack(std::vector<at::Tensor>(voxels.begin() + first, voxels.begin() + last)));
    };
    if (n < 3) {
      for (const char* split : {"train", "val", "test"}) write_split(split, 0, n);
    } else {
      write_split("test", n - n_test, n);
      write_split("val", n - n_test - n_val, n - n_test);
      write_split("train", 0, n - n_test - n_val);
    }
  }
  std::ofstream marker(partial / kMarker);
  marker << marker_text(options);
  if (!marker) throw std::runtime_error("make_sample_dataset: cannot write the marker in " + partial.string());
  return partial;
}

SampleSummary summary_of(const std::string& out, const SampleOptions& options) {
  const int classes = static_cast<int>(sample_shape_kinds().size());
  return {out, classes, classes * options.objects_per_class};
}

}  // namespace

// Files under a sample folder that the generator did not write (a user's), at most `limit` of them.
std::vector<std::string> foreign_files(const fs::path& out, size_t limit) {
  static const std::regex own(
      R"([^/]+/softras_(train|val|test)\.lst|[^/]+/[^/]+/(image|mask)/\d{4}\.png|[^/]+/[^/]+/visual_hull_depth/\d{4}\.exr|[^/]+/[^/]+/(cameras|pointcloud)\.npz|[^/]+/[^/]+_voxels\.npz)");
  std::vector<std::string> foreign;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(out, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;
    const std::string rel = fs::relative(it->path(), out, type_ec).generic_string();
    if (rel == kMarker || std::regex_match(rel, own)) continue;
    foreign.push_back(it->path().string());
    if (foreign.size() >= limit) break;
  }
  return foreign;
}

SampleSummary make_sample_dataset(const std::string& out_dir, const SampleOptions& options) {
  check_options(options);
  const fs::path out(out_dir);
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_empty(out, ec) && !fs::exists(out / kMarker, ec))
    throw std::runtime_error("make_sample_dataset: " + out_dir + " exists and is not a sample dataset; refusing to overwrite it");
  if (fs::exists(out / kMarker, ec)) {
    const auto foreign = foreign_files(out, 5);
    if (!foreign.empty()) {
      std::string list;
      for (const auto& f : foreign) list += "\n  " + f;
      throw std::runtime_error("make_sample_dataset: " + out_dir +
                               " is a sample dataset but also holds files the generator did not write; refusing to "
                               "replace it (move them away or choose another folder):" + list);
    }
  }
  const fs::path partial = generate_partial(out, options);
  fs::remove_all(out, ec);
  fs::rename(partial, out);  // throws fs::filesystem_error naming both paths on failure
  return summary_of(out_dir, options);
}

std::string ensure_default_sample(const std::function<void(int, int)>& progress) {
  fs::path cache;
  if (const char* d = std::getenv("DIBR_CACHE"); d && *d) cache = d;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) cache = fs::path(x) / "dibr";
  else if (const char* h = std::getenv("HOME"); h && *h) cache = fs::path(h) / ".cache" / "dibr";
  else cache = fs::temp_directory_path() / "dibr-cache";
  const fs::path dir = cache / "sample";
  SampleOptions options;
  options.progress = progress;
  std::error_code ec;
  if (fs::is_regular_file(dir / kMarker, ec) && read_text(dir / kMarker) == marker_text(options)) return dir.string();
  fs::create_directories(cache);
  const fs::path partial = generate_partial(dir, options);
  // Another process may have finished the same sample meanwhile: keep theirs, readers may be using it.
  if (fs::is_regular_file(dir / kMarker, ec) && read_text(dir / kMarker) == marker_text(options)) {
    fs::remove_all(partial, ec);
    return dir.string();
  }
  fs::remove_all(dir, ec);
  fs::rename(partial, dir);
  return dir.string();
}

}  // namespace dibr
