// Loss curves panel.
#include <imgui.h>

#include "app/panels.h"

namespace dibr::studio {

void draw_loss_panel(StudioModel& model, PanelState& panel) {
  panel.loss_plot.set_term_names(model.loss_names());
  panel.loss_plot.append(model.loss_history());
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec4 plot = panel.loss_plot.draw("loss", avail.x, avail.y);
  panel.ui.record("loss_plot", UiRect{plot.x, plot.y, plot.z, plot.w});
}

}  // namespace dibr::studio
