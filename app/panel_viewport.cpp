// 3D view panel: the selected preview object's or gallery image's prediction (E2's MeshViewport).
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/panels.h"
#include "cuda_interop/gl_buffer_interop.h"

namespace dibr::studio {

void draw_viewport_panel(StudioModel& model, PanelState& panel) {
  const PreviewData& p = model.shown_preview();
  const int selected = model.selected_object();
  MeshViewport& viewport = panel.viewport;
  if (const GalleryImage* image = model.viewing_image() ? model.shown_image() : nullptr) {
    ImGui::TextColored(ImVec4(0.5f, 0.8f, 1, 1), "image %s, step %lld", image->name.c_str(), static_cast<long long>(image->model_step));
  } else {
    ImGui::TextColored(p.from_checkpoint ? ImVec4(1, 0.8f, 0.3f, 1) : ImVec4(0.4f, 1, 0.5f, 1), "%s", p.label().c_str());
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::max(120.f, ImGui::GetContentRegionAvail().x * 0.45f));
  const std::string current = model.viewing_image() ? "(an image)" : p.count() > 0 ? p.preview_ids[std::clamp(selected, 0, p.count() - 1)] : "(none)";
  if (ImGui::BeginCombo("object", current.c_str())) {
    for (int i = 0; i < p.count(); ++i) {
      if (ImGui::Selectable(p.preview_ids[i].c_str(), i == selected)) model.select_object(i);
    }
    ImGui::EndCombo();
  }
  if (!model.compare_previews().empty() && model.compare_report() && !model.viewing_image()) {
    // The same object as predicted by each compared run (Export panel: Compare).
    const auto& runs = model.compare_report()->runs;
    const int view = model.compare_view();
    const std::string shown = view < 0 || view >= static_cast<int>(runs.size()) ? "the run on show" : runs[view].label;
    ImGui::SetNextItemWidth(std::max(120.f, ImGui::GetContentRegionAvail().x * 0.45f));
    if (ImGui::BeginCombo("run", shown.c_str())) {
      if (ImGui::Selectable("the run on show", view < 0)) model.set_compare_view(-1);
      for (int k = 0; k < static_cast<int>(runs.size()) && k < static_cast<int>(model.compare_previews().size()); ++k)
        if (ImGui::Selectable(runs[k].label.c_str(), view == k)) model.set_compare_view(k);
      ImGui::EndCombo();
    }
    panel.record("viewport.compare_run");
  }
  ImGui::Checkbox("wireframe", &viewport.wireframe);
  panel.record("viewport.wireframe");
  ImGui::SameLine();
  ImGui::Checkbox("GT points", &viewport.show_points);
  panel.record("viewport.points");
  ImGui::SameLine();
  if (ImGui::Button("Reset view")) viewport.reset_view();
  panel.record("viewport.reset");
  ImGui::SameLine();
  ImGui::TextDisabled("%s", viewport.upload_path());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("CUDA-GL interop: %s", interop_status().c_str());
  if (viewport.has_cloud()) {
    ImGui::SetNextItemWidth(std::max(80.f, ImGui::GetContentRegionAvail().x * 0.35f));
    ImGui::SliderFloat("point size", &viewport.cloud_point_size, 1.0f, 16.0f, "%.0f px");
    panel.record("viewport.point_size");
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (!viewport.has_mesh() && !viewport.has_cloud()) {
    ImGui::TextDisabled("no prediction yet");
    return;
  }
  viewport.draw("mesh", avail.x, std::max(avail.y - ImGui::GetTextLineHeightWithSpacing(), 50.f));
  panel.record("viewport");
  ImGui::TextDisabled("left drag: rotate | wheel: zoom | right/middle drag: pan | double click: reset");
}

}  // namespace dibr::studio
