// Training panel: preset and hyper-parameters, start/pause/resume/stop, live status.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "app/studio_app.h"

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

}  // namespace

void StudioApp::draw_training_panel() {
  auto trainer = host_.trainer();
  const bool active = host_.active() || !host_.busy().empty();

  ImGui::BeginDisabled(active);
  ImGui::SetNextItemWidth(120);
  if (ImGui::BeginCombo("preset", config_.preset.c_str())) {
    std::string picked;
    for (const char* name : {"quick", "paper"}) {
      if (ImGui::Selectable(name, config_.preset == name)) picked = name;
      record_region(std::string("training.preset:") + name);
    }
    ImGui::EndCombo();
    if (!picked.empty() && picked != config_.preset) apply_preset(picked);
  }
  record_region("training.preset");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("values you changed (here or by flags) are kept");
  ImGui::SameLine();
  ImGui::TextDisabled(config_.preset == "quick" ? "(2-core CPU, minutes)" : "(reference setup, GPU)");
  const float w = ImGui::GetContentRegionAvail().x * 0.5f - 60;
  ImGui::SetNextItemWidth(w);
  ImGui::InputDouble("lr", &config_.learning_rate, 0, 0, "%.2e");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  ImGui::InputInt("batch", &config_.batch_objects);
  ImGui::SetNextItemWidth(w);
  ImGui::InputInt("image size", &config_.image_size, 0);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(w);
  ImGui::InputScalar("max steps", ImGuiDataType_S64, &config_.max_steps);
  config_.learning_rate = std::max(config_.learning_rate, 1e-9);
  config_.batch_objects = std::max(config_.batch_objects, 1);
  config_.image_size = std::clamp(config_.image_size, 8, 1024);
  config_.max_steps = std::max<int64_t>(config_.max_steps, 1);
  ImGui::SetNextItemWidth(-90);
  ImGui::InputText("out folder", &config_.out_dir);
  ImGui::Text("classes: %s", class_choice_.empty() ? "all" : std::to_string(class_choice_.size()).c_str());
  ImGui::EndDisabled();

  const TrainerState state = trainer ? trainer->state() : TrainerState::Idle;
  const bool paused = state == TrainerState::Paused;
  const bool running = state == TrainerState::Running;
  ImGui::BeginDisabled(running || !host_.busy().empty());
  if (ImGui::Button(paused ? "Resume (Ctrl+T)" : "Start (Ctrl+T)")) start_or_resume_training();
  record_region("training.start");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button("Pause (Space)")) toggle_pause();
  record_region("training.pause");
  ImGui::EndDisabled();
  ImGui::SameLine();
  ImGui::BeginDisabled(!(running || paused) || !host_.busy().empty());
  if (ImGui::Button("Stop (Ctrl+Shift+T)")) stop_training();
  record_region("training.stop");
  ImGui::EndDisabled();

  if (!host_.busy().empty()) {
    ImGui::Text("%s the trainer...", host_.busy().c_str());
  }
  if (!trainer) {
    ImGui::TextDisabled("not started");
    return;
  }
  const double rate = steps_per_second_;
  const int64_t step = trainer->step(), max_steps = trainer->config().max_steps;
  const double eta = rate > 0 ? (max_steps - step) / rate : -1;
  ImGui::Text("%s on %s | step %lld / %lld | %.2f it/s | ETA %s", to_string(state), trainer->device_name().c_str(),
              static_cast<long long>(step), static_cast<long long>(max_steps), rate, format_duration(eta).c_str());
  ImGui::ProgressBar(max_steps > 0 ? static_cast<float>(step) / max_steps : 0.f, ImVec2(-1, 0));
  if (last_losses_) {
    const LossTerms& l = *last_losses_;
    ImGui::TextWrapped("loss %.4f  (color %.4f, iou %.4f, lap %.5f, flat %.5f)", l.total, l.color, l.iou, l.laplacian,
                       l.flatten);
  }
  if (state == TrainerState::Failed) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.35f, 0.35f, 1));
    ImGui::TextWrapped("Training failed: %s", trainer->error().c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace dibr::studio
