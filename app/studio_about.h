#pragma once
// Help > About: what this build is and where its documentation lives, as (label, value) rows.
#include <string>
#include <utility>
#include <vector>

namespace dibr::studio {

// The docs folder of the source tree this studio was built from ("" when it is no longer there).
std::string docs_folder();

// Version, build, LibTorch, ImGui, the device training uses, the GL renderer (given by the caller, which owns
// the context) and the docs' location.
std::vector<std::pair<std::string, std::string>> about_rows(const std::string& gl_renderer);

}  // namespace dibr::studio
