// Reads the studio's --ui-map file for the end-to-end scripts. No LibTorch here: the scripts call it
// several times a second while the studio under test trains on the same cores.
//   dibr_ui_query point UI_MAP NAME            prints the centre "X Y" of a control
//   dibr_ui_query rect UI_MAP NAME             prints "X Y W H" of a control (whole pixels)
//   dibr_ui_query state UI_MAP /JSON/POINTER   prints a state value (strings without quotes)
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>

namespace {

int fail(const std::string& message) {
  std::cerr << "dibr_ui_query: " << message << "\n";
  return 1;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read '" + path + "'");
  return nlohmann::json::parse(in);
}

int point(const std::string& map_path, const std::string& name) {
  const nlohmann::json j = read_json(map_path);
  if (!j.at("regions").contains(name)) return fail("no control '" + name + "' on screen (see " + map_path + ")");
  const auto r = j.at("regions").at(name);
  const double w = r[2].get<double>(), h = r[3].get<double>();
  if (w < 1 || h < 1) return fail("control '" + name + "' has no area: " + r.dump());
  std::printf("%d %d\n", static_cast<int>(r[0].get<double>() + w / 2), static_cast<int>(r[1].get<double>() + h / 2));
  return 0;
}

int rect(const std::string& map_path, const std::string& name) {
  const nlohmann::json j = read_json(map_path);
  if (!j.at("regions").contains(name)) return fail("no control '" + name + "' on screen (see " + map_path + ")");
  const auto r = j.at("regions").at(name);
  std::printf("%d %d %d %d\n", static_cast<int>(r[0].get<double>()), static_cast<int>(r[1].get<double>()),
              static_cast<int>(r[2].get<double>()), static_cast<int>(r[3].get<double>()));
  return 0;
}

int state(const std::string& map_path, const std::string& pointer) {
  const nlohmann::json j = read_json(map_path).at("state");
  const nlohmann::json::json_pointer p(pointer);
  if (!j.contains(p)) return fail("no state '" + pointer + "' in " + map_path);
  const nlohmann::json& v = j.at(p);
  std::printf("%s\n", v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string mode = argc == 4 ? argv[1] : "";
    if (mode == "point") return point(argv[2], argv[3]);
    if (mode == "rect") return rect(argv[2], argv[3]);
    if (mode == "state") return state(argv[2], argv[3]);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  std::cerr << "usage: dibr_ui_query point|rect UI_MAP NAME | state UI_MAP /JSON/POINTER\n";
  return 2;
}
