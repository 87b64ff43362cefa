// An action's error in the panel where the user started it (the message log keeps every message), and why a greyed
// control cannot act.
#include <imgui.h>

#include <string>

#include "app/panels.h"
#include "app/unavailable_controls.h"

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

bool reasoned_button(PanelState& panel, const std::string& control, const char* label, const std::string& why,
                     ButtonSize size) {
  ImGui::BeginDisabled(!why.empty());
  const bool clicked = size == ButtonSize::Small ? ImGui::SmallButton(label) : ImGui::Button(label);
  ImGui::EndDisabled();
  panel.record(control);
  unavailable_tooltip(why);
  return clicked;
}

bool reasoned_button(const StudioModel& model, PanelState& panel, const char* control, const char* label,
                     ButtonSize size) {
  return reasoned_button(panel, control, label, why_unavailable(model, control), size);
}

}  // namespace dibr::studio
