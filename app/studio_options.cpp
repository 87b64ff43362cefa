#include "app/studio_options.h"

#include <CLI/CLI.hpp>

#include <stdexcept>

#include "app/studio_settings.h"
#include "trainer/config_flags.h"

namespace dibr::studio {

std::pair<int, int> parse_window_size(const std::string& text) {
  const auto x = text.find_first_of("xX");
  try {
    if (x == std::string::npos) throw std::invalid_argument("no 'x'");
    size_t used_w = 0, used_h = 0;
    const int w = std::stoi(text.substr(0, x), &used_w);
    const int h = std::stoi(text.substr(x + 1), &used_h);
    if (used_w != x || used_h != text.size() - x - 1 || w < kMinimumWindowWidth || h < kMinimumWindowHeight || w > 16384 ||
        h > 16384) {
      throw std::invalid_argument("out of range");
    }
    return {w, h};
  } catch (const std::exception&) {
    throw std::invalid_argument("--window '" + text + "': expected WIDTHxHEIGHT, at least " + std::to_string(kMinimumWindowWidth) + "x" +
                                std::to_string(kMinimumWindowHeight) + " (e.g. 1600x960)");
  }
}

std::optional<StudioOptions> parse_studio_options(int argc, char** argv, int& exit_code) {
  StudioOptions o;
  std::string window;
  CLI::App app("DIB-R Studio: train single-image 3D reconstruction and watch it learn. Every `dibr train` setting "
               "can be given as a flag; values set here are kept when the preset is switched in the window.",
               "dibr-studio");
  ConfigFlags config_flags(app);
  app.add_option("--screenshot-dir", o.screenshot_dir, "where Ctrl+P saves PNGs (default: <out>/screenshots)");
  app.add_option("--ui-map", o.ui_map, "keep this JSON file up to date with where each control is and what the studio shows (for scripts and tests)");
  app.add_option("--window", window, "window size WxH (default: the size it had when last closed, first 1600x960)");
  app.add_option("--ui-scale", o.ui_scale, "size of text and controls, e.g. 1.5 on a HiDPI screen (default: the View menu's choice, else the monitor's scale)")
      ->check(CLI::Range(kMinimumUiScale, kMaximumUiScale));
  app.add_flag("--start", o.autostart, "start training right away");
  app.add_option("--max-fps", o.max_fps, "frame cap while you interact with the window")->check(CLI::Range(5.0, 1000.0))->capture_default_str();
  app.add_option("--training-fps", o.training_fps,
                 "frame cap while training runs and you do not touch the window (0: --max-fps); drawing takes cores from training")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  app.add_option("--training-nice", o.training_nice,
                 "the training thread's nice value, 0-19 (0: the same priority as the window); higher keeps the window "
                 "responsive on few cores while training runs")
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  bool no_validate = false;
  app.add_flag("--no-validate", no_validate,
               "do not score checkpoints on the val split in the background (they are otherwise, as `dibr validate` does)");
  try {
    app.parse(argc, argv);
    o.validate_checkpoints = !no_validate;
    if (!window.empty()) std::tie(o.window_width, o.window_height) = parse_window_size(window);
    o.window_given = !window.empty();
    o.config = TrainConfig::from_preset(config_flags.resolved_preset());
    config_flags.apply(o.config);
    o.given_keys = config_flags.given_keys();
    o.preset_given = !config_flags.preset().empty();
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return std::nullopt;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "dibr-studio: %s\n", e.what());
    exit_code = 2;
    return std::nullopt;
  }
  exit_code = 0;
  return o;
}

}  // namespace dibr::studio
