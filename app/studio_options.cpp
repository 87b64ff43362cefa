#include "app/studio_options.h"

#include <CLI/CLI.hpp>

#include <stdexcept>

namespace dibr::studio {

std::pair<int, int> parse_window_size(const std::string& text) {
  const auto x = text.find_first_of("xX");
  try {
    if (x == std::string::npos) throw std::invalid_argument("no 'x'");
    size_t used_w = 0, used_h = 0;
    const int w = std::stoi(text.substr(0, x), &used_w);
    const int h = std::stoi(text.substr(x + 1), &used_h);
    if (used_w != x || used_h != text.size() - x - 1 || w < 320 || h < 240 || w > 16384 || h > 16384) {
      throw std::invalid_argument("out of range");
    }
    return {w, h};
  } catch (const std::exception&) {
    throw std::invalid_argument("--window '" + text + "': expected WIDTHxHEIGHT, at least 320x240 (e.g. 1600x960)");
  }
}

std::optional<StudioOptions> parse_studio_options(int argc, char** argv, int& exit_code) {
  StudioOptions o;
  std::string window;
  int64_t max_steps = 0, checkpoint_every = 0;
  int size = 0, batch = 0;
  CLI::App app("DIB-R Studio: train single-image 3D mesh reconstruction and watch it learn.", "dibr-studio");
  app.add_option("--data", o.data_root, "NMR dataset root (default: the built-in sample)");
  app.add_option("--out", o.out_dir, "run folder for checkpoints and exports (default: the preset's)");
  app.add_option("--preset", o.preset, "training preset")->check(CLI::IsMember({"quick", "paper"}))->capture_default_str();
  auto* max_steps_opt = app.add_option("--max-steps", max_steps, "stop training at this step")->check(CLI::PositiveNumber);
  auto* size_opt = app.add_option("--size", size, "input and render resolution")->check(CLI::PositiveNumber);
  auto* batch_opt = app.add_option("--batch", batch, "objects per batch")->check(CLI::PositiveNumber);
  auto* ckpt_opt = app.add_option("--checkpoint-every", checkpoint_every, "write a checkpoint this often (steps)")
                       ->check(CLI::PositiveNumber);
  app.add_option("--classes", o.classes, "comma-separated class ids (default: all)")->delimiter(',');
  app.add_option("--screenshot-dir", o.screenshot_dir, "where Ctrl+P saves PNGs (default: <out>/screenshots)");
  app.add_option("--ui-map", o.ui_map, "keep this JSON file up to date with where each control is and what the studio shows (for scripts and tests)");
  app.add_option("--window", window, "window size WxH (default 1600x960)");
  app.add_flag("--start", o.autostart, "start training right away");
  try {
    app.parse(argc, argv);
    if (!window.empty()) std::tie(o.window_width, o.window_height) = parse_window_size(window);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return std::nullopt;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "dibr-studio: %s\n", e.what());
    exit_code = 2;
    return std::nullopt;
  }
  if (max_steps_opt->count()) o.max_steps = max_steps;
  if (size_opt->count()) o.image_size = size;
  if (batch_opt->count()) o.batch_objects = batch;
  if (ckpt_opt->count()) o.checkpoint_every = checkpoint_every;
  exit_code = 0;
  return o;
}

}  // namespace dibr::studio
