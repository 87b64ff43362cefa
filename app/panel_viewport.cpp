// 3D view panel: the selected preview object's predicted mesh (E2's MeshViewport).
#include <imgui.h>

#include <string>

#include "app/studio_app.h"
#include "cuda_interop/gl_buffer_interop.h"

namespace dibr::studio {

void StudioApp::draw_viewport_panel() {
  const PreviewData& p = shown_preview();
  ImGui::TextColored(p.from_checkpoint ? ImVec4(1, 0.8f, 0.3f, 1) : ImVec4(0.4f, 1, 0.5f, 1), "%s", p.label().c_str());
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(120.f, ImGui::GetContentRegionAvail().x * 0.45f));
  const std::string current = p.count() > 0 ? p.ids[std::clamp(selected_object_, 0, p.count() - 1)] : "(none)";
  if (ImGui::BeginCombo("object", current.c_str())) {
    for (int i = 0; i < p.count(); ++i) {
      if (ImGui::Selectable(p.ids[i].c_str(), i == selected_object_)) selected_object_ = i;
    }
    ImGui::EndCombo();
  }
  ImGui::Checkbox("wireframe", &viewport_.wireframe);
  record_region("viewport.wireframe");
  ImGui::SameLine();
  ImGui::Checkbox("GT points", &viewport_.show_points);
  record_region("viewport.points");
  ImGui::SameLine();
  if (ImGui::Button("Reset view")) viewport_.reset_view();
  record_region("viewport.reset");
  ImGui::SameLine();
  ImGui::TextDisabled("%s", viewport_.upload_path());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("CUDA-GL interop: %s", interop_status().c_str());
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (!viewport_.has_mesh()) {
    ImGui::TextDisabled("no mesh yet");
    return;
  }
  viewport_.draw("mesh", avail.x, std::max(avail.y - ImGui::GetTextLineHeightWithSpacing(), 50.f));
  record_region("viewport");
  ImGui::TextDisabled("left drag: rotate | wheel: zoom | right/middle drag: pan | double click: reset");
}

}  // namespace dibr::studio
