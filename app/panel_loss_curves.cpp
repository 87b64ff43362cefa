// Loss curves panel.
#include <imgui.h>

#include "app/studio_app.h"

namespace dibr::studio {

void StudioApp::draw_loss_panel() {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  loss_plot_.draw("loss", avail.x, avail.y);
}

}  // namespace dibr::studio
