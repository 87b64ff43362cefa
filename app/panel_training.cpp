// Training panel: preset and every setting of the config table (the main ones first, the rest under
// "Advanced"), start/pause/resume/stop, live status.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "app/panels.h"
#include "trainer/config_table.h"
#include "trainer/method.h"

namespace dibr::studio {
namespace {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "-";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

// A text field committed on Enter or when it loses focus; a refused value stays in the field with the reason.
void draw_field(StudioModel& model, PanelState& panel, const FieldSpec& f) {
  const std::string key = f.key();
  const std::string current = field_text(f, model.config());
  auto it = panel.field_text.try_emplace(key, current).first;
  std::string& synced = panel.field_synced[key];
  // The config changed elsewhere (preset switch, flags): show it, unless a refused value is still being fixed.
  if (synced != current && panel.field_error.count(key) == 0) it->second = synced = current;
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
  const bool enter = ImGui::InputText(("##" + key).c_str(), &it->second, ImGuiInputTextFlags_EnterReturnsTrue);
  const bool commit = enter || ImGui::IsItemDeactivatedAfterEdit();
  panel.record("training.field:" + key);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s\n%s %s", key.c_str(), f.help, bounds_text(f).c_str());
  ImGui::SameLine();
  ImGui::TextUnformatted(f.label);
  if (commit) {
    const std::string problem = model.set_field(key, it->second);
    if (problem.empty()) {
      panel.field_error.erase(key);
      it->second = synced = field_text(f, model.config());
    }
    else panel.field_error[key] = problem;
  }
  if (auto e = panel.field_error.find(key); e != panel.field_error.end()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.4f, 0.4f, 1));
    ImGui::TextWrapped("%s", e->second.c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace

void draw_training_panel(StudioModel& model, PanelState& panel) {
  const TrainingRun& run = model.run();
  const RunState state = model.run_state();
  const bool active = model.training_active();
  const TrainConfig& config = model.config();
  const std::string settings_locked = why_unavailable(model, "training.settings");

  if (active) ImGui::TextDisabled("settings are the run's while it is in progress (stop it to change them)");
  ImGui::BeginDisabled(active);
  ImGui::SetNextItemWidth(120);
  if (ImGui::BeginCombo("preset", config.preset.c_str())) {
    std::string picked;
    for (const std::string& name : preset_names()) {
      if (ImGui::Selectable(name.c_str(), config.preset == name)) picked = name;
      panel.record("training.preset:" + name);
    }
    ImGui::EndCombo();
    if (!picked.empty() && picked != config.preset) {
      model.apply_preset(picked);
      panel.field_error.clear();
    }
  }
  panel.record("training.preset");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("values you changed (here or by flags) are kept");
  unavailable_tooltip(settings_locked);
  ImGui::SameLine();
  ImGui::TextDisabled("(%s)", find_preset(config.preset).description.c_str());
  for (const auto& f : config_fields()) {
    if (f.section == FieldSection::Basic && std::string(f.group) != "data" && setting_applies_to(f.key(), config.model.method))
      draw_field(model, panel, f);
  }
  ImGui::Text("classes: %s", model.class_choice().empty() ? "all" : std::to_string(model.class_choice().size()).c_str());
  if (ImGui::CollapsingHeader("Advanced")) {
    for (const auto& f : config_fields()) {
      const std::string key = f.key();
      if (key == "data.root" || key == "data.classes") continue;  // the Dataset panel sets these
      if (!setting_applies_to(key, config.model.method)) continue;  // another method's (the preset picks the method)
      if (f.section == FieldSection::Advanced || std::string(f.group) == "data") draw_field(model, panel, f);
    }
  }
  panel.record("training.advanced");
  ImGui::EndDisabled();

  const bool paused = state == RunState::Paused;
  const auto& followed = model.followed_writer();
  if (followed) ImGui::TextWrapped("Following %s: read-only", followed->describe().c_str());
  if (reasoned_button(model, panel, "training.start", paused ? "Resume (Ctrl+T)" : "Start (Ctrl+T)"))
    model.start_or_resume_training();
  ImGui::SameLine();
  if (reasoned_button(model, panel, "training.pause", "Pause (Space)")) model.toggle_pause();
  ImGui::SameLine();
  if (reasoned_button(model, panel, "training.stop", "Stop (Ctrl+Shift+T)")) model.stop_training();

  for (const char* action : {"training", "preset", "run folder", "open run"}) draw_panel_error(model, panel, action);
  if (!model.run_started()) {
    ImGui::TextDisabled("not started");
    return;
  }
  if (state == RunState::Creating) ImGui::Text("creating the trainer (indexing data, building the model)...");
  if (state == RunState::Stopping) ImGui::Text("stopping (writing latest.pt)...");
  const double rate = model.steps_per_second();
  const int64_t step = run.step(), max_steps = run.max_steps();
  if (state == RunState::Running || state == RunState::Paused) {
    const double eta = rate > 0 ? (max_steps - step) / rate : -1;
    ImGui::Text("%s on %s | step %lld / %lld | %.2f it/s | ETA %s", to_string(state), run.device_name().c_str(),
                static_cast<long long>(step), static_cast<long long>(max_steps), rate, format_duration(eta).c_str());
  } else {
    ImGui::Text("%s at step %lld / %lld", to_string(state), static_cast<long long>(step), static_cast<long long>(max_steps));
  }
  ImGui::ProgressBar(max_steps > 0 ? static_cast<float>(step) / max_steps : 0.f, ImVec2(-1, 0));
  if (const auto& l = model.last_losses()) {
    std::string text = "loss " + std::to_string(l->total);
    for (size_t i = 0; i < model.loss_names().size(); ++i) text += "  " + model.loss_names()[i] + " " + std::to_string(l->term(i));
    ImGui::TextWrapped("%s", text.c_str());
  }
  if (state == RunState::Failed) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.35f, 0.35f, 1));
    ImGui::TextWrapped("Training failed: %s", run.error().c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace dibr::studio
