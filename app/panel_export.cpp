// Export panel: OBJ of the shown mesh, batch export of the test split, chamfer report, screenshot, comparison of runs.
#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "app/panels.h"
#include "app/studio_export.h"
#include "trainer/chamfer.h"
#include "trainer/image_io.h"

namespace dibr::studio {

namespace {

namespace fs = std::filesystem;

// The save dialog starts where the typed path points (its folder and name), else in <out>/exports (else the run
// folder) with the automatic name.
void open_save_dialog(StudioModel& model, PanelState& panel) {
  const auto subject = model.export_subject();
  if (!subject) return;
  std::string folder = (fs::path(model.out_dir()) / "exports").string(), name = subject->automatic_name;
  if (!model.export_path().empty()) {
    const fs::path typed(expand_home(model.export_path()));
    folder = typed.parent_path().string();
    name = typed.filename().string();
  }
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) folder = model.out_dir();
  panel.browser.open_save(folder, name, subject->kind, model.mesh_format(), {".obj", ".ply"});
}

void job_progress(float fraction, int done, int total) {
  char text[64];
  std::snprintf(text, sizeof text, "%d / %d", done, total);
  ImGui::ProgressBar(fraction < 0 ? 0.f : fraction, ImVec2(-90, 0), fraction < 0 ? "starting..." : text);
}

// Side by side (dibr compare): the runs, the job, the mean row of each run and the picture grid.
void draw_compare_section(StudioModel& model, PanelState& panel) {
  ImGui::TextUnformatted("Compare this run with others (test split, any methods)");
  const auto& runs = model.compare_runs();
  for (size_t i = 0; i < runs.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    if (ImGui::SmallButton("x")) model.remove_compare_run(i);
    panel.record("compare.remove:" + std::to_string(i));
    ImGui::SameLine();
    ImGui::TextUnformatted(run_label(run_method(runs[i]), runs[i]).c_str());
    ImGui::PopID();
  }
  if (ImGui::Button("Add run...")) panel.browser.open(model.out_dir(), BrowseFor::CompareRun);
  panel.record("compare.add");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("a run folder of any method; its loss curves are overlaid too");
  ImGui::SameLine();
  const auto& job = model.compare_job();
  if (job.running()) {
    if (ImGui::Button("Cancel##compare")) model.cancel_compare();
    panel.record("compare.cancel");
    job_progress(job.progress(), job.done(), job.total());
    ImGui::TextUnformatted(model.compare_stage().c_str());
  } else {
    if (reasoned_button(model, panel, "compare.start", "Compare")) model.start_compare();
  }
  draw_panel_error(model, panel, "compare");
  if (!model.compare_report()) return;
  const CompareReport& r = *model.compare_report();
  const bool matched = r.matched_points > 0;
  const std::string matched_header = "CD x100 @" + std::to_string(r.matched_points);
  if (ImGui::BeginTable("compare", matched ? 9 : 8, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders)) {
    ImGui::TableSetupColumn("run");
    ImGui::TableSetupColumn("points");
    ImGui::TableSetupColumn("CD x100");
    ImGui::TableSetupColumn("floor");
    if (matched) ImGui::TableSetupColumn(matched_header.c_str());
    for (const char* h : {"CD-L1 x100 (100k)", "F@1%", "voxel IoU", "steps/s"}) ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const auto& run : r.runs) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(run.label.c_str());
      ImGui::TableNextColumn();
      if (run.points > 0) ImGui::Text("%lld", static_cast<long long>(run.points));
      else ImGui::TextUnformatted("surface");
      ImGui::TableNextColumn();
      ImGui::Text("%.3f", run.reference.mean_of_class_means * 100);
      ImGui::TableNextColumn();
      if (run.reference.mean_floor >= 0) ImGui::Text("%.3f", run.reference.mean_floor * 100);
      else ImGui::TextUnformatted("-");
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("what a perfect prediction with as many points scores");
      if (matched) {
        ImGui::TableNextColumn();
        ImGui::Text("%.3f (floor %.3f)", run.matched.mean_of_class_means * 100, run.matched.mean_floor * 100);
      }
      ImGui::TableNextColumn();
      ImGui::Text("%.3f", run.dvr.mean_of_class_means * 100);
      double f1 = 0;
      for (const auto& c : run.reference.classes) f1 += c.fscore[0] / std::max<size_t>(run.reference.classes.size(), 1);
      ImGui::TableNextColumn();
      ImGui::Text("%.2f", f1 * 100);
      ImGui::TableNextColumn();
      if (run.points > 0) ImGui::TextUnformatted("n/a (points)");
      else if (run.reference.mean_voxel_iou >= 0) ImGui::Text("%.4f", run.reference.mean_voxel_iou);
      else ImGui::TextUnformatted("not measured");
      ImGui::TableNextColumn();
      if (run.steps_per_second >= 0) ImGui::Text("%.2f", run.steps_per_second);
      else ImGui::TextUnformatted("-");
    }
    ImGui::EndTable();
    panel.record("compare.table");
  }
  ImGui::TextDisabled("per class: %s/compare.md", model.compare_dir().c_str());
  if (panel.compare_grid_shown != model.compare_dir()) {
    panel.compare_grid_shown = model.compare_dir();
    try {
      panel.compare_grid.set(read_png(model.compare_dir() + "/compare_grid.png", 3).to(at::kFloat) / 255.0);
    } catch (const std::exception& e) {
      model.error(std::string("compare grid: ") + e.what());
    }
  }
  if (!panel.compare_grid.empty()) {
    // Rows: objects; columns: input, each run's render from the input view, each run's prediction 90 degrees away.
    const float w = ImGui::GetContentRegionAvail().x;
    const float h = w * panel.compare_grid.height() / std::max(panel.compare_grid.width(), 1);
    ImGui::Image(panel.compare_grid.id(), ImVec2(w, h));
    panel.record("compare.grid");
  }
}

// The files: OBJ of the shown mesh, batch export, chamfer report, screenshot.
void draw_files_tab(StudioModel& model, PanelState& panel) {
  const auto& eval_job = model.batch_export_job();
  const auto& chamfer_job = model.chamfer_job();
  // One line for the format (the panel is short in the default layout): a mesh as OBJ or PLY, a point cloud as PLY.
  ImGui::TextUnformatted("3D view's prediction:");
  ImGui::SameLine();
  bool ply = model.mesh_format() == ".ply";
  if (ImGui::RadioButton("mesh as OBJ", !ply)) model.set_mesh_format(".obj");
  panel.record("export.mesh_obj");
  ImGui::SameLine();
  if (ImGui::RadioButton("mesh as PLY", ply)) model.set_mesh_format(".ply");
  panel.record("export.mesh_ply");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("binary PLY with vertex colours: what Debian's MeshLab opens (it crashes on OBJ); point clouds are always PLY");
  ImGui::SameLine();
  bool normals = model.export_normals();
  if (ImGui::Checkbox("normals", &normals)) model.set_export_normals(normals);
  panel.record("export.normals");
  // The PLY encoding shares the line (the panel is short in the default layout).
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Export ASCII PLY").x - 6 * ImGui::GetStyle().ItemSpacing.x -
                          ImGui::GetFrameHeight());
  ImGui::InputTextWithHint("##obj", "auto: <out>/exports/<object>_<step>; no extension: the format below", &model.export_path());
  panel.record("export.obj_path");
  ImGui::SameLine();
  const std::string why_export = why_unavailable(model, "export.obj");
  if (reasoned_button(panel, "export.obj", "Export", why_export)) model.export_shown();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Ctrl+E; an existing file is never overwritten (a _N suffix is added)%s%s",
                      model.last_export().empty() ? "" : "\nlast written: ", model.last_export().c_str());
  ImGui::SameLine();
  if (reasoned_button(panel, "export.save_as", "Save as...", why_export)) open_save_dialog(model, panel);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("choose the folder and the file name (the extension is added)");
  draw_panel_error(model, panel, "export");
  ImGui::SameLine();
  bool ascii = model.ply_encoding() == PlyEncoding::Ascii;
  if (ImGui::Checkbox("ASCII PLY", &ascii)) model.set_ply_encoding(ascii ? PlyEncoding::Ascii : PlyEncoding::Binary);
  panel.record("export.ply_ascii");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("PLY as text (larger; binary is the default)");

  ImGui::Separator();
  ImGui::TextUnformatted("Test split (checkpoint shown, else the latest)");
  if (eval_job.running()) {
    job_progress(eval_job.progress(), eval_job.done(), eval_job.total());
    ImGui::SameLine();
    if (ImGui::Button("Cancel##eval")) model.cancel_batch_export();
    panel.record("export.batch_cancel");
  } else {
    if (reasoned_button(model, panel, "export.batch", "Batch export")) model.start_batch_export();
  }
  draw_panel_error(model, panel, "batch export");

  ImGui::SetNextItemWidth(-120);
  ImGui::InputTextWithHint("##pred", "predictions folder", &model.predictions_dir());
  panel.record("export.predictions");
  ImGui::SameLine();
  if (chamfer_job.running()) {
    if (ImGui::Button("Cancel##chamfer")) model.cancel_chamfer_report();
    panel.record("export.chamfer_cancel");
    job_progress(chamfer_job.progress(), chamfer_job.done(), chamfer_job.total());
  } else {
    if (reasoned_button(model, panel, "export.chamfer", "Chamfer report")) model.start_chamfer_report();
  }
  draw_panel_error(model, panel, "chamfer report");
  if (model.chamfer_report()) {
    const ChamferReport& r = *model.chamfer_report();
    ImGui::Text("mean of class means: CD x100 = %.3f  (%s.csv)", r.mean_of_class_means * 100, model.chamfer_saved_prefix().c_str());
    ImGui::SameLine();
    ImGui::Checkbox("per object", &panel.chamfer_per_object);
    panel.record("export.chamfer_per_object");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("one row per object; click a row to show that object in the 3D view (from the checkpoint)");
    const int columns = 3 + static_cast<int>(kFscoreThresholds.size());
    if (ImGui::BeginTable("chamfer", columns, ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_ScrollY | ImGuiTableFlags_Sortable,
                          ImVec2(0, std::min(ImGui::GetContentRegionAvail().y - 30, 200.f)))) {
      ImGui::TableSetupColumn("class", ImGuiTableColumnFlags_DefaultSort);
      ImGui::TableSetupColumn(panel.chamfer_per_object ? "object" : "objects", panel.chamfer_per_object ? 0 : ImGuiTableColumnFlags_NoSort);
      ImGui::TableSetupColumn("CD x100");
      char header[32];
      for (double t : kFscoreThresholds) {
        std::snprintf(header, sizeof header, "F@%.2f", t);
        ImGui::TableSetupColumn(header, ImGuiTableColumnFlags_PreferSortDescending);
      }
      ImGui::TableSetupScrollFreeze(0, 1);
      ImGui::TableHeadersRow();
      if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
        panel.chamfer_sort_column = specs->Specs[0].ColumnIndex;
        panel.chamfer_sort_ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
      }
      std::map<std::string, int> counts;
      for (const auto& c : r.classes) counts[c.class_id] = c.objects;
      const PreviewData& shown = model.shown_preview();
      for (const auto& row : chamfer_table_rows(r, panel.chamfer_per_object, panel.chamfer_sort_column, panel.chamfer_sort_ascending)) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const std::string id = row.class_id + "/" + row.object_id;
        if (panel.chamfer_per_object) {
          const bool on_show = !model.viewing_image() && !shown.preview_ids.empty() &&
                               shown.preview_ids[std::clamp(model.selected_object(), 0, shown.count() - 1)] == id;
          if (ImGui::Selectable((row.class_id + "##" + id).c_str(), on_show, ImGuiSelectableFlags_SpanAllColumns))
            model.show_object(id);
          panel.record("export.chamfer_row:" + id);
        } else {
          ImGui::TextUnformatted(row.class_id.c_str());
        }
        ImGui::TableNextColumn();
        if (panel.chamfer_per_object) ImGui::TextUnformatted(row.empty ? (row.object_id + " (empty)").c_str() : row.object_id.c_str());
        else ImGui::Text("%d", counts[row.class_id]);
        ImGui::TableNextColumn();
        ImGui::Text("%.3f", row.chamfer * 100);
        for (double f : row.fscore) {
          ImGui::TableNextColumn();
          ImGui::Text("%.2f", f * 100);
        }
      }
      ImGui::EndTable();
      panel.record("export.chamfer_table");
    }
  }
  ImGui::Separator();
  if (ImGui::Button("Screenshot (Ctrl+P)")) model.request_screenshot();
  panel.record("export.screenshot");
}

}  // namespace

void draw_export_panel(StudioModel& model, PanelState& panel) {
  if (!ImGui::BeginTabBar("export_tabs")) return;
  const bool files = ImGui::BeginTabItem("Files");
  panel.record("export.tab:files");
  if (files) {
    draw_files_tab(model, panel);
    ImGui::EndTabItem();
  }
  const std::string pictures_label = "Pictures (" + std::to_string(model.exported_pictures().size()) + ")###pictures";
  const bool pictures = ImGui::BeginTabItem(pictures_label.c_str());
  panel.record("export.tab:pictures");
  if (pictures) {
    draw_export_pictures_tab(model, panel);
    ImGui::EndTabItem();
  }
  const bool compare = ImGui::BeginTabItem("Compare runs");
  panel.record("export.tab:compare");
  if (compare) {
    draw_compare_section(model, panel);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace dibr::studio
