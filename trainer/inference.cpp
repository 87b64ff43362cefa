#include "trainer/inference.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "render/icosphere.h"
#include "render/render_mesh.h"
#include "trainer/checkpoint.h"
#include "trainer/reconstruction_model.h"
#include "trainer/training_step.h"

namespace dibr {
namespace fs = std::filesystem;

struct InferenceModel::Impl {
  TrainConfig config;
  int64_t step = 0;
  torch::Device device{torch::kCPU};
  ReconstructionNet model{nullptr};
};

InferenceModel::InferenceModel(const std::string& checkpoint_path, const std::string& device)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  if (device == "cuda" && !torch::cuda::is_available()) {
    throw std::runtime_error("InferenceModel(" + checkpoint_path + "): device \"cuda\" requested but none is available");
  }
  try {
    m.device = torch::Device(device == "auto" ? (torch::cuda::is_available() ? "cuda" : "cpu") : device);
  } catch (const c10::Error&) {
    throw std::runtime_error("InferenceModel(" + checkpoint_path + "): unknown device \"" + device + "\"");
  }
  // The config decides the architecture, so it is read before the weights.
  const auto meta = load_checkpoint(checkpoint_path, nullptr, nullptr);
  try {
    m.config = TrainConfig::from_json(meta.config_json);
  } catch (const std::exception& e) {
    throw std::runtime_error("InferenceModel: bad config in " + checkpoint_path + ": " + e.what());
  }
  m.model = ReconstructionNet(make_icosphere(3, 0.5), m.config.decoder_hidden);
  load_checkpoint(checkpoint_path, m.model.get(), nullptr);
  m.step = meta.step;
  m.model->move_to(m.device);
  m.model->eval();
  for (auto& p : m.model->parameters()) p.set_requires_grad(false);
}

InferenceModel::~InferenceModel() = default;
const TrainConfig& InferenceModel::config() const { return impl_->config; }
int64_t InferenceModel::step() const { return impl_->step; }

Prediction InferenceModel::predict(const at::Tensor& images, const at::Tensor& world_mats, const at::Tensor& focals) {
  auto& m = *impl_;
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "InferenceModel::predict: images must be (B,3,S,S), got ",
              images.sizes());
  torch::NoGradGuard no_grad;
  auto prediction = m.model->forward(images.to(m.device, torch::kFloat32));
  Prediction out;
  out.vertices = prediction.vertices;
  out.colors = prediction.colors;
  out.faces = m.model->faces();
  if (world_mats.defined()) {
    TORCH_CHECK(focals.defined(), "InferenceModel::predict: world_mats given without focals");
    TORCH_CHECK(world_mats.dim() == 3 && world_mats.size(0) == images.size(0),
                "InferenceModel::predict: world_mats must be (B,4,4), got ", world_mats.sizes());
    auto render = render_mesh(out.vertices, out.faces, out.colors, world_mats.to(m.device, torch::kFloat32),
                              focals.to(m.device, torch::kFloat32),
                              rasterize_settings(m.config, static_cast<int>(images.size(-1))));
    out.silhouettes = render.silhouette;
    out.renders = render.image.permute({0, 3, 1, 2}).contiguous();
  }
  return out;
}

std::vector<CheckpointInfo> list_checkpoints(const std::string& run_dir) {
  std::vector<CheckpointInfo> result;
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return result;
  static const std::regex name(R"(latest\.pt|step_\d+\.pt)");
  for (const auto& entry : fs::directory_iterator(run_dir, ec)) {
    const std::string filename = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(filename, name)) continue;
    CheckpointInfo info;
    info.path = entry.path().string();
    bool have = false;
    std::ifstream sidecar(info.path + ".json");
    if (sidecar) {
      try {
        auto j = nlohmann::json::parse(sidecar);
        info.step = j.at("step").get<int64_t>();
        info.loss = j.at("loss").get<double>();
        have = true;
      } catch (const std::exception&) {
      }
    }
    if (!have) {
      try {
        auto meta = load_checkpoint(info.path, nullptr, nullptr);
        info.step = meta.step;
        info.loss = meta.loss;
      } catch (const std::exception&) {
        continue;  // not a checkpoint of ours (or being written)
      }
    }
    result.push_back(info);
  }
  std::sort(result.begin(), result.end(), [](const CheckpointInfo& a, const CheckpointInfo& b) {
    return a.step != b.step ? a.step < b.step : a.path < b.path;
  });
  return result;
}

}  // namespace dibr
