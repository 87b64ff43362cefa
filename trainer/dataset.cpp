#include "trainer/dataset.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>
#include <stdexcept>

#include "trainer/image_io.h"
#include "trainer/npz.h"
#include "trainer/exr_io.h"

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
  if (m.dim() != 2 || (m.size(0) != 3 && m.size(0) != 4) || m.size(1) != 4)
    throw std::runtime_error(file + ": '" + key + "' must be 4x4 (or 3x4), got " + c10::str(m.sizes()));
  if (!at::isFloatingType(m.scalar_type()))
    throw std::runtime_error(file + ": '" + key + "' must hold floating-point numbers, got " + c10::str(m.scalar_type()));
  auto out = torch::eye(4, torch::kFloat32);
  out.slice(0, 0, m.size(0)).copy_(m.to(torch::kFloat32));
  if (!torch::isfinite(out).all().item<bool>()) throw std::runtime_error(file + ": '" + key + "' holds NaN or Inf");
  return out;
}

// Every view's matrices of one object, read and checked once (the loader asks for them per view, per batch).
struct ObjectCameras {
  std::vector<at::Tensor> world, camera;
};

std::shared_ptr<const ObjectCameras> object_cameras(const NmrObject& object) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<fs::file_time_type, std::shared_ptr<const ObjectCameras>>> cache;
  const auto file = (fs::path(object.path) / "cameras.npz").string();
  std::error_code ec;
  const auto stamp = fs::last_write_time(file, ec);
  {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = cache.find(file);
    if (it != cache.end() && !ec && it->second.first == stamp) return it->second.second;
  }
  const auto arrays = read_npz(file);
  auto cameras = std::make_shared<ObjectCameras>();
  for (int v = 0; v < kViews; ++v) {
    cameras->world.push_back(camera_matrix(arrays, "world_mat_" + std::to_string(v), file));
    cameras->camera.push_back(camera_matrix(arrays, "camera_mat_" + std::to_string(v), file));
  }
  std::lock_guard<std::mutex> lock(mutex);
  if (cache.size() >= 8192) cache.clear();  // bounded: about 3 KB an object
  cache[file] = {stamp, cameras};
  return cameras;
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
    object_cameras(object);
  } catch (const std::exception& e) {
    problems.push_back({cameras_file, e.what()});
    return;
  }
  const auto cloud_file = (fs::path(object.path) / "pointcloud.npz").string();
  try {
    const auto cloud = read_npz(cloud_file, {"points"});
    const auto it = cloud.find("points");
    if (it == cloud.end()) throw std::runtime_error("missing array 'points'");
    if (it->second.dim() != 2 || it->second.size(1) != 3 || it->second.size(0) == 0)
      throw std::runtime_error("'points' must be (N,3), got " + c10::str(it->second.sizes()));
    if (!torch::isfinite(it->second.to(torch::kFloat64)).all().item<bool>())
      throw std::runtime_error("'points' holds NaN or Inf");
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

std::string split_list_path(const std::string& class_dir, const std::string& split) {
  return (fs::path(class_dir) / ("softras_" + split + ".lst")).string();
}

bool is_class_folder(const std::string& folder) {
  std::error_code ec;
  for (const char* split : {"train", "val", "test"})
    if (fs::is_regular_file(split_list_path(folder, split), ec)) return true;
  return false;
}

std::vector<std::string> list_classes(const std::string& root, std::vector<DatasetProblem>* problems) {
  std::vector<std::string> classes;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return classes;
  fs::directory_iterator it(root, ec);
  if (ec) {
    if (problems) problems->push_back({root, "cannot list the folder: " + ec.message()});
    return classes;
  }
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) {
      if (problems) problems->push_back({root, "cannot list the folder: " + ec.message()});
      break;
    }
    const fs::path path = it->path();
    std::error_code entry_ec;
    const bool is_dir = fs::is_directory(path, entry_ec);  // follows symlinks; a loop sets entry_ec
    if (entry_ec) {
      if (problems) problems->push_back({path.string(), "skipped: " + entry_ec.message()});
      continue;
    }
    if (!is_dir) continue;
    bool found = false, unreadable = false;
    for (const char* split : {"train", "val", "test"}) {
      std::error_code list_ec;
      if (fs::is_regular_file(split_list_path(path.string(), split), list_ec)) found = true;
      if (list_ec && list_ec != std::errc::no_such_file_or_directory) unreadable = true;
    }
    if (!found) {
      // A folder we may not enter could be a class: say so instead of dropping it silently.
      fs::directory_iterator probe(path, entry_ec);
      if ((unreadable || entry_ec) && problems)
        problems->push_back({path.string(), "class folder skipped: " + (entry_ec ? entry_ec.message() : std::string("cannot read its split lists"))});
      continue;
    }
    classes.push_back(path.filename().string());
  }
  std::sort(classes.begin(), classes.end());
  return classes;
}

DatasetIndex index_dataset(const std::string& root, const std::vector<std::string>& classes,
                           const std::string& split, bool deep_check,
                           const std::function<void(int done, int total)>& progress) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw std::runtime_error("dataset: root folder does not exist: " + root);
  if (split != "train" && split != "val" && split != "test")
    throw std::runtime_error("dataset: split must be train, val or test, got '" + split + "'");
  std::vector<DatasetProblem> listing_problems;
  const auto available = list_classes(root, &listing_problems);

  DatasetIndex index;
  index.root = root;
  index.split = split;
  index.views_per_object = kViews;
  index.problems = listing_problems;
  if (classes.empty()) {
    if (available.empty()) throw std::runtime_error("dataset: no class folder with softras_*.lst under " + root);
    index.classes = available;
  } else {
    for (const auto& c : classes) {
      if (c.empty() || c == "." || c == ".." || c.find('/') != std::string::npos || !fs::is_directory(fs::path(root) / c, ec)) {
        std::string known;
        for (const auto& a : available) known += (known.empty() ? "" : ", ") + a;
        throw std::runtime_error("dataset: unknown class '" + c + "' under " + root +
                                 "; classes found: " + (known.empty() ? "(none)" : known));
      }
      index.classes.push_back(c);
    }
  }

  for (const auto& c : index.classes) {
    const auto list_file = split_list_path((fs::path(root) / c).string(), split);
    std::ifstream list(list_file);
    if (!list) {
      index.problems.push_back({list_file, "missing split list; class skipped"});
      continue;
    }
    std::string line;
    std::set<std::string> seen;
    bool first_line = true;
    while (std::getline(list, line)) {
      if (std::exchange(first_line, false) && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);  // UTF-8 BOM
      const auto id = trim(line);
      if (id.empty()) continue;
      // An id names a folder inside its class folder: no separators, no "..", nothing absolute.
      if (id == "." || id == ".." || id.find('/') != std::string::npos || id.find('\\') != std::string::npos ||
          id.find('\0') != std::string::npos) {
        index.problems.push_back({list_file, "object id '" + id + "' leaves its class folder; skipped"});
        continue;
      }
      if (!seen.insert(id).second) {
        index.problems.push_back({list_file, "object id '" + id + "' is listed twice; counted once"});
        continue;
      }
      NmrObject object{c, id, (fs::path(root) / c / id).string()};
      if (!check_object_files(object, kViews, index.problems)) continue;
      index.objects.push_back(std::move(object));
    }
  }
  if (!deep_check) return index;
  std::vector<NmrObject> checked;
  const int total = static_cast<int>(index.objects.size());
  for (int i = 0; i < total; ++i) {
    const size_t before = index.problems.size();
    deep_check_object(index.objects[i], kViews, index.problems);
    if (index.problems.size() == before) checked.push_back(index.objects[i]);
    if (progress) progress(i + 1, total);
  }
  index.objects = std::move(checked);
  return index;
}

ViewData load_view(const NmrObject& object, int view, int size) {
  if (view < 0 || view >= kViews)
    throw std::out_of_range("load_view: view " + std::to_string(view) + " out of range [0," +
                            std::to_string(kViews) + ") for " + object.path);
  ViewData out;
  out.image = read_png(view_file(object, "image", view), 3).permute({2, 0, 1}).to(torch::kFloat32).div_(255.0f);
  // Some copies store masks as RGB(A); any colour channel carries the mask.
  auto mask = read_png(view_file(object, "mask", view));
  const auto image_hw = std::make_pair(out.image.size(1), out.image.size(2));
  if (mask.size(0) != image_hw.first || mask.size(1) != image_hw.second)
    throw std::runtime_error(view_file(object, "mask", view) + ": mask is " + std::to_string(mask.size(1)) + "x" +
                             std::to_string(mask.size(0)) + " but its image is " + std::to_string(image_hw.second) + "x" +
                             std::to_string(image_hw.first));
  out.image = resize_area(out.image, size);
  out.mask = resize_area(mask.slice(2, 0, 1).permute({2, 0, 1}).to(torch::kFloat32).div_(255.0f), size);
  const auto cameras = object_cameras(object);
  out.world_mat = cameras->world[view];
  out.camera_mat = cameras->camera[view];
  return out;
}

std::string visual_hull_depth_file(const NmrObject& object, int view) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d.exr", view);
  return (fs::path(object.path) / "visual_hull_depth" / name).string();
}

bool has_visual_hull_depth(const NmrObject& object) {
  std::error_code ec;
  return fs::is_directory(fs::path(object.path) / "visual_hull_depth", ec);
}

at::Tensor load_visual_hull_depth(const NmrObject& object, int view, int size) {
  if (!has_visual_hull_depth(object)) return {};
  const std::string file = visual_hull_depth_file(object, view);
  at::Tensor depth = read_exr_channel(file);
  if (size > 0 && (depth.size(0) != size || depth.size(1) != size)) {
    // Nearest pixel centre; interpolation would blend finite depths with inf.
    const auto rows = ((torch::arange(size, torch::kFloat64) + 0.5) * double(depth.size(0)) / size).floor().to(torch::kLong);
    const auto cols = ((torch::arange(size, torch::kFloat64) + 0.5) * double(depth.size(1)) / size).floor().to(torch::kLong);
    depth = depth.index_select(0, rows).index_select(1, cols);
  }
  return depth.unsqueeze(0).contiguous();
}

PointCloud load_pointcloud(const NmrObject& object) {
  // In DVR / Occupancy Networks the stored points are already in the normalised object frame that the
  // cameras use; `loc` and `scale` only record how the raw ShapeNet mesh was normalised, so they are not applied.
  const auto file = (fs::path(object.path) / "pointcloud.npz").string();
  const auto cloud = read_npz(file, {"points", "normals"});
  const auto points = cloud.find("points");
  if (points == cloud.end()) throw std::runtime_error(file + ": missing array 'points'");
  if (points->second.dim() != 2 || points->second.size(1) != 3)
    throw std::runtime_error(file + ": 'points' must be (N,3), got " + c10::str(points->second.sizes()));
  PointCloud out;
  out.points = points->second.to(torch::kFloat32).contiguous();
  if (!torch::isfinite(out.points).all().item<bool>()) {
    const int64_t bad = out.points.size(0) - torch::isfinite(out.points).all(1).sum().item<int64_t>();
    throw std::runtime_error(file + ": 'points' holds NaN or Inf in " + std::to_string(bad) + " of " +
                             std::to_string(out.points.size(0)) + " points");
  }
  const auto normals = cloud.find("normals");
  if (normals != cloud.end() && normals->second.sizes() == points->second.sizes())
    out.normals = normals->second.to(torch::kFloat32).contiguous();
  return out;
}

}  // namespace dibr
