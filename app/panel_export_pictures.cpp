// The Export panel's Pictures tab: the last batch export's input | prediction PNGs as a paged gallery; a click
// shows that object in the 3D view.
#include <imgui.h>

#include <algorithm>
#include <exception>
#include <string>

#include "app/panels.h"
#include "trainer/image_io.h"

namespace dibr::studio {

void draw_export_pictures_tab(StudioModel& model, PanelState& panel) {
  const auto& pictures = model.exported_pictures();
  if (pictures.empty()) {
    ImGui::TextDisabled("no pictures yet: Files > Batch export writes one per test object (input | prediction)");
    return;
  }
  constexpr int kPerPage = 12;
  const int pages = (static_cast<int>(pictures.size()) + kPerPage - 1) / kPerPage;
  panel.export_page = std::clamp(panel.export_page, 0, pages - 1);
  ImGui::BeginDisabled(panel.export_page == 0);
  if (ImGui::ArrowButton("##pictures_back", ImGuiDir_Left)) --panel.export_page;
  ImGui::EndDisabled();
  panel.record("export.pictures_back");
  unavailable_tooltip(panel.export_page == 0 ? "this is the first page" : "");
  ImGui::SameLine();
  ImGui::Text("page %d of %d (%zu pictures)", panel.export_page + 1, pages, pictures.size());
  ImGui::SameLine();
  ImGui::BeginDisabled(panel.export_page + 1 >= pages);
  if (ImGui::ArrowButton("##pictures_next", ImGuiDir_Right)) ++panel.export_page;
  ImGui::EndDisabled();
  panel.record("export.pictures_next");
  unavailable_tooltip(panel.export_page + 1 >= pages ? "this is the last page" : "");
  ImGui::SameLine();
  ImGui::TextDisabled("click one to show it in the 3D view");

  const float thumb_h = std::max(48.f, std::min(96.f * ImGui::GetIO().FontGlobalScale, ImGui::GetContentRegionAvail().y / 3));
  const float avail = ImGui::GetContentRegionAvail().x;
  float x = 0;
  const int first = panel.export_page * kPerPage;
  for (int i = first; i < std::min(first + kPerPage, static_cast<int>(pictures.size())); ++i) {
    const auto& picture = pictures[static_cast<size_t>(i)];
    ImageTexture& texture = panel.export_thumbnails[picture.path];
    if (texture.empty()) {
      try {
        texture.set(read_png(picture.path, 3).permute({2, 0, 1}).to(at::kFloat) / 255.0);
      } catch (const std::exception& e) {
        model.error(std::string("pictures: ") + e.what());
        panel.export_thumbnails.erase(picture.path);
        continue;
      }
    }
    const float w = thumb_h * static_cast<float>(texture.width()) / static_cast<float>(std::max(texture.height(), 1));
    if (x > 0 && x + w <= avail) ImGui::SameLine();
    else x = 0;
    ImGui::BeginGroup();
    if (ImGui::ImageButton(texture.id(), ImVec2(w, thumb_h), ImVec2(0, 0), ImVec2(1, 1), 1)) model.show_object(picture.id);
    panel.record("export.picture:" + picture.id);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%s", picture.id.c_str(), picture.path.c_str());
    ImGui::TextDisabled("%s", picture.id.substr(picture.id.find('/') + 1, 12).c_str());
    ImGui::EndGroup();
    x += w + ImGui::GetStyle().ItemSpacing.x + 2 * ImGui::GetStyle().FramePadding.x;
  }
  draw_panel_error(model, panel, "object");
}

}  // namespace dibr::studio
