#pragma once
// The one table of training settings. Each row names a field of TrainConfig (group and key), its command-line
// flag, its studio label, help text and bounds. JSON (config.cpp), the flags of `dibr train` and dibr-studio
// (config_flags.h), the studio's panel and validation are all driven by it, so a bound or a name is written once.
// Presets are rows of values over this table, owned by the methods (trainer/method.h).
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "trainer/config.h"

namespace dibr {

using FieldRef = std::variant<int*, int64_t*, uint64_t*, double*, std::string*, std::vector<std::string>*>;

enum class FieldSection { Basic, Advanced };  // where the studio shows it

struct FieldSpec {
  const char* group;   // JSON group: data, model, optim, loss, raster, softras, nmr, run, system
  const char* name;    // JSON key inside the group; also the flat (pre-group) key unless legacy_name is set
  const char* flag;    // e.g. "--lr"
  const char* label;   // short label for the studio panel
  const char* help;
  double min = 0, max = 0;           // inclusive bounds of numeric fields
  std::vector<std::string> choices;  // allowed values of a text field (empty = any text)
  FieldSection section = FieldSection::Advanced;
  const char* legacy_name = nullptr; // key in the flat JSON of checkpoints written before the groups
  FieldRef (*ref)(TrainConfig&) = nullptr;

  std::string key() const { return std::string(group) + "." + name; }
  bool numeric() const;
  bool integral() const;
};

const std::vector<FieldSpec>& config_fields();
// By "group.name", by flat legacy name, or by flag ("--lr"); null when unknown.
const FieldSpec* find_field(const std::string& key_or_flag);

// "[16, 1024]" for numbers, "one of auto, cpu, cuda" for choices, "" for free text.
std::string bounds_text(const FieldSpec& field);
// "data.image_size (--size) must be an integer in [16, 1024], got 8" or "" when the value is fine.
std::string check_field(const FieldSpec& field, const TrainConfig& config);
// The value as text (lists comma-separated, reals with %.10g).
std::string field_text(const FieldSpec& field, const TrainConfig& config);
// Parses text strictly (an integer field refuses 33.9 and 1e99, a real refuses nan) and checks the bounds.
// Throws std::invalid_argument with the field's key, flag and bounds.
void set_field_text(const FieldSpec& field, TrainConfig& config, const std::string& text);
// Numeric value as a double (for the studio's sliders); throws for text fields.
double field_number(const FieldSpec& field, const TrainConfig& config);
void set_field_number(const FieldSpec& field, TrainConfig& config, double value);  // checked like set_field_text

}  // namespace dibr
