#pragma once
// Why a studio control cannot act now: the panels grey the control and show the reason as its tooltip, and the
// UI map's state lists every greyed control with its reason ("unavailable"), so tests and scripts see what a user
// sees. The rules read only the headless StudioModel; controls whose state lives in the window (the loss plot's
// zoom, the pictures' pages) give their reason where they are drawn.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "app/studio_model.h"

namespace dibr::studio {

// The reason `control` (its UI map name, e.g. "training.stop") cannot act now, "" when it can or has no rule.
std::string why_unavailable(const StudioModel& model, const std::string& control);
// The controls with a rule, in UI map names ("training.settings": every setting and class tick-box).
const std::vector<std::string>& controls_with_rules();
// {control: reason} for every control with a rule that cannot act now.
nlohmann::json unavailable_json(const StudioModel& model);

}  // namespace dibr::studio
