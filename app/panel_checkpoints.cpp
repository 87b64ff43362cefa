// Checkpoint timeline: scrub through saved checkpoints; each is loaded into its own InferenceModel on a
// worker thread while training goes on.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "app/studio_app.h"

namespace dibr::studio {

void StudioApp::draw_checkpoint_panel() {
  if (show_checkpoint_) {
    ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "showing %s", checkpoint_preview_.step >= 0 ? checkpoint_preview_.label().c_str() : "a checkpoint");
    ImGui::SameLine();
    if (ImGui::SmallButton("Back to live (Ctrl+K)")) go_live();
    record_region("checkpoints.live");
  } else {
    ImGui::TextColored(ImVec4(0.4f, 1, 0.5f, 1), "showing live training");
  }
  if (checkpoint_job_.running()) {
    ImGui::SameLine();
    ImGui::TextDisabled("loading checkpoint...");
  }
  ImGui::TextDisabled("%zu checkpoint(s) in %s", checkpoints_.size(), out_dir().c_str());
  if (checkpoints_.empty()) return;

  // Timeline: one marker per checkpoint at its step; click a marker to load it.
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x, height = 34;
  ImGui::InvisibleButton("timeline", ImVec2(std::max(width, 50.f), height));
  const bool hovered = ImGui::IsItemHovered(), clicked = ImGui::IsItemClicked();
  record_region("checkpoints.timeline");
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float pad = 10, axis_y = origin.y + height * 0.5f;
  dl->AddLine(ImVec2(origin.x + pad, axis_y), ImVec2(origin.x + width - pad, axis_y), IM_COL32(120, 120, 130, 255), 2);
  const double s0 = 0, s1 = std::max<double>(1, static_cast<double>(checkpoints_.back().step));
  auto x_of = [&](int64_t step) { return origin.x + pad + static_cast<float>((step - s0) / (s1 - s0)) * (width - 2 * pad); };
  int nearest = -1;
  float best = 1e9f;
  const float mx = ImGui::GetIO().MousePos.x;
  for (size_t i = 0; i < checkpoints_.size(); ++i) {
    const float x = x_of(checkpoints_[i].step);
    const bool sel = show_checkpoint_ && static_cast<int>(i) == checkpoint_index_;
    dl->AddCircleFilled(ImVec2(x, axis_y), sel ? 7.f : 5.f, sel ? IM_COL32(255, 200, 70, 255) : IM_COL32(180, 180, 200, 255));
    if (std::abs(mx - x) < best) best = std::abs(mx - x), nearest = static_cast<int>(i);
  }
  if (hovered && nearest >= 0) {
    ImGui::SetTooltip("step %lld, loss %.4f\n%s", static_cast<long long>(checkpoints_[nearest].step),
                      checkpoints_[nearest].loss, checkpoints_[nearest].path.c_str());
    if (clicked) select_checkpoint(nearest);
  }

  int index = std::max(checkpoint_index_, 0);
  char label[64];
  std::snprintf(label, sizeof label, "step %lld", static_cast<long long>(checkpoints_[index].step));
  ImGui::SetNextItemWidth(-1);
  if (ImGui::SliderInt("##scrub", &index, 0, static_cast<int>(checkpoints_.size()) - 1, label)) select_checkpoint(index);
  record_region("checkpoints.scrub");
  if (ImGui::BeginTable("ckpts", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY)) {
    ImGui::TableSetupColumn("step");
    ImGui::TableSetupColumn("loss");
    ImGui::TableSetupColumn("file");
    for (size_t i = checkpoints_.size(); i-- > 0;) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      char row[64];
      std::snprintf(row, sizeof row, "%lld##c%zu", static_cast<long long>(checkpoints_[i].step), i);
      if (ImGui::Selectable(row, show_checkpoint_ && static_cast<int>(i) == checkpoint_index_, ImGuiSelectableFlags_SpanAllColumns)) {
        select_checkpoint(static_cast<int>(i));
      }
      record_region("checkpoints.step:" + std::to_string(checkpoints_[i].step));
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", checkpoints_[i].loss);
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", std::filesystem::path(checkpoints_[i].path).filename().c_str());
    }
    ImGui::EndTable();
  }
}

}  // namespace dibr::studio
