// Menu bar, keyboard shortcuts, status bar, help and message log.
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <string>
#include <utility>

#include "app/panels.h"

namespace dibr::studio {
namespace {

struct Shortcut {
  const char* keys;
  const char* action;
};
// Shown in Help > Keyboard shortcuts; docs/studio.md has the same list.
const Shortcut kShortcuts[] = {
    {"Ctrl+T", "start training / resume when paused"},
    {"Space", "pause / resume"},
    {"Ctrl+Shift+T", "stop training (writes latest.pt)"},
    {"Ctrl+E", "export the prediction of the 3D view (OBJ / PLY)"},
    {"Ctrl+P", "screenshot of the window (PNG)"},
    {"Ctrl+K", "toggle checkpoint view (latest checkpoint) / live"},
    {"Left / Right", "previous / next checkpoint"},
    {"Up / Down", "previous / next preview object"},
    {"Ctrl+O", "choose a dataset folder"},
    {"Ctrl+I", "open an image to reconstruct (or drop image files)"},
    {"F11", "maximise / restore the 3D view"},
    {"F", "fit the 3D view to what is on show"},
    {"F1", "this help"},
    {"Ctrl+Q", "quit (training is stopped and saved)"},
};

}  // namespace

void handle_shortcuts(StudioModel& model, PanelState& panel) {
  const std::vector<KeyPress> keys = std::exchange(panel.pending_keys, {});
  if (ImGui::GetIO().WantTextInput) return;  // typing in a field: keys belong to it
  for (const KeyPress& k : keys) {
    const bool ctrl = k.mods & GLFW_MOD_CONTROL, shift = k.mods & GLFW_MOD_SHIFT;
    switch (k.key) {
      case GLFW_KEY_T:
        if (ctrl && shift) model.stop_training();
        else if (ctrl) model.start_or_resume_training();
        break;
      case GLFW_KEY_SPACE:
        if (!ctrl) model.toggle_pause();
        break;
      case GLFW_KEY_E:
        if (ctrl) model.export_shown();
        break;
      case GLFW_KEY_P:
        if (ctrl) model.request_screenshot();
        break;
      case GLFW_KEY_K:
        if (ctrl) model.toggle_checkpoint_view();
        break;
      case GLFW_KEY_O:
        if (ctrl) panel.browser.open(model.dataset() && !model.dataset()->builtin_sample ? model.dataset()->root : std::string());
        break;
      case GLFW_KEY_I:
        if (ctrl) panel.browser.open(std::string(), BrowseFor::Image);
        break;
      case GLFW_KEY_Q:
        if (ctrl) panel.quit_requested = true;
        break;
      case GLFW_KEY_F1:
        panel.show_help = !panel.show_help;
        break;
      case GLFW_KEY_F:
        if (!ctrl) panel.viewport.fit_to_view();
        break;
      case GLFW_KEY_F11:
        panel.maximise_viewport = !panel.maximise_viewport;
        break;
      case GLFW_KEY_LEFT:
        if (!ctrl) model.step_checkpoint(-1);
        break;
      case GLFW_KEY_RIGHT:
        if (!ctrl) model.step_checkpoint(+1);
        break;
      case GLFW_KEY_UP:
        if (!ctrl) model.select_object(model.selected_object() - 1);
        break;
      case GLFW_KEY_DOWN:
        if (!ctrl) model.select_object(model.selected_object() + 1);
        break;
      default:
        break;
    }
  }
}

void draw_menu_bar(StudioModel& model, PanelState& panel) {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open dataset folder...", "Ctrl+O"))
      panel.browser.open(model.dataset() && !model.dataset()->builtin_sample ? model.dataset()->root : std::string());
    if (ImGui::MenuItem("Use the built-in sample")) model.open_dataset("");
    if (ImGui::MenuItem("Open run folder...")) panel.browser.open(model.out_dir(), BrowseFor::RunFolder);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("a folder written by dibr train or the studio: its settings, loss curves and checkpoints; Start resumes it");
    if (ImGui::MenuItem("Open image...", "Ctrl+I")) panel.browser.open(std::string(), BrowseFor::Image);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("reconstruct your own picture with the model on show (or drop images onto the window)");
    if (ImGui::BeginMenu("Recent folders", !model.recent().folders().empty())) {
      for (const auto& f : model.recent().folders()) {
        if (ImGui::MenuItem(f.c_str())) model.open_dataset(f);
      }
      ImGui::EndMenu();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Export the prediction of the 3D view", "Ctrl+E")) model.export_shown();
    if (ImGui::MenuItem("Screenshot", "Ctrl+P")) model.request_screenshot();
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) panel.quit_requested = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Training")) {
    if (ImGui::MenuItem("Start / resume", "Ctrl+T")) model.start_or_resume_training();
    if (ImGui::MenuItem("Pause / resume", "Space")) model.toggle_pause();
    if (ImGui::MenuItem("Stop", "Ctrl+Shift+T")) model.stop_training();
    ImGui::EndMenu();
  }
  const bool view_menu = ImGui::BeginMenu("View");
  panel.record("menu:View");
  if (view_menu) {
    if (ImGui::MenuItem("Live training", nullptr, !model.showing_checkpoint())) model.go_live();
    if (ImGui::MenuItem("Checkpoint view", "Ctrl+K", model.showing_checkpoint())) model.toggle_checkpoint_view();
    if (ImGui::MenuItem("Previous checkpoint", "Left")) model.step_checkpoint(-1);
    if (ImGui::MenuItem("Next checkpoint", "Right")) model.step_checkpoint(+1);
    ImGui::Separator();
    ImGui::MenuItem("Wireframe", nullptr, &panel.viewport.wireframe);
    ImGui::MenuItem("GT points", nullptr, &panel.viewport.show_points);
    ImGui::MenuItem("Ground grid", nullptr, &panel.viewport.show_grid);
    ImGui::MenuItem("Axis gizmo", nullptr, &panel.viewport.show_axes);
    if (ImGui::MenuItem("Reset 3D view")) panel.viewport.reset_view();
    if (ImGui::MenuItem("Fit 3D view", "F")) panel.viewport.fit_to_view();
    ImGui::MenuItem("Maximise the 3D view", "F11", &panel.maximise_viewport);
    if (ImGui::MenuItem("Reset panel sizes")) panel.splits = LayoutSplits();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("drag the gaps between panels to resize them; a double click resets one");
    const bool scale_menu = ImGui::BeginMenu("UI scale");
    panel.record("menu.ui_scale");
    if (scale_menu) {
      if (ImGui::MenuItem("automatic (--ui-scale or the monitor's)", nullptr, panel.ui_scale == 0)) panel.ui_scale = 0;
      for (const float scale : {0.75f, 1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f}) {
        const std::string percent = std::to_string(static_cast<int>(scale * 100 + 0.5f));
        if (ImGui::MenuItem((percent + " %").c_str(), nullptr, panel.ui_scale == scale)) panel.ui_scale = scale;
        panel.record("menu.ui_scale:" + percent);
      }
      ImGui::EndMenu();
    }
    ImGui::Separator();
    ImGui::MenuItem("Draw less while training", nullptr, &panel.draw_less_while_training);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("while training runs and you do not touch the window, draw at most %.0f frames a second", panel.training_fps);
    ImGui::MenuItem("Messages", nullptr, &panel.show_messages);
    ImGui::EndMenu();
  }
  const bool help_menu = ImGui::BeginMenu("Help");
  panel.record("menu:Help");
  if (help_menu) {
    ImGui::MenuItem("Keyboard shortcuts", "F1", &panel.show_help);
    panel.record("menu.shortcuts");
    ImGui::MenuItem("About DIB-R Studio", nullptr, &panel.show_about);
    panel.record("menu.about");
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

void draw_status_bar(StudioModel& model, PanelState& panel) {
  ImGui::Text("%.0f fps", panel.fps);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("frames drawn per second: only when something changes, and fewer while training (View menu)");
  ImGui::SameLine();
  ImGui::TextDisabled("| drawing %.0f%%", panel.draw_share * 100);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("share of the time the window spends drawing (it takes cores from training)");
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  ImGui::TextUnformatted(model.window_title().c_str() + 15);  // without "DIB-R Studio - "
  ImGui::SameLine();
  ImGui::TextDisabled("| drop: folder = dataset, images = reconstruct");
  if (!model.messages().empty()) {
    const Message& m = model.messages().back();
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextColored(m.error ? ImVec4(1, 0.4f, 0.4f, 1) : ImVec4(0.75f, 0.75f, 0.75f, 1), "%s %s", m.time.c_str(),
                       m.text.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("click for all messages");
    if (ImGui::IsItemClicked()) panel.show_messages = true;
  }
}

void draw_help_window(PanelState& panel) {
  if (!panel.show_help) return;
  // Sized to its text (the longest action), at any UI scale.
  if (ImGui::Begin("Keyboard shortcuts", &panel.show_help, ImGuiWindowFlags_AlwaysAutoResize)) {
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
      for (const auto& s : kShortcuts) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(s.keys);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(s.action);
      }
      ImGui::EndTable();
    }
    ImGui::TextDisabled("Keys act when no text field is being edited.");
    panel.ui.record_last_item("help.last_line");
  }
  ImGui::End();
}

void draw_messages_window(StudioModel& model, PanelState& panel) {
  if (!panel.show_messages) return;
  ImGui::SetNextWindowSize(ImVec2(700, 300), ImGuiCond_Appearing);
  if (ImGui::Begin("Messages", &panel.show_messages)) {
    if (ImGui::Button("Clear")) model.clear_messages();
    ImGui::BeginChild("log", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    for (const auto& m : model.messages()) {
      ImGui::TextColored(m.error ? ImVec4(1, 0.4f, 0.4f, 1) : ImVec4(0.8f, 0.8f, 0.8f, 1), "%s %s", m.time.c_str(), m.text.c_str());
    }
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
  }
  ImGui::End();
}

}  // namespace dibr::studio
