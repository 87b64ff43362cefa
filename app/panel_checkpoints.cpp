// Checkpoint timeline: scrub through saved checkpoints; each is loaded into its own InferenceModel on a
// worker thread while training goes on.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "app/panels.h"

namespace dibr::studio {
namespace {

constexpr ImU32 kBestColor = IM_COL32(90, 230, 120, 255);

std::string validation_text(const std::optional<ValidationScore>& v) {
  if (!v) return "not validated yet";
  char buf[128];
  std::snprintf(buf, sizeof buf, "val IoU %.4f, val chamfer x100 %s", v->silhouette_iou,
                v->chamfer < 0 ? "n/a" : std::to_string(100 * v->chamfer).substr(0, 6).c_str());
  return buf;
}

}  // namespace

void draw_checkpoint_panel(StudioModel& model, PanelState& panel) {
  const auto& list = model.checkpoints();
  const bool showing = model.showing_checkpoint();
  const int current = model.checkpoint_index();
  const PreviewData& shown = model.shown_preview();
  if (showing) {
    ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "showing %s", shown.step >= 0 ? shown.label().c_str() : "a checkpoint");
    ImGui::SameLine();
    if (ImGui::SmallButton("Back to live (Ctrl+K)")) model.go_live();
    panel.record("checkpoints.live");
  } else {
    ImGui::TextColored(ImVec4(0.4f, 1, 0.5f, 1), "showing live training");
  }
  if (model.checkpoint_loading()) {
    ImGui::SameLine();
    ImGui::TextDisabled("loading checkpoint...");
  }
  // One line with the count (the panel is short in the default layout).
  bool validate = model.validate_checkpoints();
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, 0));  // a text line's height
  if (ImGui::Checkbox("validate", &validate)) model.set_validate_checkpoints(validate);
  ImGui::PopStyleVar();
  panel.record("checkpoints.validate");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("score each checkpoint in the background: silhouette IoU on the val views and chamfer x100 on the "
                      "val objects (first 8 per class, 8 views); stored as <checkpoint>.val.json, read by `dibr validate`");
  ImGui::SameLine();
  if (model.validating()) {
    const float f = model.validation_progress();
    ImGui::TextDisabled("validating step %lld (%d%%) | %zu checkpoint(s) in %s", static_cast<long long>(model.validating_step()),
                        static_cast<int>(100 * std::max(f, 0.f)), list.size(), model.out_dir().c_str());
  } else {
    ImGui::TextDisabled("%zu checkpoint(s) in %s", list.size(), model.out_dir().c_str());
  }
  for (const char* action : {"checkpoint", "checkpoints", "validation"}) draw_panel_error(model, panel, action);
  if (list.empty()) return;
  const int best_row = model.best_checkpoint();

  // Timeline: one marker per checkpoint at its step; click a marker to load it.
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x, height = 34;
  ImGui::InvisibleButton("timeline", ImVec2(std::max(width, 50.f), height));
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
  panel.record("checkpoints.timeline");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 10, axis_y = origin.y + height * 0.5f;
  dl->AddLine(ImVec2(origin.x + pad, axis_y), ImVec2(origin.x + width - pad, axis_y), IM_COL32(120, 120, 130, 255), 2);
  const double s0 = 0, s1 = std::max<double>(1, static_cast<double>(list.back().step));
  auto x_of = [&](int64_t step) { return origin.x + pad + static_cast<float>((step - s0) / (s1 - s0)) * (width - 2 * pad); };
  int nearest = -1;
  float best = 1e9f;
  const float mx = ImGui::GetIO().MousePos.x;
  for (size_t i = 0; i < list.size(); ++i) {
    const float x = x_of(list[i].step);
    const bool sel = showing && static_cast<int>(i) == current;
    dl->AddCircleFilled(ImVec2(x, axis_y), sel ? 7.f : 5.f, sel ? IM_COL32(255, 200, 70, 255) : IM_COL32(180, 180, 200, 255));
    if (static_cast<int>(i) == best_row) dl->AddCircle(ImVec2(x, axis_y), 10.f, kBestColor, 0, 2.f);
    if (std::abs(mx - x) < best) best = std::abs(mx - x), nearest = static_cast<int>(i);
  }
  if (hovered && nearest >= 0) {
    ImGui::SetTooltip("step %lld, train loss %.4f\n%s%s\n%s", static_cast<long long>(list[nearest].step), list[nearest].loss,
                      validation_text(model.validation(nearest)).c_str(), nearest == best_row ? " (best)" : "",
                      list[nearest].path.c_str());
    if (clicked) model.select_checkpoint(nearest);
  }

  int index = std::max(current, 0);
  char label[64];
  std::snprintf(label, sizeof label, "step %lld", static_cast<long long>(list[index].step));
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderInt("##scrub", &index, 0, static_cast<int>(list.size()) - 1, label)) model.select_checkpoint(index);
  panel.record("checkpoints.scrub");
  if (ImGui::BeginTable("ckpts", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY)) {
    ImGui::TableSetupColumn("step");
    ImGui::TableSetupColumn("train loss");
    ImGui::TableSetupColumn("val IoU");
    ImGui::TableSetupColumn("val CD x100");
    ImGui::TableSetupColumn("file");
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableHeadersRow();
    for (size_t i = list.size(); i-- > 0;) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      char row[64];
      std::snprintf(row, sizeof row, "%lld##c%zu", static_cast<long long>(list[i].step), i);
      if (ImGui::Selectable(row, showing && static_cast<int>(i) == current, ImGuiSelectableFlags_SpanAllColumns)) {
        model.select_checkpoint(static_cast<int>(i));
      }
      panel.record("checkpoints.step:" + std::to_string(list[i].step));
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", list[i].loss);
      const auto& v = model.validation(static_cast<int>(i));
      const bool is_best = static_cast<int>(i) == best_row;
      auto cell = [&](double value, const char* format) {
        ImGui::TableNextColumn();
        if (!v) ImGui::TextDisabled(model.validating() && model.validating_step() == list[i].step ? "..." : "-");
        else if (value < 0) ImGui::TextDisabled("n/a");
        else if (is_best) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kBestColor), format, value);
        else ImGui::Text(format, value);
      };
      cell(v ? v->silhouette_iou : -1, "%.4f");
      cell(v && v->chamfer >= 0 ? 100 * v->chamfer : -1, "%.3f");
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s%s", std::filesystem::path(list[i].path).filename().c_str(), is_best ? "  (best)" : "");
    }
    ImGui::EndTable();
  }
}

}  // namespace dibr::studio
