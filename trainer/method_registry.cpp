#include <torch/nn/module.h>
#include <torch/optim/adam.h>

#include <stdexcept>

#include "trainer/fused_adam.h"
#include "trainer/method.h"
#include "trainer/methods/capnet_method.h"
#include "trainer/methods/dibr_method.h"
#include "trainer/methods/drwr_method.h"
#include "trainer/methods/dvr_method.h"
#include "trainer/methods/nmr_method.h"
#include "trainer/methods/softras_method.h"

namespace dibr {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

}  // namespace

std::unique_ptr<torch::optim::Adam> Method::make_optimizer(double learning_rate) {
  return std::make_unique<FusedAdam>(network().parameters(), torch::optim::AdamOptions(learning_rate));
}

// Adding a method: write trainer/methods/<name>_method.{h,cpp} and add its info here (docs/architecture.md).
const std::vector<MethodInfo>& all_methods() {
  static const std::vector<MethodInfo> methods = {dibr_method_info(),   softras_method_info(), nmr_method_info(),
                                                  drwr_method_info(),   twodpm_method_info(),  capnet_method_info(),
                                                  differ_method_info(), dvr_method_info()};
  return methods;
}

bool setting_applies_to(const std::string& key, const std::string& method) {
  bool owned = false;
  for (const auto& m : all_methods())
    for (const auto& own : m.own_settings) {
      const bool match = own.back() == '.' ? key.rfind(own, 0) == 0 : key == own;
      if (!match) continue;
      if (m.name == method) return true;
      owned = true;
    }
  return !owned;
}

const MethodInfo& find_method(const std::string& name) {
  for (const auto& m : all_methods())
    if (m.name == name) return m;
  throw std::invalid_argument("unknown method '" + name + "' (known: " + join(method_names()) + ")");
}

std::vector<std::string> method_names() {
  std::vector<std::string> names;
  for (const auto& m : all_methods()) names.push_back(m.name);
  return names;
}

std::vector<const PresetSpec*> all_presets() {
  std::vector<const PresetSpec*> presets;
  for (const auto& m : all_methods())
    for (const auto& p : m.presets) presets.push_back(&p);
  return presets;
}

const PresetSpec& find_preset(const std::string& name) {
  for (const PresetSpec* p : all_presets())
    if (p->name == name) return *p;
  throw std::invalid_argument("unknown preset '" + name + "' (known: " + join(preset_names()) + ")");
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const PresetSpec* p : all_presets()) names.push_back(p->name);
  return names;
}

}  // namespace dibr
