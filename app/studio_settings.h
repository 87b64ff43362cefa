#pragma once
// What the window remembers between launches: its size, UI scale, panel splits, the 3D view's toggles and
// the folder browser's last folder, in ($XDG_CONFIG_HOME or ~/.config)/dibr-studio/settings.json.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "app/studio_layout.h"

namespace dibr::studio {

// The studio's file `name` in its config folder; empty when neither XDG_CONFIG_HOME nor HOME is set.
std::string studio_config_file(const std::string& name);

constexpr float kMinimumUiScale = 0.5f, kMaximumUiScale = 3.0f;

struct StudioSettings {
  int window_width = 1600, window_height = 960;
  float ui_scale = 0;  // 0: never chosen (the monitor's content scale is used)
  LayoutSplits splits;
  bool maximise_viewport = false;
  bool wireframe = false, gt_points = true, grid = true, axes = true;
  float cloud_point_size = 4.0f;
  bool draw_less_while_training = true;
  std::string last_folder;  // the folder browser's last choice: it opens there next time

  bool operator==(const StudioSettings& o) const;
  bool operator!=(const StudioSettings& o) const { return !(*this == o); }
};

nlohmann::json settings_to_json(const StudioSettings& settings);
// Missing keys keep their defaults; a value of the wrong type or out of range too, and its key is added to
// *ignored (when given), so the caller can say which.
StudioSettings settings_from_json(const nlohmann::json& json, std::vector<std::string>* ignored = nullptr);

// A missing file gives the defaults. A file that cannot be read as settings is kept as `<file>.bad` (never
// overwritten by the next save) and the defaults are returned; *warning then says so, as does a file with
// ignored values.
StudioSettings load_settings(const std::string& file, std::string* warning);
// Atomic (temp file, then rename); throws std::runtime_error naming the file.
void save_settings(const StudioSettings& settings, const std::string& file);

}  // namespace dibr::studio
