// Loss curves panel: the run's curves (LossPlot), with the checkpoint shown marked, exports and other runs' overlays.
#include <imgui.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include "app/panels.h"
#include "app/studio_export.h"

namespace fs = std::filesystem;

namespace dibr::studio {
namespace {

std::string plot_file(const StudioModel& model, const char* ext) {
  const std::time_t t = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", std::localtime(&t));
  const fs::path dir = fs::path(model.out_dir()) / "plots";
  fs::create_directories(dir);
  return unique_path((dir / (std::string("loss_") + stamp + ext)).string());
}

}  // namespace

void draw_loss_panel(StudioModel& model, PanelState& panel) {
  LossPlot& plot = panel.loss_plot;
  plot.set_term_names(model.loss_names());
  plot.append(model.loss_history());
  const PreviewData& shown = model.shown_preview();
  plot.marker_step = shown.from_checkpoint ? shown.step : -1;
  {
    // The checkpoints' validation: chamfer (lower is better) when every scored one has it, as best_validation
    // chooses, else the silhouette IoU.
    std::vector<int64_t> steps;
    std::vector<double> iou, chamfer;
    bool all_chamfer = true;
    int best = -1;
    for (int i = 0; i < static_cast<int>(model.checkpoints().size()); ++i) {
      const auto& v = model.validation(i);
      if (!v || v->silhouette_iou < 0) continue;
      if (i == model.best_checkpoint()) best = static_cast<int>(steps.size());
      steps.push_back(model.checkpoints()[i].step);
      iou.push_back(v->silhouette_iou);
      chamfer.push_back(100 * v->chamfer);
      all_chamfer = all_chamfer && v->chamfer >= 0;
    }
    plot.set_validation(all_chamfer ? "val CD x100" : "val IoU", steps, all_chamfer ? chamfer : iou, best);
  }

  if (reasoned_button(model, panel, "loss.csv", "CSV", ButtonSize::Small)) {
    try {
      const std::string path = plot_file(model, ".csv");
      std::ofstream out(path);
      out << plot.to_csv();
      if (!out.flush()) throw std::runtime_error("cannot write " + path);
      model.info("loss curves saved as " + path);
    } catch (const std::exception& e) {
      model.error(std::string("loss curves CSV: ") + e.what());
    }
  }
  ImGui::SameLine();
  if (reasoned_button(model, panel, "loss.png", "PNG", ButtonSize::Small)) {
    try {
      panel.plot_png_request = plot_file(model, ".png");
    } catch (const std::exception& e) {
      model.error(std::string("loss curves PNG: ") + e.what());
    }
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Overlay a run...")) panel.browser.open(model.out_dir(), BrowseFor::OverlayRun);
  panel.record("loss.overlay");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("draw another run's curves (its metrics.csv; any method: its total and the terms named like this run's) under this one");
  ImGui::SameLine();
  if (reasoned_button(panel, "loss.reset", "Reset zoom",
                      plot.zoomed() ? "" : "the plot shows every step (drag a range or use the wheel to zoom)",
                      ButtonSize::Small))
    plot.reset_view();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec4 r = plot.draw("loss", avail.x, avail.y);
  panel.plot_rect = UiRect{r.x, r.y, r.z, r.w};
  panel.ui.record("loss_plot", panel.plot_rect);
}

}  // namespace dibr::studio
