// Export panel: OBJ of the shown mesh, batch export of the test split, chamfer report, screenshot.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>

#include "app/panels.h"

namespace dibr::studio {

namespace {

void job_progress(float fraction, int done, int total) {
  char text[64];
  std::snprintf(text, sizeof text, "%d / %d", done, total);
  ImGui::ProgressBar(fraction < 0 ? 0.f : fraction, ImVec2(-90, 0), fraction < 0 ? "starting..." : text);
}

}  // namespace

void draw_export_panel(StudioModel& model, PanelState& panel) {
  const auto& eval_job = model.batch_export_job();
  const auto& chamfer_job = model.chamfer_job();
  ImGui::TextUnformatted("Prediction of the 3D view (OBJ for meshes, PLY for point clouds)");
  ImGui::SetNextItemWidth(-120);
  ImGui::InputTextWithHint("##obj", "auto: <out>/exports/<object>_<view>.obj", &model.export_path());
  panel.record("export.obj_path");
  ImGui::SameLine();
  if (ImGui::Button("Export")) model.export_shown();
  panel.record("export.obj");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+E; an existing file is never overwritten (a _N suffix is added)");

  ImGui::Separator();
  ImGui::TextUnformatted("Test split (checkpoint shown, else the latest)");
  if (eval_job.running()) {
    job_progress(eval_job.progress(), eval_job.done(), eval_job.total());
    ImGui::SameLine();
    if (ImGui::Button("Cancel##eval")) model.cancel_batch_export();
    panel.record("export.batch_cancel");
  } else {
    if (ImGui::Button("Batch export")) model.start_batch_export();
    panel.record("export.batch");
  }

  ImGui::SetNextItemWidth(-120);
  ImGui::InputTextWithHint("##pred", "predictions folder", &model.predictions_dir());
  panel.record("export.predictions");
  ImGui::SameLine();
  if (chamfer_job.running()) {
    if (ImGui::Button("Cancel##chamfer")) model.cancel_chamfer_report();
    panel.record("export.chamfer_cancel");
    job_progress(chamfer_job.progress(), chamfer_job.done(), chamfer_job.total());
  } else {
    if (ImGui::Button("Chamfer report")) model.start_chamfer_report();
    panel.record("export.chamfer");
  }
  if (model.chamfer_report()) {
    const ChamferReport& r = *model.chamfer_report();
    ImGui::Text("mean of class means: CD x100 = %.3f  (%s.csv)", r.mean_of_class_means * 100, model.chamfer_saved_prefix().c_str());
    if (ImGui::BeginTable("chamfer", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollY,
                          ImVec2(0, std::min(ImGui::GetContentRegionAvail().y - 30, 200.f)))) {
      ImGui::TableSetupColumn("class");
      ImGui::TableSetupColumn("objects");
      ImGui::TableSetupColumn("CD x100");
      ImGui::TableHeadersRow();
      for (const auto& c : r.classes) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.class_id.c_str());
        ImGui::TableNextColumn();
        ImGui::Text("%d", c.objects);
        ImGui::TableNextColumn();
        ImGui::Text("%.3f", c.chamfer * 100);
      }
      ImGui::EndTable();
      panel.record("export.chamfer_table");
    }
  }
  ImGui::Separator();
  if (ImGui::Button("Screenshot (Ctrl+P)")) model.request_screenshot();
  panel.record("export.screenshot");
}

}  // namespace dibr::studio
