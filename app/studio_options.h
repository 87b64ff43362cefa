#pragma once
// Command-line flags of dibr-studio.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dibr::studio {

struct StudioOptions {
  std::string data_root;       // empty: the built-in sample
  std::string out_dir;         // empty: the preset's run folder
  std::string preset = "quick";
  std::optional<int64_t> max_steps;
  std::optional<int> image_size;
  std::optional<int> batch_objects;
  std::optional<int64_t> checkpoint_every;
  std::vector<std::string> classes;
  std::string screenshot_dir;  // empty: <out>/screenshots
  std::string ui_map;          // empty: off; else kept up to date with control rectangles and state (JSON)
  int window_width = 1600, window_height = 960;
  bool autostart = false;      // start training as soon as the window is open
};

// "1280x800" -> {1280, 800}; throws std::invalid_argument naming the flag otherwise.
std::pair<int, int> parse_window_size(const std::string& text);

// Returns the options, or std::nullopt after printing help/an error; exit_code is then what main returns.
std::optional<StudioOptions> parse_studio_options(int argc, char** argv, int& exit_code);

}  // namespace dibr::studio
