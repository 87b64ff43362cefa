#pragma once
// Test helpers: a unique temp folder and a tiny fake NMR dataset on disk.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "render/camera.h"
#include "trainer/image_io.h"
#include "trainer/npz.h"

namespace dibr::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = std::filesystem::temp_directory_path() /
           ("dibr_test_" + tag + "_" + std::to_string(stamp) + "_" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string str() const { return path.string(); }
};

inline std::string view_name(int v) {
  char name[16];
  std::snprintf(name, sizeof(name), "%04d.png", v);
  return name;
}

// One object whose view v is a uniform image of grey level (object_number * 24 + v) % 256, so a test
// can tell which object and view a loaded image came from. The mask is a centred square.
inline void write_fake_object(const std::filesystem::path& dir, int object_number, int size = 64) {
  std::filesystem::create_directories(dir / "image");
  std::filesystem::create_directories(dir / "mask");
  std::map<std::string, at::Tensor> cameras;
  for (int v = 0; v < 24; ++v) {
    const int level = (object_number * 24 + v) % 256;
    write_png((dir / "image" / view_name(v)).string(), torch::full({size, size, 3}, level, torch::kUInt8));
    auto mask = torch::zeros({size, size, 1}, torch::kUInt8);
    mask.slice(0, size / 4, 3 * size / 4).slice(1, size / 4, 3 * size / 4).fill_(255);
    write_png((dir / "mask" / view_name(v)).string(), mask);
    cameras["world_mat_" + std::to_string(v)] = nmr_world_mat(15.0 * v)[0].to(torch::kFloat64);
    cameras["camera_mat_" + std::to_string(v)] = nmr_camera_mat()[0].to(torch::kFloat64);
  }
  write_npz((dir / "cameras.npz").string(), cameras);
  write_npz((dir / "pointcloud.npz").string(),
            {{"points", torch::rand({100, 3}) - 0.5}, {"normals", torch::zeros({100, 3})},
             {"loc", torch::zeros({3})}, {"scale", torch::ones({})}});
}

inline void write_list(const std::filesystem::path& file, const std::vector<std::string>& ids) {
  std::ofstream out(file);
  for (const auto& id : ids) out << id << "  \n";
  out << "\n";
}

// A one-class dataset of 32^2 fake objects under root: obj0..obj<n-1>, the given lists by object number.
inline void write_tiny_dataset(const std::filesystem::path& root, const std::string& class_id, int objects,
                               const std::vector<int>& train, const std::vector<int>& val, const std::vector<int>& test) {
  torch::manual_seed(5);
  for (int i = 0; i < objects; ++i) write_fake_object(root / class_id / ("obj" + std::to_string(i)), i, 32);
  auto ids = [](const std::vector<int>& numbers) {
    std::vector<std::string> out;
    for (int n : numbers) out.push_back("obj" + std::to_string(n));
    return out;
  };
  write_list(root / class_id / "softras_train.lst", ids(train));
  write_list(root / class_id / "softras_val.lst", ids(val));
  write_list(root / class_id / "softras_test.lst", ids(test));
}

}  // namespace dibr::test
