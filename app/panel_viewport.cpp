// 3D view panel: the selected preview object's or gallery image's prediction (E2's MeshViewport).
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <string>

#include "app/panels.h"
#include "cuda_interop/gl_buffer_interop.h"

namespace dibr::studio {

namespace {

// Below the preview objects: any val or test object, filtered by what is typed (shown from a checkpoint).
void draw_other_objects(StudioModel& model, PanelState& panel) {
  if (!model.dataset()) return;
  ImGui::Separator();
  ImGui::TextDisabled("any val or test object (predicted with the checkpoint):");
  ImGui::SetNextItemWidth(-1);
  ImGui::InputTextWithHint("##object_filter", "filter: class or object id", &panel.object_filter);
  panel.record("viewport.object_filter");
  const PreviewData& p = model.shown_preview();
  constexpr int kListed = 200;
  int listed = 0, matching = 0;
  for (const DatasetIndex* split : {&model.dataset()->val, &model.dataset()->test}) {
    for (const NmrObject& o : split->objects) {
      const std::string id = o.id();
      if (!panel.object_filter.empty() && id.find(panel.object_filter) == std::string::npos) continue;
      if (std::find(p.preview_ids.begin(), p.preview_ids.end(), id) != p.preview_ids.end()) continue;
      if (++matching > kListed) continue;
      ++listed;
      if (ImGui::Selectable((id + (split == &model.dataset()->val ? "  (val)" : "  (test)") + "##other").c_str()))
        model.show_object(id);
      panel.record("viewport.other:" + id);
    }
  }
  if (matching > listed) ImGui::TextDisabled("... %d more: type to narrow the list", matching - listed);
}

// "distance to GT": the toggle, the scale's far end and a colour bar, with the two mean distances.
void draw_distance_controls(StudioModel& model, PanelState& panel) {
  const PreviewData& p = model.shown_preview();
  const bool has_gt = !model.viewing_image() && p.gt_points.defined() && p.gt_points.size(0) > 0;
  ImGui::BeginDisabled(!has_gt);
  ImGui::Checkbox("distance to GT", &panel.distance_colors);
  ImGui::EndDisabled();
  panel.record("viewport.distance");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip(has_gt ? "colour the prediction by its distance to the GT points, and the GT points by theirs to the "
                               "predicted surface (blue: on it, red: the scale or farther)"
                             : model.viewing_image() ? "a picture of your own has no GT point cloud"
                                                     : "the objects on show have no GT point cloud (pointcloud.npz)");
  if (!panel.distance_colors || !has_gt) return;
  ImGui::SetNextItemWidth(std::max(80.f, ImGui::GetContentRegionAvail().x * 0.3f));
  ImGui::SliderFloat("red at", &panel.distance_scale, 0.005f, 0.2f, "%.3f", ImGuiSliderFlags_Logarithmic);
  panel.record("viewport.distance_scale");
  ImGui::SameLine();
  // The colour bar of distance_colormap (blue, cyan, green, yellow, red).
  const ImU32 stops[] = {IM_COL32(38, 64, 217, 255), IM_COL32(26, 191, 230, 255), IM_COL32(51, 204, 77, 255),
                         IM_COL32(242, 217, 38, 255), IM_COL32(230, 38, 26, 255)};
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const float w = 80 * ImGui::GetIO().FontGlobalScale, h = ImGui::GetFrameHeight();
  for (int i = 0; i < 4; ++i)
    ImGui::GetWindowDrawList()->AddRectFilledMultiColor(ImVec2(at.x + w * i / 4, at.y), ImVec2(at.x + w * (i + 1) / 4, at.y + h),
                                                        stops[i], stops[i + 1], stops[i + 1], stops[i]);
  ImGui::Dummy(ImVec2(w, h));
  if (!panel.distance_summary.empty()) ImGui::TextDisabled("%s", panel.distance_summary.c_str());
}

}  // namespace

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
  const bool combo = ImGui::BeginCombo("object", current.c_str(), ImGuiComboFlags_HeightLarge);
  panel.record("viewport.object");
  if (combo) {
    for (int i = 0; i < p.count(); ++i) {
      if (ImGui::Selectable(p.preview_ids[i].c_str(), i == selected)) model.select_object(i);
      panel.record("viewport.object:" + p.preview_ids[i]);
    }
    draw_other_objects(model, panel);
    ImGui::EndCombo();
  }
  draw_panel_error(model, panel, "object");
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
  if (ImGui::Button("Fit")) viewport.fit_to_view();
  panel.record("viewport.fit");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("frame what is on show (F)");
  ImGui::SameLine();
  if (ImGui::Button(panel.maximise_viewport ? "Restore" : "Maximise")) panel.maximise_viewport = !panel.maximise_viewport;
  panel.record("viewport.maximise");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(panel.maximise_viewport ? "back to all panels (F11)" : "the 3D view fills the window (F11)");
  ImGui::SameLine();
  ImGui::TextDisabled("%s", viewport.upload_path());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("CUDA-GL interop: %s", interop_status().c_str());
  if (viewport.has_cloud()) {
    ImGui::SetNextItemWidth(std::max(80.f, ImGui::GetContentRegionAvail().x * 0.35f));
    ImGui::SliderFloat("point size", &viewport.cloud_point_size, 1.0f, 16.0f, "%.0f px");
    panel.record("viewport.point_size");
  }
  const bool can_look = !model.viewing_image() && p.count() > 0;
  ImGui::BeginDisabled(!can_look);
  ImGui::Checkbox("input camera", &panel.input_camera);
  ImGui::EndDisabled();
  panel.record("viewport.input_camera");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip(can_look ? "look from the camera of the input picture, with the prediction over it"
                               : "for the preview objects (a picture of your own has no camera)");
  if (panel.input_camera && can_look) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(std::max(80.f, ImGui::GetContentRegionAvail().x * 0.25f));
    ImGui::SliderFloat("opacity", &viewport.overlay_opacity, 0.0f, 1.0f, "%.2f");
    panel.record("viewport.opacity");
  }
  ImGui::SameLine();
  draw_distance_controls(model, panel);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (!viewport.has_mesh() && !viewport.has_cloud()) {
    ImGui::TextDisabled("no prediction yet");
    return;
  }
  viewport.draw("mesh", avail.x, std::max(avail.y - ImGui::GetTextLineHeightWithSpacing(), 50.f));
  panel.record("viewport");
  ImGui::TextDisabled(viewport.using_input_camera() ? "the input picture's camera (untick 'input camera' to orbit)"
                                                    : "left drag: rotate | wheel: zoom | right/middle drag: pan | double click: reset | F: fit");
}

}  // namespace dibr::studio
