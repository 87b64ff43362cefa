// Silhouette panel: per preview object, input | GT mask | predicted silhouette | difference (| an implicit field's slice).
#include <imgui.h>

#include <algorithm>

#include "app/panels.h"

namespace dibr::studio {

void draw_silhouette_panel(StudioModel& model, PanelState& panel) {
  const PreviewData& p = model.shown_preview();
  const int selected = model.selected_object();
  const auto& textures = panel.textures;
  ImGui::TextColored(p.from_checkpoint ? ImVec4(1, 0.8f, 0.3f, 1) : ImVec4(0.4f, 1, 0.5f, 1), "%s", p.label().c_str());
  ImGui::SameLine();
  ImGui::TextDisabled("| difference: red = predicted only, green = GT only, white = both");
  if (p.count() == 0 || textures.size() < static_cast<size_t>(p.count()) * 4) {
    ImGui::TextDisabled("start training (Ctrl+T) or pick a checkpoint to see predictions");
    return;
  }
  // Compared runs (Export panel: Compare) add a column each: their silhouette of the same object.
  const auto& compared = model.compare_previews();
  int extra = 0;
  if (!compared.empty() && panel.compare_textures.size() == compared.size() * static_cast<size_t>(p.count())) {
    extra = static_cast<int>(compared.size());
    for (const auto& c : compared)
      if (c.preview_ids != p.preview_ids) extra = 0;  // other objects: not side by side
  }
  // An implicit field (DVR) adds its occupancy on one plane through the object's centre.
  const int slice = p.field_slices.defined() && panel.slice_textures.size() == static_cast<size_t>(p.count()) ? 1 : 0;
  if (slice) {
    static const char* axes[] = {"x = 0", "y = 0", "z = 0"};
    int axis = model.field_slice_axis();
    ImGui::SetNextItemWidth(90);
    if (ImGui::Combo("field slice", &axis, axes, 3)) model.set_field_slice_axis(axis);
    panel.record("silhouettes.slice_axis");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("the occupancy field on this plane of the unit cube: blue free, red occupied, white the surface");
  }
  const int first_extra = 4 + slice;
  const int columns = first_extra + extra;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float label_h = ImGui::GetTextLineHeightWithSpacing();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const float cell = std::max(16.f, std::min((avail.x - (columns + 1) * spacing - 10) / columns,
                                             (avail.y - label_h * (p.count() + 1)) / p.count() - spacing));
  const ImVec2 grid_start = ImGui::GetCursorScreenPos();
  static const char* headers[] = {"input", "GT mask", "predicted", "difference"};
  for (int c = 0; c < columns; ++c) {
    ImGui::SetCursorScreenPos(ImVec2(grid_start.x + c * (cell + spacing), grid_start.y));
    if (c < 4) {
      ImGui::TextUnformatted(headers[c]);
    } else if (c < first_extra) {
      ImGui::TextUnformatted("field");
    } else {
      const auto& run = model.compare_report()->runs;
      const std::string label = c - first_extra < static_cast<int>(run.size()) ? run[c - first_extra].label : "?";
      ImGui::PushClipRect(ImGui::GetCursorScreenPos(), ImVec2(ImGui::GetCursorScreenPos().x + cell, ImGui::GetCursorScreenPos().y + label_h), true);
      ImGui::TextUnformatted(label.c_str());
      ImGui::PopClipRect();
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", label.c_str());
    }
  }
  for (int i = 0; i < p.count(); ++i) {
    const float y = grid_start.y + label_h + i * (cell + spacing + label_h);
    for (int c = 0; c < 4; ++c) {
      ImGui::SetCursorScreenPos(ImVec2(grid_start.x + c * (cell + spacing), y));
      const ImageTexture& t = textures[i * 4 + c];
      const bool is_selected = i == selected;
      ImGui::PushID(i * 4 + c);
      if (ImGui::ImageButton(t.id(), ImVec2(cell, cell), ImVec2(0, 0), ImVec2(1, 1), is_selected ? 2 : 0,
                             ImVec4(0, 0, 0, 1), ImVec4(1, 1, 1, 1))) {
        model.select_object(i);
        model.set_compare_view(-1);
      }
      ImGui::PopID();
      if (c == 0) panel.record("silhouettes.row:" + std::to_string(i));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (click: show in the 3D view)", p.preview_ids[i].c_str());
    }
    if (slice) {
      ImGui::SetCursorScreenPos(ImVec2(grid_start.x + 4 * (cell + spacing), y));
      ImGui::Image(panel.slice_textures[i].id(), ImVec2(cell, cell));
      panel.record("silhouettes.slice:" + std::to_string(i));
    }
    for (int k = 0; k < extra; ++k) {
      ImGui::SetCursorScreenPos(ImVec2(grid_start.x + (first_extra + k) * (cell + spacing), y));
      const ImageTexture& t = panel.compare_textures[static_cast<size_t>(k) * p.count() + i];
      ImGui::PushID(1000 + k * p.count() + i);
      if (ImGui::ImageButton(t.id(), ImVec2(cell, cell), ImVec2(0, 0), ImVec2(1, 1),
                             i == selected && model.compare_view() == k ? 2 : 0, ImVec4(0, 0, 0, 1), ImVec4(1, 1, 1, 1))) {
        model.select_object(i);
        model.set_compare_view(k);
      }
      ImGui::PopID();
      panel.record("silhouettes.compare:" + std::to_string(k) + ":" + std::to_string(i));
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (click: this run's mesh in the 3D view)", p.preview_ids[i].c_str());
    }
    ImGui::SetCursorScreenPos(ImVec2(grid_start.x, y + cell + 2));
    ImGui::TextDisabled("%s%s", p.preview_ids[i].c_str(), i == selected ? "  (in 3D view)" : "");
  }
  // The whole grid, for screenshot checks.
  const ImVec2 end(grid_start.x + columns * (cell + spacing), grid_start.y + label_h + p.count() * (cell + spacing + label_h));
  ImGui::SetCursorScreenPos(grid_start);
  ImGui::Dummy(ImVec2(end.x - grid_start.x, end.y - grid_start.y));
  panel.record("silhouettes");
}

}  // namespace dibr::studio
