// Loss curves panel.
#include <imgui.h>

#include "app/studio_app.h"

namespace dibr::studio {

void StudioApp::draw_loss_panel() {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const ImVec4 plot = loss_plot_.draw("loss", avail.x, avail.y);
  ui_.record("loss_plot", UiRect{plot.x, plot.y, plot.z, plot.w});
}

}  // namespace dibr::studio
