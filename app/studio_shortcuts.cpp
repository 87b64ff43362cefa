// Menu bar, keyboard shortcuts, status bar, help and message log.
#include <GLFW/glfw3.h>
#include <imgui.h>

#include <utility>

#include "app/studio_app.h"

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
    {"Ctrl+E", "export the mesh of the 3D view as OBJ"},
    {"Ctrl+P", "screenshot of the window (PNG)"},
    {"Ctrl+K", "toggle checkpoint view (latest checkpoint) / live"},
    {"Left / Right", "previous / next checkpoint"},
    {"Up / Down", "previous / next preview object"},
    {"Ctrl+O", "choose a dataset folder"},
    {"F1", "this help"},
    {"Ctrl+Q", "quit (training is stopped and saved)"},
};

}  // namespace

void StudioApp::handle_shortcuts() {
  const std::vector<KeyPress> keys = std::exchange(pending_keys_, {});
  if (ImGui::GetIO().WantTextInput) return;  // typing in a field: keys belong to it
  for (const KeyPress& k : keys) {
    const bool ctrl = k.mods & GLFW_MOD_CONTROL, shift = k.mods & GLFW_MOD_SHIFT;
    switch (k.key) {
      case GLFW_KEY_T:
        if (ctrl && shift) stop_training();
        else if (ctrl) start_or_resume_training();
        break;
      case GLFW_KEY_SPACE:
        if (!ctrl) toggle_pause();
        break;
      case GLFW_KEY_E:
        if (ctrl) export_shown_obj();
        break;
      case GLFW_KEY_P:
        if (ctrl) request_screenshot();
        break;
      case GLFW_KEY_K:
        if (ctrl) toggle_checkpoint_view();
        break;
      case GLFW_KEY_O:
        if (ctrl) browser_.open(data_root_);
        break;
      case GLFW_KEY_Q:
        if (ctrl) glfwSetWindowShouldClose(window_, GLFW_TRUE);
        break;
      case GLFW_KEY_F1:
        show_help_ = !show_help_;
        break;
      case GLFW_KEY_LEFT:
        if (!ctrl) step_checkpoint(-1);
        break;
      case GLFW_KEY_RIGHT:
        if (!ctrl) step_checkpoint(+1);
        break;
      case GLFW_KEY_UP:
        if (!ctrl) selected_object_ = std::max(0, selected_object_ - 1);
        break;
      case GLFW_KEY_DOWN:
        if (!ctrl) selected_object_ = std::min(std::max(shown_preview().count() - 1, 0), selected_object_ + 1);
        break;
      default:
        break;
    }
  }
}

void StudioApp::draw_menu_bar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open dataset folder...", "Ctrl+O")) browser_.open(data_root_);
    if (ImGui::MenuItem("Use the built-in sample")) open_dataset("");
    if (ImGui::BeginMenu("Recent folders", !recent_.folders().empty())) {
      for (const auto& f : recent_.folders()) {
        if (ImGui::MenuItem(f.c_str())) open_dataset(f);
      }
      ImGui::EndMenu();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Export OBJ of the 3D view", "Ctrl+E")) export_shown_obj();
    if (ImGui::MenuItem("Screenshot", "Ctrl+P")) request_screenshot();
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) glfwSetWindowShouldClose(window_, GLFW_TRUE);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Training")) {
    if (ImGui::MenuItem("Start / resume", "Ctrl+T")) start_or_resume_training();
    if (ImGui::MenuItem("Pause / resume", "Space")) toggle_pause();
    if (ImGui::MenuItem("Stop", "Ctrl+Shift+T")) stop_training();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    if (ImGui::MenuItem("Live training", nullptr, !show_checkpoint_)) go_live();
    if (ImGui::MenuItem("Checkpoint view", "Ctrl+K", show_checkpoint_)) toggle_checkpoint_view();
    if (ImGui::MenuItem("Previous checkpoint", "Left")) step_checkpoint(-1);
    if (ImGui::MenuItem("Next checkpoint", "Right")) step_checkpoint(+1);
    ImGui::Separator();
    ImGui::MenuItem("Wireframe", nullptr, &viewport_.wireframe);
    ImGui::MenuItem("GT points", nullptr, &viewport_.show_points);
    if (ImGui::MenuItem("Reset 3D view")) viewport_.reset_view();
    ImGui::Separator();
    ImGui::MenuItem("Messages", nullptr, &show_messages_);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    ImGui::MenuItem("Keyboard shortcuts", "F1", &show_help_);
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

void StudioApp::draw_status_bar() {
  ImGui::Text("%.0f fps", ImGui::GetIO().Framerate);
  ImGui::SameLine();
  ImGui::TextDisabled("|");
  ImGui::SameLine();
  ImGui::TextUnformatted(window_title().c_str() + 15);  // without "DIB-R Studio - "
  if (!messages_.empty()) {
    const Message& m = messages_.back();
    ImGui::SameLine();
    ImGui::TextDisabled("|");
    ImGui::SameLine();
    ImGui::TextColored(m.error ? ImVec4(1, 0.4f, 0.4f, 1) : ImVec4(0.75f, 0.75f, 0.75f, 1), "%s %s", m.time.c_str(),
                       m.text.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("click for all messages");
    if (ImGui::IsItemClicked()) show_messages_ = true;
  }
}

void StudioApp::draw_help_window() {
  if (!show_help_) return;
  ImGui::SetNextWindowSize(ImVec2(460, 0), ImGuiCond_Appearing);
  if (ImGui::Begin("Keyboard shortcuts", &show_help_)) {
    if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg)) {
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
  }
  ImGui::End();
}

void StudioApp::draw_messages_window() {
  if (!show_messages_) return;
  ImGui::SetNextWindowSize(ImVec2(700, 300), ImGuiCond_Appearing);
  if (ImGui::Begin("Messages", &show_messages_)) {
    if (ImGui::Button("Clear")) messages_.clear();
    ImGui::BeginChild("log", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
    for (const auto& m : messages_) {
      ImGui::TextColored(m.error ? ImVec4(1, 0.4f, 0.4f, 1) : ImVec4(0.8f, 0.8f, 0.8f, 1), "%s %s", m.time.c_str(), m.text.c_str());
    }
    if (ImGui::GetScrollY() >= ImGui::GetScrollMaxY()) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
  }
  ImGui::End();
}

}  // namespace dibr::studio
