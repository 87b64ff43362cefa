#include "app/studio_about.h"

#include <epoxy/gl.h>
#include <imgui.h>
#include <torch/version.h>

#include <exception>
#include <filesystem>

#include "app/panels.h"
#include "trainer/device.h"

namespace fs = std::filesystem;

namespace dibr::studio {

std::string docs_folder() {
  std::error_code ec;
  const fs::path docs = fs::path(DIBR_SOURCE_DIR) / "docs";
  return fs::is_regular_file(docs / "studio.md", ec) ? docs.string() : std::string();
}

std::vector<std::pair<std::string, std::string>> about_rows(const std::string& gl_renderer) {
  std::string device;
  try {
    device = describe_device(resolve_device("auto"), "auto");
  } catch (const std::exception& e) {
    device = e.what();
  }
  const std::string docs = docs_folder();
  return {{"version", std::string(DIBR_VERSION) + " (" + DIBR_BUILD_TYPE + " build)"},
          {"LibTorch", TORCH_VERSION},
          {"Dear ImGui", IMGUI_VERSION},
          {"training runs on", device},
          {"OpenGL", gl_renderer.empty() ? "(unknown)" : gl_renderer},
          {"documentation", docs.empty() ? "not found (the source tree it was built from has moved: see README.md)"
                                         : docs + "/studio.md (the studio), cli.md, methods.md"}};
}

void draw_about_window(PanelState& panel) {
  if (!panel.show_about) return;
  static std::vector<std::pair<std::string, std::string>> rows;
  if (rows.empty()) {
    const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    rows = about_rows(renderer ? renderer : "");
  }
  if (ImGui::Begin("About DIB-R Studio", &panel.show_about, ImGuiWindowFlags_AlwaysAutoResize)) {
    ImGui::TextUnformatted("DIB-R Studio: single-image 3D reconstruction learned from 2D images.");
    ImGui::TextDisabled("DIB-R, NMR, SoftRas, DRWR, DIFFER and DVR trained on the NMR ShapeNet renderings.");
    ImGui::Separator();
    if (ImGui::BeginTable("about", 2, ImGuiTableFlags_SizingFixedFit)) {
      for (const auto& [label, value] : rows) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextDisabled("%s", label.c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(value.c_str());
      }
      ImGui::EndTable();
    }
    const std::string docs = docs_folder();
    if (reasoned_button(panel, "about.copy_docs", "Copy the docs' path",
                        docs.empty() ? "the docs folder is not in the source tree this was built from (moved or deleted)" : ""))
      ImGui::SetClipboardText(docs.c_str());
    ImGui::SameLine();
    if (ImGui::Button("Close")) panel.show_about = false;
    panel.record("about.close");
  }
  ImGui::End();
}

}  // namespace dibr::studio
