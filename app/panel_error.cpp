// An action's error in the panel where the user started it (the message log keeps every message), and why a greyed
// control cannot act.
#include <imgui.h>

#include <string>

#include "app/panels.h"

namespace dibr::studio {

void draw_panel_error(StudioModel& model, PanelState& panel, const char* action) {
  const std::string text = model.panel_error(action);
  if (text.empty()) return;
  ImGui::PushID(action);
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.4f, 1));
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
  panel.record(std::string("error:") + action);
  if (ImGui::SmallButton("dismiss")) model.dismiss_error(action);
  panel.record(std::string("error.dismiss:") + action);
  ImGui::PopID();
}

void unavailable_tooltip(const std::string& why) {
  if (!why.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", why.c_str());
}

}  // namespace dibr::studio
