#include "app/folder_browser.h"

#include "app/image_gallery.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace dibr::studio {

namespace {

// Names of the entries of `path` that are not hidden (".name") and that `keep` accepts, sorted.
template <typename Keep>
std::vector<std::string> list_visible(const std::string& path, Keep keep) {
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw std::runtime_error("cannot read '" + path + "': " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw std::runtime_error("cannot read '" + path + "': " + ec.message());
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] != '.' && keep(*it, name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

std::vector<std::string> list_subfolders(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) throw std::runtime_error("'" + path + "' is not a folder");
  return list_visible(path, [](const fs::directory_entry& e, const std::string&) {
    std::error_code dir_ec;
    return e.is_directory(dir_ec);
  });
}

std::vector<std::string> list_image_files(const std::string& path) {
  return list_visible(path, [](const fs::directory_entry& e, const std::string& name) {
    std::error_code file_ec;
    return e.is_regular_file(file_ec) && is_user_image_file(name);
  });
}

void FolderBrowser::open(const std::string& start_path, BrowseFor purpose) {
  open_ = true;
  purpose_ = purpose;
  pick_images_ = purpose == BrowseFor::Image;
  highlighted_.clear();
  popup_requested_ = true;
  std::error_code ec;
  std::string start = start_path;
  if (start.empty() || !fs::is_directory(start, ec)) start = fs::current_path(ec).string();
  navigate(start);
}

void FolderBrowser::navigate(const std::string& path) {
  try {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
    const std::string target = ec ? path : canonical.string();
    entries_ = list_subfolders(target);
    images_ = pick_images_ ? list_image_files(target) : std::vector<std::string>();
    highlighted_.clear();
    current_ = target;
    typed_ = target;
    error_.clear();
  } catch (const std::exception& e) {
    error_ = e.what();  // stay where we were
  }
}

bool FolderBrowser::draw(const char* title, std::string* chosen, UiMap& ui) {
  if (!open_) return false;
  if (popup_requested_) {
    ImGui::OpenPopup(title);
    popup_requested_ = false;
  }
  bool picked = false;
  ImGui::SetNextWindowSize(ImVec2(640, 480), ImGuiCond_Appearing);
  if (ImGui::BeginPopupModal(title, &open_)) {
    const bool up = ImGui::Button("Up");
    ui.record_last_item("browser.up");
    if (up && fs::path(current_).has_parent_path()) navigate(fs::path(current_).parent_path().string());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-80);
    const bool entered = ImGui::InputText("##path", &typed_, ImGuiInputTextFlags_EnterReturnsTrue);
    ui.record_last_item("browser.path");
    ImGui::SameLine();
    const bool go = ImGui::Button("Go");
    ui.record_last_item("browser.go");
    if (entered || go) {
      std::error_code ec;
      if (pick_images_ && fs::is_regular_file(typed_, ec) && is_user_image_file(typed_)) {
        *chosen = typed_;
        picked = true;
        open_ = false;
      } else {
        navigate(typed_);
      }
    }
    if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
    ImGui::BeginChild("entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * 1.3f), true);
    std::string next;
    for (const auto& name : entries_) {
      const bool clicked = ImGui::Selectable((name + "/").c_str(), false, ImGuiSelectableFlags_AllowDoubleClick);
      ui.record_last_item("browser.entry:" + name);
      if (clicked && ImGui::IsMouseDoubleClicked(0)) next = (fs::path(current_) / name).string();
    }
    std::string picked_file;
    for (const auto& name : images_) {
      const bool clicked = ImGui::Selectable(name.c_str(), name == highlighted_, ImGuiSelectableFlags_AllowDoubleClick);
      ui.record_last_item("browser.image:" + name);
      if (clicked) highlighted_ = name;
      if (clicked && ImGui::IsMouseDoubleClicked(0)) picked_file = name;
    }
    if (entries_.empty() && images_.empty()) ImGui::TextDisabled(pick_images_ ? "(no sub-folders or images)" : "(no sub-folders)");
    ImGui::EndChild();
    if (!next.empty()) navigate(next);
    if (pick_images_) {
      ImGui::BeginDisabled(highlighted_.empty());
      if (ImGui::Button("Open")) picked_file = highlighted_;
      ImGui::EndDisabled();
      ui.record_last_item("browser.open");
    } else {
      const bool use = ImGui::Button("Use this folder");
      ui.record_last_item("browser.use");
      if (use) {
        *chosen = current_;
        picked = true;
        open_ = false;
      }
    }
    if (!picked_file.empty()) {
      *chosen = (fs::path(current_) / picked_file).string();
      picked = true;
      open_ = false;
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) open_ = false;
    ui.record_last_item("browser.cancel");
    ImGui::SameLine();
    ImGui::TextDisabled(pick_images_ ? "double-click a folder to enter it, an image to open it" : "double-click a folder to enter it");
    if (!open_) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  } else {
    open_ = false;
  }
  return picked;
}

}  // namespace dibr::studio
