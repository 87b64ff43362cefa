// Export panel: OBJ of the shown mesh, batch export of the test split, chamfer report, screenshot.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <filesystem>

#include "app/studio_app.h"
#include "app/studio_export.h"

namespace fs = std::filesystem;

namespace dibr::studio {

void StudioApp::start_batch_export() {
  if (eval_job_.running()) return;
  guarded("batch export", [&] {
    if (checkpoints_.empty()) throw std::runtime_error("no checkpoint in " + out_dir() + " yet");
    const CheckpointInfo& ckpt = show_checkpoint_ && checkpoint_index_ >= 0 ? checkpoints_[checkpoint_index_] : checkpoints_.back();
    EvalOptions o;
    o.checkpoint = ckpt.path;
    o.data_root = dataset_ ? dataset_->root : data_root_;
    o.classes = class_choice_;
    o.split = "test";
    eval_out_ = unique_path((fs::path(out_dir()) / ("eval_step" + std::to_string(ckpt.step))).string());
    o.out_dir = eval_out_;
    eval_job_.start([o](JobControl& control) mutable {
      o.progress = [&control](int done, int total) { control.progress(done, total); };
      o.cancel = &control.cancel;
      return run_eval(o);
    });
    info("batch export of the test split with step " + std::to_string(ckpt.step) + " into " + eval_out_);
  });
}

void StudioApp::start_chamfer_report() {
  if (chamfer_job_.running()) return;
  guarded("chamfer report", [&] {
    if (chamfer_pred_dir_.empty() || !fs::is_directory(chamfer_pred_dir_)) {
      throw std::runtime_error("'" + chamfer_pred_dir_ + "' is not a folder of predictions (run a batch export first)");
    }
    ChamferReportOptions o;
    o.predictions_dir = chamfer_pred_dir_;
    o.data_root = dataset_ ? dataset_->root : data_root_;
    o.split = "test";
    chamfer_report_.reset();
    chamfer_job_.start([o](JobControl& control) mutable {
      o.progress = [&control](int done, int total) { control.progress(done, total); };
      o.cancel = &control.cancel;
      return run_chamfer_report(o);
    });
  });
}

namespace {

void job_progress(float fraction, int done, int total) {
  char text[64];
  std::snprintf(text, sizeof text, "%d / %d", done, total);
  ImGui::ProgressBar(fraction < 0 ? 0.f : fraction, ImVec2(-90, 0), fraction < 0 ? "starting..." : text);
}

}  // namespace

void StudioApp::draw_export_panel() {
  ImGui::TextUnformatted("Mesh of the 3D view");
  ImGui::SetNextItemWidth(-120);
  ImGui::InputTextWithHint("##obj", "auto: <out>/exports/<object>_<view>.obj", &obj_path_);
  record_region("export.obj_path");
  ImGui::SameLine();
  if (ImGui::Button("Export OBJ")) export_shown_obj();
  record_region("export.obj");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Ctrl+E; an existing file is never overwritten (a _N suffix is added)");

  ImGui::Separator();
  ImGui::TextUnformatted("Test split (checkpoint shown, else the latest)");
  if (eval_job_.running()) {
    job_progress(eval_job_.progress(), eval_job_.done(), eval_job_.total());
    ImGui::SameLine();
    if (ImGui::Button("Cancel##eval")) eval_job_.cancel();
    record_region("export.batch_cancel");
  } else {
    if (ImGui::Button("Batch export")) start_batch_export();
    record_region("export.batch");
  }

  ImGui::SetNextItemWidth(-120);
  ImGui::InputTextWithHint("##pred", "predictions folder", &chamfer_pred_dir_);
  record_region("export.predictions");
  ImGui::SameLine();
  if (chamfer_job_.running()) {
    if (ImGui::Button("Cancel##chamfer")) chamfer_job_.cancel();
    record_region("export.chamfer_cancel");
    job_progress(chamfer_job_.progress(), chamfer_job_.done(), chamfer_job_.total());
  } else {
    if (ImGui::Button("Chamfer report")) start_chamfer_report();
    record_region("export.chamfer");
  }
  if (chamfer_report_) {
    const ChamferReport& r = *chamfer_report_;
    ImGui::Text("mean of class means: CD x100 = %.3f  (%s.csv)", r.mean_of_class_means * 100, chamfer_saved_prefix_.c_str());
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
      record_region("export.chamfer_table");
    }
  }
  ImGui::Separator();
  if (ImGui::Button("Screenshot (Ctrl+P)")) request_screenshot();
  record_region("export.screenshot");
}

}  // namespace dibr::studio
