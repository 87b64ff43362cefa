#include "trainer/dataset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "trainer/image_io.h"
#include "trainer/npz.h"

namespace fs = std::filesystem;

namespace dibr {
namespace {

constexpr int kViews = 24;

std::string view_file(const NmrObject& object, const char* folder, int view) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d.png", view);
  return (fs::path(object.path) / folder / name).string();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// Throws with the file name when a key is missing or not 4x4.
at::Tensor camera_matrix(const std::map<std::string, at::Tensor>& cameras, const std::string& key,
                         const std::string& file) {
  const auto it = cameras.find(key);
  if (it == cameras.end()) throw std::runtime_error(file + ": missing array '" + key + "'");
  const auto& m = it->second;
  if (m.dim() != 2 || m.size(0) < 3 || m.size(1) != 4)
    throw std::runtime_error(file + ": '" + key + "' must be 4x4 (or 3x4), got " + c10::str(m.sizes()));
  auto out = torch::eye(4, torch::kFloat32);
  out.slice(0, 0, m.size(0)).copy_(m.to(torch::kFloat32));
  return out;
}

// The deeper checks: every file decodes and has the expected arrays; the first failure is recorded.
void deep_check_object(const NmrObject& object, int views, std::vector<DatasetProblem>& problems) {
  int64_t size = -1;
  for (const char* folder : {"image", "mask"}) {
    for (int v = 0; v < views; ++v) {
      const auto file = view_file(object, folder, v);
      try {
        const auto img = read_png(file);
        if (size < 0) size = img.size(0);
        if (img.size(0) != size || img.size(1) != size)
          throw std::runtime_error("size " + std::to_string(img.size(1)) + "x" + std::to_string(img.size(0)) +
                                   " differs from the first view (" + std::to_string(size) + "x" +
                                   std::to_string(size) + ")");
      } catch (const std::exception& e) {
        problems.push_back({file, e.what()});
        return;
      }
    }
  }
  const auto cameras_file = (fs::path(object.path) / "cameras.npz").string();
  try {
    const auto cameras = read_npz(cameras_file);
    for (int v = 0; v < views; ++v) {
      camera_matrix(cameras, "world_mat_" + std::to_string(v), cameras_file);
      camera_matrix(cameras, "camera_mat_" + std::to_string(v), cameras_file);
    }
  } catch (const std::exception& e) {
    problems.push_back({cameras_file, e.what()});
    return;
  }
  const auto cloud_file = (fs::path(object.path) / "pointcloud.npz").string();
  try {
    const auto cloud = read_npz(cloud_file);
    const auto it = cloud.find("points");
    if (it == cloud.end()) throw std::runtime_error("missing array 'points'");
    if (it->second.dim() != 2 || it->second.size(1) != 3 || it->second.size(0) == 0)
      throw std::runtime_error("'points' must be (N,3), got " + c10::str(it->second.sizes()));
  } catch (const std::exception& e) {
    problems.push_back({cloud_file, e.what()});
  }
}

// Cheap existence checks; records the first missing file.
bool check_object_files(const NmrObject& object, int views, std::vector<DatasetProblem>& problems) {
  std::error_code ec;
  if (!fs::is_directory(object.path, ec)) {
    problems.push_back({object.path, "object folder listed in the split file does not exist"});
    return false;
  }
  for (const char* folder : {"image", "mask"})
    for (int v = 0; v < views; ++v) {
      const auto file = view_file(object, folder, v);
      if (!fs::is_regular_file(file, ec)) {
        problems.push_back({file, std::string("missing ") + folder + " file"});
        return false;
      }
    }
  for (const char* name : {"cameras.npz", "pointcloud.npz"}) {
    const auto file = (fs::path(object.path) / name).string();
    if (!fs::is_regular_file(file, ec)) {
      problems.push_back({file, "missing file"});
      return false;
    }
  }
  return true;
}

at::Tensor resize_area(const at::Tensor& chw, int size) {
  if (size <= 0 || (chw.size(1) == size && chw.size(2) == size)) return chw;
  namespace F = torch::nn::functional;
  return F::interpolate(chw.unsqueeze(0),
                        F::InterpolateFuncOptions().size(std::vector<int64_t>{size, size}).mode(torch::kArea))
      .squeeze(0);
}

}  // namespace

std::vector<std::string> list_classes(const std::string& root) {
  std::vector<std::string> classes;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return classes;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (!entry.is_directory()) continue;
    for (const char* split : {"train", "val", "test"})
      if (fs::is_regular_file(entry.path() / (std::string("softras_") + split + ".lst"), ec)) {
        classes.push_back(entry.path().filename().string());
        break;
      }
  }
  std::sort(classes.begin(), classes.end());
  return classes;
}

DatasetIndex index_dataset(const std::string& root, const std::vector<std::string>& classes,
                           const std::string& split, bool deep_check) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw std::runtime_error("dataset: root folder does not exist: " + root);
  if (split != "train" && split != "val" && split != "test")
    throw std::runtime_error("dataset: split must be train, val or test, got '" + split + "'");
  const auto available = list_classes(root);

  DatasetIndex index;
  index.root = root;
  index.split = split;
  index.views_per_object = kViews;
  if (classes.empty()) {
    if (available.empty()) throw std::runtime_error("dataset: no class folder with softras_*.lst under " + root);
    index.classes = available;
  } else {
    for (const auto& c : classes) {
      if (!fs::is_directory(fs::path(root) / c, ec)) {
        std::string known;
        for (const auto& a : available) known += (known.empty() ? "" : ", ") + a;
        throw std::runtime_error("dataset: unknown class '" + c + "' under " + root +
                                 "; classes found: " + (known.empty() ? "(none)" : known));
      }
      index.classes.push_back(c);
    }
  }

  for (const auto& c : index.classes) {
    const auto list_file = (fs::path(root) / c / ("softras_" + split + ".lst")).string();
    std::ifstream list(list_file);
    if (!list) {
      index.problems.push_back({list_file, "missing split list; class skipped"});
      continue;
    }
    std::string line;
    while (std::getline(list, line)) {
      const auto id = trim(line);
      if (id.empty()) continue;
      NmrObject object{c, id, (fs::path(root) / c / id).string()};
      if (!check_object_files(object, kViews, index.problems)) continue;
      if (deep_check) {
        const size_t before = index.problems.size();
        deep_check_object(object, kViews, index.problems);
        if (index.problems.size() != before) continue;
      }
      index.objects.push_back(std::move(object));
    }
  }
  return index;
}

ViewData load_view(const NmrObject& object, int view, int size) {
  if (view < 0 || view >= kViews)
    throw std::out_of_range("load_view: view " + std::to_string(view) + " out of range [0," +
                            std::to_string(kViews) + ") for " + object.path);
  ViewData out;
  out.image = resize_area(read_png(view_file(object, "image", view), 3).permute({2, 0, 1}).to(torch::kFloat32).div_(255.0f), size);
  // Some copies store masks as RGB(A); any colour channel carries the mask.
  auto mask = read_png(view_file(object, "mask", view));
  out.mask = resize_area(mask.slice(2, 0, 1).permute({2, 0, 1}).to(torch::kFloat32).div_(255.0f), size);
  const auto cameras_file = (fs::path(object.path) / "cameras.npz").string();
  const auto cameras = read_npz(cameras_file);
  out.world_mat = camera_matrix(cameras, "world_mat_" + std::to_string(view), cameras_file);
  out.camera_mat = camera_matrix(cameras, "camera_mat_" + std::to_string(view), cameras_file);
  return out;
}

PointCloud load_pointcloud(const NmrObject& object) {
  // In DVR / Occupancy Networks the stored points are already in the normalised object frame that the
  // cameras use; `loc` and `scale` only record how the raw ShapeNet mesh was normalised, so they are not applied.
  const auto file = (fs::path(object.path) / "pointcloud.npz").string();
  const auto cloud = read_npz(file);
  const auto points = cloud.find("points");
  if (points == cloud.end()) throw std::runtime_error(file + ": missing array 'points'");
  if (points->second.dim() != 2 || points->second.size(1) != 3)
    throw std::runtime_error(file + ": 'points' must be (N,3), got " + c10::str(points->second.sizes()));
  PointCloud out;
  out.points = points->second.to(torch::kFloat32).contiguous();
  const auto normals = cloud.find("normals");
  if (normals != cloud.end() && normals->second.sizes() == points->second.sizes())
    out.normals = normals->second.to(torch::kFloat32).contiguous();
  return out;
}

}  // namespace dibr
