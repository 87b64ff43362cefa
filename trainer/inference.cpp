#include "trainer/inference.h"

#include <torch/torch.h>

#include <stdexcept>

#include "trainer/checkpoint.h"
#include "trainer/config_table.h"
#include "trainer/device.h"

namespace dibr {

struct InferenceModel::Impl {
  TrainConfig config;
  const MethodInfo* method_info = nullptr;
  int64_t step = 0;
  c10::Device device{c10::kCPU};
  std::unique_ptr<Method> method;
};

namespace {
// A prediction (e.g. one kept on the CPU by a caller) on the model's device, in float32.
Prediction on_device(const Prediction& prediction, const c10::Device& device) {
  Prediction p = prediction;
  if (p.vertices.defined()) p.vertices = p.vertices.to(device, torch::kFloat32);
  if (p.colors.defined()) p.colors = p.colors.to(device, torch::kFloat32);
  if (p.faces.defined()) p.faces = p.faces.to(device);
  if (p.latent.defined()) p.latent = p.latent.to(device, torch::kFloat32);
  return p;
}

// The settings an inference may change: how a field is meshed, not what the network is.
bool overridable(const std::string& key) {
  return key == "dvr.mise_resolution" || key == "dvr.mise_upsampling" || key == "dvr.refine_steps" ||
         key == "dvr.preview_resolution" || key == "dvr.chunk_points";
}
}  // namespace

InferenceModel::InferenceModel(const std::string& checkpoint_path, const std::string& device,
                               const std::vector<std::pair<std::string, std::string>>& overrides)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  try {
    m.device = resolve_device(device);
  } catch (const std::exception& e) {
    throw std::runtime_error("InferenceModel(" + checkpoint_path + "): " + e.what());
  }
  // The config decides the architecture, so it is read before the weights.
  const auto meta = load_checkpoint(checkpoint_path, nullptr, nullptr);
  try {
    m.config = TrainConfig::from_json(meta.config_json);
  } catch (const std::exception& e) {
    throw std::runtime_error("InferenceModel: bad config in " + checkpoint_path + ": " + e.what());
  }
  try {
    m.method_info = &find_method(meta.method);
  } catch (const std::exception& e) {
    throw std::runtime_error("checkpoint " + checkpoint_path + " was written by " + e.what());
  }
  if (meta.method != m.config.model.method)
    throw std::runtime_error("checkpoint " + checkpoint_path + " is inconsistent: network of method '" + meta.method +
                             "' but config of '" + m.config.model.method + "'");
  for (const auto& [key, text] : overrides) {
    const FieldSpec* field = find_field(key);
    if (!field || !overridable(key))
      throw std::invalid_argument("InferenceModel: '" + key + "' cannot be changed for inference (only dvr.mise_*, "
                                  "dvr.refine_steps, dvr.preview_resolution, dvr.chunk_points)");
    set_field_text(*field, m.config, text);
  }
  m.method = m.method_info->create(m.config);
  load_checkpoint(checkpoint_path, &m.method->network(), nullptr);
  for (const auto& p : m.method->network().named_parameters()) {
    if (!torch::isfinite(p.value()).all().item<bool>())
      throw std::runtime_error("checkpoint " + checkpoint_path + " holds non-finite weights ('" + p.key() +
                               "' is NaN or Inf): training diverged before it was written; use an earlier checkpoint");
  }
  m.step = meta.step;
  m.method->to(m.device);
  m.method->network().eval();
  for (auto& p : m.method->network().parameters()) p.set_requires_grad(false);
}

InferenceModel::~InferenceModel() = default;
const TrainConfig& InferenceModel::config() const { return impl_->config; }
const MethodInfo& InferenceModel::method() const { return *impl_->method_info; }
int64_t InferenceModel::step() const { return impl_->step; }
int64_t InferenceModel::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : impl_->method->network().parameters()) n += p.numel();
  return n;
}

InferenceResult InferenceModel::predict(const at::Tensor& images, const at::Tensor& world_mats, const at::Tensor& focals) {
  auto& m = *impl_;
  TORCH_CHECK(images.dim() == 4 && images.size(1) == 3, "InferenceModel::predict: images must be (B,3,S,S), got ",
              images.sizes());
  torch::NoGradGuard no_grad;
  InferenceResult out;
  out.prediction = m.method->predict(images.to(m.device, torch::kFloat32));
  m.method->extract_meshes(out.prediction, MeshDetail::Full);
  if (world_mats.defined()) {
    TORCH_CHECK(focals.defined(), "InferenceModel::predict: world_mats given without focals");
    TORCH_CHECK(world_mats.dim() == 3 && world_mats.size(0) == images.size(0),
                "InferenceModel::predict: world_mats must be (B,4,4), got ", world_mats.sizes());
    const RenderedViews views = m.method->render(out.prediction, world_mats.to(m.device, torch::kFloat32),
                                                 focals.to(m.device, torch::kFloat32), static_cast<int>(images.size(-1)));
    out.silhouettes = views.silhouettes;
    out.renders = views.images;
  }
  return out;
}

at::Tensor InferenceModel::field_slices(const Prediction& prediction, int resolution) {
  auto& m = *impl_;
  torch::NoGradGuard no_grad;
  const at::Tensor s = m.method->field_slices(on_device(prediction, m.device), resolution);
  return s.defined() ? s.to(torch::kCPU) : s;
}

RenderedViews InferenceModel::render(const Prediction& prediction, const at::Tensor& world_mats, const at::Tensor& focals,
                                     int image_size) {
  auto& m = *impl_;
  torch::NoGradGuard no_grad;
  return m.method->render(on_device(prediction, m.device), world_mats.to(m.device, torch::kFloat32), focals.to(m.device, torch::kFloat32), image_size);
}

}  // namespace dibr
