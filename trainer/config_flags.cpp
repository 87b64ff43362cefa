#include "trainer/config_flags.h"

#include "trainer/method.h"

namespace dibr {

ConfigFlags::ConfigFlags(CLI::App& app) {
  std::string presets_help = "training preset:";
  for (const PresetSpec* p : all_presets()) presets_help += "\n  " + p->name + ": " + p->description;
  preset_option_ = app.add_option("--preset", preset_, presets_help)->check(CLI::IsMember(preset_names()));
  for (const auto& field : config_fields()) {
    auto entry = std::make_unique<Entry>();
    entry->field = &field;
    std::string help = field.help;
    const std::string bounds = bounds_text(field);
    if (!bounds.empty()) help += " " + bounds;
    const FieldSpec* f = &field;
    entry->option = app.add_option(field.flag, entry->text, help)
                        ->check(CLI::Validator(
                            [f](std::string& value) {
                              TrainConfig probe;
                              try {
                                set_field_text(*f, probe, value);
                              } catch (const std::invalid_argument& e) {
                                return std::string(e.what());
                              }
                              return std::string();
                            },
                            "", ""));
    if (std::string(field.flag) == "--method") entry->option->check(CLI::IsMember(method_names()));
    entries_.push_back(std::move(entry));
  }
}

std::string ConfigFlags::preset() const { return preset_option_->count() > 0 ? preset_ : std::string(); }

std::string ConfigFlags::resolved_preset() const {
  std::string method;
  for (const auto& e : entries_)
    if (e->option->count() > 0 && e->field->key() == "model.method") method = e->text;
  if (!preset().empty()) {
    const PresetSpec& p = find_preset(preset());
    if (!method.empty() && method != p.method)
      throw std::invalid_argument("--method " + method + " contradicts --preset " + p.name + " (a " + p.method +
                                  " preset); give one of them, or a preset of " + method);
    return p.name;
  }
  if (!method.empty() && !find_method(method).presets.empty()) return find_method(method).presets.front().name;
  return "quick";
}

void ConfigFlags::apply(TrainConfig& config) const {
  for (const auto& e : entries_)
    if (e->option->count() > 0) set_field_text(*e->field, config, e->text);
}

std::vector<std::string> ConfigFlags::given_keys() const {
  std::vector<std::string> keys;
  for (const auto& e : entries_)
    if (e->option->count() > 0) keys.push_back(e->field->key());
  return keys;
}

}  // namespace dibr
