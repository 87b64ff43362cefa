#pragma once
// The config table's fields as CLI11 options, shared by `dibr train` and dibr-studio. Each value is checked where
// it is entered (parse time) with the field's name and bounds; only the flags given on the command line are
// applied, so they can be re-applied over any preset (the studio's preset switch keeps them).
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "trainer/config.h"
#include "trainer/config_table.h"

namespace dibr {

class ConfigFlags {
 public:
  // Adds one option per table row (plus --preset) to app.
  explicit ConfigFlags(CLI::App& app);
  // The --preset given, or "" when none was.
  std::string preset() const;
  // The preset a run starts from: --preset; else the first preset of --method (e.g. softras-quick); else "quick".
  // Throws std::invalid_argument when --preset belongs to another method than --method.
  std::string resolved_preset() const;
  // Sets the fields whose flags were given, in table order. Throws std::invalid_argument naming flag and bounds.
  void apply(TrainConfig& config) const;
  // Keys ("group.name") of the fields given on the command line.
  std::vector<std::string> given_keys() const;
  bool any_given() const { return !given_keys().empty(); }

 private:
  struct Entry {
    const FieldSpec* field;
    CLI::Option* option;
    std::string text;
  };
  std::vector<std::unique_ptr<Entry>> entries_;
  std::string preset_;
  CLI::Option* preset_option_ = nullptr;
};

}  // namespace dibr
