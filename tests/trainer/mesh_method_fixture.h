#pragma once
// A method built from one of its presets at 32^2, with a hand-made batch of two objects x two views whose masks
// are a centred disc (a sphere seen from every side), for the method tests.
#include <torch/torch.h>

#include <memory>
#include <string>

#include "render/camera.h"
#include "trainer/config.h"
#include "trainer/method.h"

namespace dibr::test {

struct MethodFixture {
  TrainConfig config;
  std::unique_ptr<Method> method;
  Batch batch;
};

// Masks of the disc x^2 + y^2 < r2 (NDC-like coordinates of a 32^2 image), (N,1,32,32).
inline at::Tensor disc_masks(int64_t n, double r2) {
  const int S = 32;
  const at::Tensor y = torch::linspace(-1, 1, S).view({S, 1}), x = torch::linspace(-1, 1, S).view({1, S});
  return ((x * x + y * y) < r2).to(torch::kFloat32).expand({n, 1, S, S}).contiguous();
}

inline MethodFixture make_method_fixture(const std::string& method, const std::string& preset) {
  MethodFixture f;
  f.config = TrainConfig::from_preset(preset);
  f.config.data.image_size = 32;
  f.config.data.views_per_object = 2;
  torch::manual_seed(2);
  f.method = find_method(method).create(f.config);
  f.batch.images = torch::rand({4, 3, 32, 32});
  f.batch.masks = disc_masks(4, 0.3);
  f.batch.world_mats = torch::cat({nmr_world_mat(0), nmr_world_mat(90), nmr_world_mat(30), nmr_world_mat(200)});
  f.batch.focals = torch::full({4}, focal_from_fovy(kNmrFovyDegrees));
  return f;
}

}  // namespace dibr::test
