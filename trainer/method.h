#pragma once
// The method seam: everything that differs between reconstruction methods (DIB-R today; NMR, SoftRas, DRWR/2DPM,
// CAPNet/DIFFER and DVR are designed against it, see docs/architecture.md) sits behind `Method`. The trainer,
// checkpoints, eval, the chamfer report and the studio see only this interface, a Prediction (prediction.h) and
// the method's name, which every checkpoint records.
#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "trainer/config.h"
#include "trainer/loader.h"
#include "trainer/prediction.h"

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Adam;
}

namespace dibr {

// The loss of one step: `total` carries the gradient; `terms` are the unweighted terms, in the order of
// MethodInfo::loss_terms (metrics.csv columns, loss curves).
struct StepLosses {
  at::Tensor total;
  std::vector<at::Tensor> terms;
};

// How finely an implicit field is meshed: Preview for the live snapshots (coarse, no refinement), Full for eval,
// export and checkpoints (the method's extraction settings).
enum class MeshDetail { Preview, Full };

// Each prediction rendered from the camera it was predicted from (previews, eval strips).
struct RenderedViews {
  at::Tensor silhouettes;  // (B,S,S) in [0,1]
  at::Tensor images;       // (B,3,S,S) in [0,1], or undefined for silhouette-only methods
};

class Method {
 public:
  virtual ~Method() = default;
  // The trained network: what the optimiser steps and checkpoints store.
  virtual torch::nn::Module& network() = 0;
  // The optimiser over network(), after to(): Adam by default; a method may use its own flavour (e.g. NMR's
  // per-layer lr multipliers). The trainer sets every group's lr to the schedule's value each step.
  virtual std::unique_ptr<torch::optim::Adam> make_optimizer(double learning_rate);
  // Moves the network and every constant the method keeps (template, Laplacian, ...).
  virtual void to(const c10::Device& device) = 0;
  // Called by the trainer before each training step's predict, with the step's index (from 0) and learning rate
  // (schedules the method owns, e.g. SoftRas's sigma).
  virtual void begin_step(int64_t /*step*/, double /*learning_rate*/) {}
  // images (B,3,S,S) in [0,1] on the method's device.
  virtual Prediction predict(const at::Tensor& images) = 0;
  // The renders and losses of one training step; the batch is on the method's device. Views of one object are
  // adjacent in the batch (loader.h).
  virtual StepLosses step_losses(const Prediction& prediction, const Batch& batch) = 0;
  // ImplicitField methods mesh every object of `prediction` into prediction.meshes (and mesh_colors); the
  // others have nothing to do. Called by the snapshot (Preview) and by InferenceModel::predict (Full).
  virtual void extract_meshes(Prediction& /*prediction*/, MeshDetail /*detail*/) {}
  // ImplicitField methods: the occupancy probability of every object on the planes x = 0, y = 0 and z = 0 across
  // the unit cube, (B,3,resolution,resolution) (row = the plane's second axis from + to -, column = its first axis
  // from - to +); undefined for the other kinds.
  virtual at::Tensor field_slices(const Prediction& /*prediction*/, int /*resolution*/) { return {}; }
  // world_mats (B,4,4), focals (B) on the method's device.
  virtual RenderedViews render(const Prediction& prediction, const at::Tensor& world_mats, const at::Tensor& focals,
                               int image_size) = 0;
};

// A named set of values over the config table (config_table.h keys), applied over TrainConfig's defaults.
struct PresetSpec {
  std::string name;         // "quick", "paper"
  std::string method;       // the method it trains
  std::string description;  // one line for --help and the studio
  std::vector<std::pair<std::string, std::string>> values;  // field key -> value text
};

struct MethodInfo {
  std::string name;   // as in --method and checkpoints: "dibr"
  std::string title;  // "DIB-R (Chen et al., NeurIPS 2019)"
  PredictionKind prediction = PredictionKind::Mesh;
  std::vector<std::string> loss_terms;  // names of StepLosses::terms
  std::vector<PresetSpec> presets;
  // Config fields only this method reads, as keys ("model.decoder_hidden") or group prefixes ("raster."); a field
  // that no method lists is read by every method.
  std::vector<std::string> own_settings;
  // Whether the batches of a run with this config carry visual-hull depth maps (Batch::visual_hull_depth).
  std::function<bool(const TrainConfig&)> loads_visual_hull;
  // Builds the method on the CPU with the weights of a fresh run (seeded by the caller).
  std::function<std::unique_ptr<Method>(const TrainConfig&)> create;
};

const std::vector<MethodInfo>& all_methods();
// Whether `method` reads the config field `key` ("group.name"; see MethodInfo::own_settings).
bool setting_applies_to(const std::string& key, const std::string& method);
// Throws std::invalid_argument listing the known methods.
const MethodInfo& find_method(const std::string& name);
std::vector<std::string> method_names();

// Every method's presets; names are unique across methods.
std::vector<const PresetSpec*> all_presets();
// Throws std::invalid_argument listing the known presets.
const PresetSpec& find_preset(const std::string& name);
std::vector<std::string> preset_names();

}  // namespace dibr
