#include "app/studio_settings.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "trainer/atomic_file.h"

namespace fs = std::filesystem;

namespace dibr::studio {
namespace {

// Reads `key` of `object` into *value when it is there with the right type and accepted by `ok`; a
// present but unusable value is named in *ignored.
template <typename T, typename Ok>
void read(const nlohmann::json& object, const char* key, const std::string& path, T* value, Ok ok,
          std::vector<std::string>* ignored) {
  if (!object.is_object() || !object.contains(key)) return;
  try {
    T v = object.at(key).get<T>();
    if (ok(v)) {
      *value = std::move(v);
      return;
    }
  } catch (const nlohmann::json::exception&) {
  }
  if (ignored) ignored->push_back(path + key);
}

bool valid_shares(const std::vector<float>& shares, size_t count) {
  if (shares.size() != count) return false;
  float sum = 0;
  for (float s : shares) {
    if (!std::isfinite(s) || s <= 0 || s >= 1) return false;
    sum += s;
  }
  return sum < 1;
}

const auto any = [](const auto&) { return true; };

}  // namespace

std::string studio_config_file(const std::string& name) {
  fs::path base;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = fs::path(home) / ".config";
  } else {
    return {};
  }
  return (base / "dibr-studio" / name).string();
}

bool StudioSettings::operator==(const StudioSettings& o) const {
  return window_width == o.window_width && window_height == o.window_height && ui_scale == o.ui_scale &&
         splits == o.splits && maximise_viewport == o.maximise_viewport && wireframe == o.wireframe &&
         gt_points == o.gt_points && grid == o.grid && axes == o.axes && cloud_point_size == o.cloud_point_size &&
         draw_less_while_training == o.draw_less_while_training && last_folder == o.last_folder;
}

nlohmann::json settings_to_json(const StudioSettings& s) {
  return {{"window", {{"width", s.window_width}, {"height", s.window_height}}},
          {"ui_scale", s.ui_scale},
          {"layout",
           {{"columns", s.splits.columns},
            {"left", s.splits.left},
            {"middle", s.splits.middle},
            {"middle_with_images", s.splits.middle_with_images},
            {"right", s.splits.right},
            {"maximise_viewport", s.maximise_viewport}}},
          {"view",
           {{"wireframe", s.wireframe},
            {"gt_points", s.gt_points},
            {"grid", s.grid},
            {"axes", s.axes},
            {"cloud_point_size", s.cloud_point_size},
            {"draw_less_while_training", s.draw_less_while_training}}},
          {"browser", {{"last_folder", s.last_folder}}}};
}

StudioSettings settings_from_json(const nlohmann::json& json, std::vector<std::string>* ignored) {
  StudioSettings s;
  const nlohmann::json empty = nlohmann::json::object();
  auto section = [&](const char* key) -> const nlohmann::json& {
    if (!json.is_object() || !json.contains(key)) return empty;
    if (!json.at(key).is_object()) {
      if (ignored) ignored->push_back(key);
      return empty;
    }
    return json.at(key);
  };
  const auto size_ok = [](int lo) { return [lo](int v) { return v >= lo && v <= 16384; }; };
  read(section("window"), "width", "window.", &s.window_width, size_ok(kMinimumWindowWidth), ignored);
  read(section("window"), "height", "window.", &s.window_height, size_ok(kMinimumWindowHeight), ignored);
  read(json, "ui_scale", "", &s.ui_scale,
       [](float v) { return v == 0 || (v >= kMinimumUiScale && v <= kMaximumUiScale); }, ignored);
  const nlohmann::json& layout = section("layout");
  const LayoutSplits defaults;
  for (const char* stack : {"columns", "left", "middle", "middle_with_images", "right"}) {
    const size_t count = defaults.stack(stack)->size();
    read(layout, stack, "layout.", s.splits.stack(stack), [count](const std::vector<float>& v) { return valid_shares(v, count); },
         ignored);
  }
  read(layout, "maximise_viewport", "layout.", &s.maximise_viewport, any, ignored);
  const nlohmann::json& view = section("view");
  read(view, "wireframe", "view.", &s.wireframe, any, ignored);
  read(view, "gt_points", "view.", &s.gt_points, any, ignored);
  read(view, "grid", "view.", &s.grid, any, ignored);
  read(view, "axes", "view.", &s.axes, any, ignored);
  read(view, "cloud_point_size", "view.", &s.cloud_point_size, [](float v) { return v >= 1 && v <= 16; }, ignored);
  read(view, "draw_less_while_training", "view.", &s.draw_less_while_training, any, ignored);
  read(section("browser"), "last_folder", "browser.", &s.last_folder, any, ignored);
  return s;
}

StudioSettings load_settings(const std::string& file, std::string* warning) {
  warning->clear();
  std::error_code ec;
  if (file.empty() || !fs::exists(file, ec)) return {};
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json json;
  try {
    if (!in) throw std::runtime_error("cannot be read");
    json = nlohmann::json::parse(text.str());
    if (!json.is_object()) throw std::runtime_error("is not a JSON object");
  } catch (const std::exception& e) {
    const std::string kept = file + ".bad";
    fs::rename(file, kept, ec);
    *warning = "settings: '" + file + "' " + (dynamic_cast<const nlohmann::json::exception*>(&e) ? "is not valid JSON" : e.what()) +
               "; the defaults are used" + (ec ? " (and it could not be moved aside: " + ec.message() + ")" : ", and it was kept as '" + kept + "'");
    return {};
  }
  std::vector<std::string> ignored;
  StudioSettings settings = settings_from_json(json, &ignored);
  if (!ignored.empty()) {
    *warning = "settings: '" + file + "': unusable values left at their defaults:";
    for (const auto& key : ignored) *warning += " " + key;
  }
  return settings;
}

void save_settings(const StudioSettings& settings, const std::string& file) {
  if (file.empty()) return;
  std::error_code ec;
  const fs::path path(file);
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) throw std::runtime_error("settings: cannot create '" + path.parent_path().string() + "': " + ec.message());
  write_file_atomically(file, settings_to_json(settings).dump(2) + "\n");
}

}  // namespace dibr::studio
