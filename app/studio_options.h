#pragma once
// Command-line flags of dibr-studio: every training setting of the config table (the same flags as `dibr train`)
// plus the window's own.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trainer/config.h"

namespace dibr::studio {

struct StudioOptions {
  TrainConfig config;                   // the preset (--preset, default quick) with the config flags applied
  std::vector<std::string> given_keys;  // config fields set by flags: they survive preset switches
  bool preset_given = false;            // --preset was on the command line (else a run in --out keeps its own settings)
  std::string screenshot_dir;  // empty: <out>/screenshots
  std::string ui_map;          // empty: off; else kept up to date with control rectangles and state (JSON)
  int window_width = 1600, window_height = 960;
  bool window_given = false;  // --window: else the size the window had when last closed (StudioSettings)
  float ui_scale = 0;         // --ui-scale: else the one chosen in the View menu, else the monitor's content scale
  bool autostart = false;      // start training as soon as the window is open
  double max_fps = 60;         // frame cap while the user interacts
  double training_fps = 10;    // frame cap while training without input (0: max_fps)
  int training_nice = 10;      // the training thread's nice value (0: the window's priority); app/thread_priority.h
  bool validate_checkpoints = true;  // score each checkpoint on the val split in the background (--no-validate: off)
};

// "1280x800" -> {1280, 800}, at least kMinimumWindowWidth x kMinimumWindowHeight; throws std::invalid_argument naming the flag otherwise.
std::pair<int, int> parse_window_size(const std::string& text);

// Returns the options, or std::nullopt after printing help/an error; exit_code is then what main returns.
std::optional<StudioOptions> parse_studio_options(int argc, char** argv, int& exit_code);

}  // namespace dibr::studio
