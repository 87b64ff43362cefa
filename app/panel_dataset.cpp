// Dataset panel: choose a folder (browser, recent list, typed path, drag and drop), see what it holds.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

#include "app/panels.h"

namespace dibr::studio {

void draw_dataset_panel(StudioModel& model, PanelState& panel) {
  const auto& dataset = model.dataset();
  ImGui::TextWrapped("Folder: %s", !dataset ? "(none)" : dataset->builtin_sample ? "built-in sample" : dataset->root.c_str());
  ImGui::SetNextItemWidth(-150);
  const bool entered = ImGui::InputTextWithHint("##data", "dataset folder (empty = built-in sample)", &model.data_root_input(),
                                                ImGuiInputTextFlags_EnterReturnsTrue);
  panel.record("dataset.path");
  ImGui::SameLine();
  if (ImGui::Button("Open") || entered) model.open_dataset(model.data_root_input());
  panel.record("dataset.open");
  ImGui::SameLine();
  if (ImGui::Button("Browse...")) panel.browser.open(dataset && !dataset->builtin_sample ? dataset->root : model.data_root_input());
  panel.record("dataset.browse");
  if (ImGui::Button("Built-in sample")) model.open_dataset("");
  panel.record("dataset.sample");
  ImGui::SameLine();
  const std::string why_recent = why_unavailable(model, "dataset.recent");
  ImGui::BeginDisabled(!why_recent.empty());
  if (ImGui::BeginCombo("##recent", "Recent folders", ImGuiComboFlags_HeightLarge)) {
    std::string picked;
    for (const auto& f : model.recent().folders()) {
      if (ImGui::Selectable(f.c_str())) picked = f;
      panel.record("dataset.recent:" + f);
    }
    ImGui::EndCombo();
    if (!picked.empty()) model.open_dataset(picked);
  }
  ImGui::EndDisabled();
  panel.record("dataset.recent");
  unavailable_tooltip(why_recent);
  draw_panel_error(model, panel, "dataset");

  if (model.dataset_checking()) {
    const float p = model.dataset_progress();
    ImGui::ProgressBar(p < 0 ? 0.f : p, ImVec2(-1, 0), p < 0 ? "checking..." : nullptr);
    ImGui::TextDisabled("checking %s (first use of the sample generates it)",
                        model.checking_root().empty() ? "the built-in sample" : model.checking_root().c_str());
    return;
  }
  if (!dataset) {
    ImGui::TextDisabled("drop a dataset folder onto the window, or open one above");
    return;
  }
  ImGui::Text("train: %zu  val: %zu  test: %zu", dataset->train.objects.size(), dataset->val.objects.size(),
              dataset->test.objects.size());
  if (model.dataset_deep_checking()) {
    const float p = model.dataset_deep_progress();
    ImGui::ProgressBar(p < 0 ? 0.f : p, ImVec2(-1, 0), "decoding every file (deep check)...");
  } else if (model.dataset_deep_checked()) {
    ImGui::TextDisabled("deep check done: every listed file decodes unless listed below");
  }
  if (!dataset->usable()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "no usable training objects");
  const auto counts = model.class_counts();
  if (ImGui::BeginTable("classes", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV,
                        ImVec2(0, dataset->problems.empty() ? -1 : -ImGui::GetTextLineHeightWithSpacing() * 4))) {
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("train?", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("class");
    ImGui::TableSetupColumn("train");
    ImGui::TableSetupColumn("val");
    ImGui::TableSetupColumn("test");
    ImGui::TableHeadersRow();
    const auto& choice = model.class_choice();
    for (const auto& c : counts) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      bool ticked = choice.empty() || std::find(choice.begin(), choice.end(), c.class_id) != choice.end();
      ImGui::BeginDisabled(model.training_active());
      if (ImGui::Checkbox(("##use" + c.class_id).c_str(), &ticked)) model.set_class_enabled(c.class_id, ticked);
      ImGui::EndDisabled();
      unavailable_tooltip(why_unavailable(model, "training.settings"));
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
  if (!dataset->problems.empty()) {
    ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%zu problem(s)", dataset->problems.size());
    ImGui::BeginChild("problems", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    for (const auto& p : dataset->problems) ImGui::Text("%s: %s", p.path.c_str(), p.message.c_str());
    ImGui::EndChild();
  }
}

}  // namespace dibr::studio
