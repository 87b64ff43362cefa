#include "trainer/config.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <regex>
#include <stdexcept>

#include "trainer/config_table.h"
#include "trainer/method.h"

namespace dibr {
namespace {

nlohmann::json field_json(const FieldSpec& f, const TrainConfig& c) {
  TrainConfig& m = const_cast<TrainConfig&>(c);  // only read
  return std::visit([](auto* p) { return nlohmann::json(*p); }, f.ref(m));
}

// JSON values go through the same strict text parser as flags: 33.9 for an integer field is refused.
void set_field_json(const FieldSpec& f, TrainConfig& c, const nlohmann::json& v) {
  const std::string where = "'" + f.key() + "'";
  if (std::holds_alternative<std::vector<std::string>*>(f.ref(c))) {
    if (!v.is_array()) throw std::invalid_argument(where + " must be a list of strings");
    std::vector<std::string> items;
    for (const auto& item : v) {
      if (!item.is_string()) throw std::invalid_argument(where + " must be a list of strings");
      items.push_back(item.get<std::string>());
    }
    *std::get<std::vector<std::string>*>(f.ref(c)) = items;
    return;
  }
  if (f.numeric()) {
    if (!v.is_number()) throw std::invalid_argument(where + " must be a number in " + bounds_text(f) + ", got " + v.dump());
    set_field_text(f, c, v.dump());
    return;
  }
  if (!v.is_string()) throw std::invalid_argument(where + " must be a string, got " + v.dump());
  set_field_text(f, c, v.get<std::string>());
}

}  // namespace

TrainConfig TrainConfig::from_preset(const std::string& name) {
  const PresetSpec& preset = find_preset(name);
  TrainConfig c;
  c.preset = preset.name;
  c.model.method = preset.method;
  for (const auto& [key, value] : preset.values) {
    const FieldSpec* f = find_field(key);
    if (!f) throw std::logic_error("preset '" + name + "' sets unknown field '" + key + "'");
    set_field_text(*f, c, value);
  }
  return c;
}

TrainConfig TrainConfig::with_preset(const std::string& name) const {
  const TrainConfig old_defaults = from_preset(preset);
  TrainConfig next = from_preset(name);
  for (const auto& f : config_fields()) {
    if (field_json(f, *this) != field_json(f, old_defaults)) {
      if (f.key() == "model.method") continue;  // the preset decides the method
      set_field_json(f, next, field_json(f, *this));
    }
  }
  return next;
}

std::string TrainConfig::to_json() const {
  nlohmann::ordered_json j;
  j["preset"] = preset;
  for (const auto& f : config_fields()) j[f.group][f.name] = field_json(f, *this);
  return j.dump(2);
}

TrainConfig TrainConfig::from_json(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(std::string("config: invalid JSON: ") + e.what());
  }
  if (!j.is_object()) throw std::invalid_argument("config: expected a JSON object");

  // Keys that are absent keep the value of the named preset (or the defaults without one).
  TrainConfig c;
  if (j.contains("preset")) {
    if (!j["preset"].is_string()) throw std::invalid_argument("config: 'preset' must be a string");
    c = from_preset(j["preset"].get<std::string>());
  }
  bool flat = false;
  try {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "preset") continue;
      if (it.value().is_object()) {  // a group
        for (auto field = it.value().begin(); field != it.value().end(); ++field) {
          const FieldSpec* f = find_field(it.key() + "." + field.key());
          if (!f) throw std::invalid_argument("unknown key '" + it.key() + "." + field.key() + "'");
          set_field_json(*f, c, field.value());
        }
        continue;
      }
      // The flat form of configs written before the groups (old checkpoints and config.json files).
      const FieldSpec* f = nullptr;
      for (const auto& candidate : config_fields())
        if (candidate.legacy_name && it.key() == candidate.legacy_name) f = &candidate;
      if (!f) throw std::invalid_argument("unknown key '" + it.key() + "'");
      set_field_json(*f, c, it.value());
      flat = true;
    }
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("config: ") + e.what());
  }
  // Every run written in the flat form trained with our soft-mask rule (it was not a setting yet).
  if (flat) c.raster.soft_distance = "triangle";
  return c;
}

void validate(const TrainConfig& c) {
  for (const auto& f : config_fields()) {
    const std::string problem = check_field(f, c);
    if (!problem.empty()) throw std::invalid_argument("config: " + problem);
  }
  find_method(c.model.method);
  static const std::regex device(R"(auto|cpu|cuda(:\d{1,2})?)");
  if (!std::regex_match(c.system.device, device))
    throw std::invalid_argument("config: system.device (--device) must be auto, cpu, cuda or cuda:N, got '" +
                                c.system.device + "'");
  if (c.run.out_dir.empty()) throw std::invalid_argument("config: run.out_dir (--out) must not be empty");
  dvr_march_milestones(c.dvr);
}

std::vector<int64_t> dvr_march_milestones(const DvrConfig& dvr) {
  static const std::regex step(R"(\d{1,15})");
  std::vector<int64_t> out;
  for (const auto& item : dvr.march_milestones) {
    if (!std::regex_match(item, step) || (!out.empty() && std::stoll(item) <= out.back()))
      throw std::invalid_argument("config: dvr.march_milestones (--dvr-march-milestones) must be increasing step "
                                  "numbers, got '" + item + "'");
    out.push_back(std::stoll(item));
  }
  return out;
}

double learning_rate_at(const OptimConfig& o, int64_t step) {
  return o.learning_rate * std::pow(o.lr_decay, static_cast<double>(step / o.lr_decay_step));
}

}  // namespace dibr
