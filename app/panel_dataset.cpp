// Dataset panel: choose a folder (browser, recent list, typed path, drag and drop), see what it holds.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

#include "app/studio_app.h"

namespace dibr::studio {

void StudioApp::draw_dataset_panel() {
  ImGui::TextWrapped("Folder: %s", data_root_.empty() ? "built-in sample" : data_root_.c_str());
  ImGui::SetNextItemWidth(-150);
  const bool entered = ImGui::InputTextWithHint("##data", "dataset folder (empty = built-in sample)", &data_root_input_,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
  record_region("dataset.path");
  ImGui::SameLine();
  if (ImGui::Button("Open") || entered) open_dataset(data_root_input_);
  record_region("dataset.open");
  ImGui::SameLine();
  if (ImGui::Button("Browse...")) browser_.open(data_root_.empty() ? data_root_input_ : data_root_);
  record_region("dataset.browse");
  if (ImGui::Button("Built-in sample")) open_dataset("");
  record_region("dataset.sample");
  ImGui::SameLine();
  ImGui::BeginDisabled(recent_.folders().empty());
  if (ImGui::BeginCombo("##recent", "Recent folders", ImGuiComboFlags_HeightLarge)) {
    std::string picked;
    for (const auto& f : recent_.folders()) {
      if (ImGui::Selectable(f.c_str())) picked = f;
      record_region("dataset.recent:" + f);
    }
    ImGui::EndCombo();
    if (!picked.empty()) open_dataset(picked);
  }
  ImGui::EndDisabled();
  record_region("dataset.recent");

  if (dataset_job_.running()) {
    const float p = dataset_job_.progress();
    ImGui::ProgressBar(p < 0 ? 0.f : p, ImVec2(-1, 0), p < 0 ? "checking..." : nullptr);
    ImGui::TextDisabled("checking %s (first use of the sample generates it)",
                        checking_root_.empty() ? "the built-in sample" : checking_root_.c_str());
    return;
  }
  if (!dataset_) {
    ImGui::TextDisabled("drop a dataset folder onto the window, or open one above");
    return;
  }
  const DatasetReport& d = *dataset_;
  for (const auto& s : d.splits) {
    ImGui::Text("%s: %d", s.split.c_str(), s.objects);
    ImGui::SameLine();
  }
  ImGui::NewLine();
  if (!d.usable()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "no usable training objects");
  if (ImGui::BeginTable("classes", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV,
                        ImVec2(0, d.problems.empty() ? -1 : -ImGui::GetTextLineHeightWithSpacing() * 4))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("train?", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("class");
    ImGui::TableSetupColumn("train");
    ImGui::TableSetupColumn("val");
    ImGui::TableSetupColumn("test");
    ImGui::TableHeadersRow();
    for (const auto& c : d.classes) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const bool all = class_choice_.empty();
      bool ticked = all || std::find(class_choice_.begin(), class_choice_.end(), c.class_id) != class_choice_.end();
      ImGui::BeginDisabled(host_.active());
      if (ImGui::Checkbox(("##use" + c.class_id).c_str(), &ticked)) {
        if (all) {
          for (const auto& other : d.classes) class_choice_.push_back(other.class_id);
        }
        if (ticked) class_choice_.push_back(c.class_id);
        else class_choice_.erase(std::remove(class_choice_.begin(), class_choice_.end(), c.class_id), class_choice_.end());
        std::sort(class_choice_.begin(), class_choice_.end());
        class_choice_.erase(std::unique(class_choice_.begin(), class_choice_.end()), class_choice_.end());
        if (class_choice_.size() == d.classes.size()) class_choice_.clear();  // all = no filter
      }
      ImGui::EndDisabled();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.class_id.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%d", c.train);
      ImGui::TableNextColumn();
      ImGui::Text("%d", c.val);
      ImGui::TableNextColumn();
      ImGui::Text("%d", c.test);
    }
    ImGui::EndTable();
  }
  if (!d.problems.empty()) {
    ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%zu problem(s)", d.problems.size());
    ImGui::BeginChild("problems", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    for (const auto& p : d.problems) ImGui::Text("%s: %s", p.path.c_str(), p.message.c_str());
    ImGui::EndChild();
  }
}

}  // namespace dibr::studio
