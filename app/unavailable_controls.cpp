#include "app/unavailable_controls.h"

namespace dibr::studio {
namespace {

constexpr const char* kTrainingSettings = "training.settings";

std::string why_start(const StudioModel& model) {
  if (const auto& writer = model.followed_writer())
    return "another process trains this run folder (" + writer->describe() + "); choose another output folder to train here";
  switch (model.run_state()) {
    case RunState::Creating:
    case RunState::Running: return "training is running";
    case RunState::Stopping: return "training is stopping (writing latest.pt)";
    default: break;
  }
  if (!model.dataset() && !model.dataset_checking()) return "no dataset is open: open a dataset folder or the built-in sample";
  return {};
}

std::string why_not_exportable(const StudioModel& model) {
  if (model.viewing_image()) return {};
  const PreviewData& p = model.shown_preview();
  if (p.count() == 0 || p.prediction.count() == 0)
    return "there is no prediction in the 3D view yet: start training, or pick a checkpoint";
  return {};
}

}  // namespace

const std::vector<std::string>& controls_with_rules() {
  static const std::vector<std::string> controls = {
      kTrainingSettings, "training.start", "training.pause", "training.stop", "dataset.recent", "export.obj",
      "export.save_as",  "export.batch",   "export.chamfer", "compare.start", "images.remove",  "images.clear",
      "loss.csv",        "loss.png"};
  return controls;
}

std::string why_unavailable(const StudioModel& model, const std::string& control) {
  const RunState state = model.run_state();
  if (control == kTrainingSettings)
    return model.training_active() ? "a run is in progress: stop it to change its settings (they are the run's now)" : "";
  if (control == "training.start") return why_start(model);
  if (control == "training.pause") {
    if (state == RunState::Paused) return "training is paused: Resume (Ctrl+T) continues it";
    return state == RunState::Running ? "" : "nothing is training";
  }
  if (control == "training.stop") {
    const bool stoppable = state == RunState::Running || state == RunState::Creating || state == RunState::Paused;
    return stoppable ? "" : state == RunState::Stopping ? "training is stopping (writing latest.pt)" : "nothing is training";
  }
  if (control == "dataset.recent") return model.recent().folders().empty() ? "no dataset folder has been opened yet" : "";
  if (control == "export.obj" || control == "export.save_as") return why_not_exportable(model);
  if (control == "export.batch") {
    if (model.checkpoints().empty()) return "no checkpoint in " + model.out_dir() + " yet";
    return model.dataset() ? "" : "no dataset is open";
  }
  if (control == "export.chamfer") {
    if (!model.dataset()) return "no dataset is open";
    return model.predictions_dir().empty() ? "no predictions folder: run a batch export first, or type a folder" : "";
  }
  if (control == "compare.start") {
    if (!model.dataset()) return "no dataset is open";
    return model.compare_runs().empty() ? "add a run to compare with (Add run...)" : "";
  }
  if (control == "images.remove" || control == "images.clear")
    return model.gallery().images().empty() ? "no pictures are open (Open image... or drop one on the window)" : "";
  if (control == "loss.csv" || control == "loss.png") return model.loss_history().empty() ? "no loss values yet" : "";
  return {};
}

nlohmann::json unavailable_json(const StudioModel& model) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& control : controls_with_rules())
    if (std::string why = why_unavailable(model, control); !why.empty()) out[control] = std::move(why);
  return out;
}

}  // namespace dibr::studio
