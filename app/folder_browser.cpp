#include "app/folder_browser.h"

#include "app/image_gallery.h"
#include "app/studio_export.h"
#include "trainer/dataset.h"
#include "trainer/mesh_export.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
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

std::vector<std::string> list_files_with_extensions(const std::string& path, const std::vector<std::string>& extensions) {
  return list_visible(path, [&](const fs::directory_entry& e, const std::string& name) {
    std::error_code file_ec;
    if (!e.is_regular_file(file_ec)) return false;
    std::string ext = fs::path(name).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(extensions.begin(), extensions.end(), ext) != extensions.end();
  });
}

std::string expand_home(const std::string& path) {
  if (path.empty() || path[0] != '~' || (path.size() > 1 && path[1] != '/')) return path;
  const char* home = std::getenv("HOME");
  if (!home || !*home) return path;
  return std::string(home) + path.substr(1);
}

std::string folder_kind(const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (is_class_folder(path)) return "class";
  if (fs::is_regular_file(p / "metrics.csv", ec) || fs::is_regular_file(p / "latest.pt", ec)) return "run";
  // A dataset root holds little besides its class folders, so the first entries tell; a folder of thousands of
  // entries costs no more than that.
  constexpr int kLookedAt = 64;
  int looked = 0;
  fs::directory_iterator it(p, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::directory_iterator() && looked < kLookedAt; it.increment(ec), ++looked) {
    std::error_code dir_ec;
    if (it->is_directory(dir_ec) && is_class_folder(it->path().string())) return "dataset";
  }
  return "";
}

void FolderBrowser::open_save(const std::string& start_folder, const std::string& file_name, PredictionKind kind,
                              const std::string& mesh_format, const std::vector<std::string>& listed) {
  save_kind_ = kind;
  save_mesh_format_ = mesh_format;
  save_listed_ = listed;
  file_name_ = file_name;
  open(start_folder, BrowseFor::SaveExport);
}

std::string FolderBrowser::save_path() const {
  if (file_name_.empty()) return {};
  return with_export_extension((fs::path(current_) / expand_home(file_name_)).string(), save_kind_, save_mesh_format_);
}

std::string FolderBrowser::save_target() const {
  const std::string path = save_path();
  return path.empty() ? path : unique_path(path);
}

bool FolderBrowser::save(std::string* chosen) {
  if (file_name_.empty()) {
    error_ = "type a file name";
    return false;
  }
  return choose(save_path(), chosen);
}

std::vector<std::string> FolderBrowser::list_files(const std::string& folder) const {
  if (pick_images_) return list_image_files(folder);
  if (purpose_ == BrowseFor::SaveExport) return list_files_with_extensions(folder, save_listed_);
  return {};
}

void FolderBrowser::open(const std::string& start_path, BrowseFor purpose) {
  open_ = true;
  purpose_ = purpose;
  pick_images_ = purpose == BrowseFor::Image;
  highlighted_.clear();
  popup_requested_ = true;
  std::error_code ec;
  const char* home = std::getenv("HOME");
  for (const std::string& start : {expand_home(start_path), last_folder_, std::string(home ? home : "")}) {
    if (!start.empty() && fs::is_directory(start, ec)) {
      navigate(start);
      return;
    }
  }
  navigate(fs::current_path(ec).string());
}

void FolderBrowser::navigate(const std::string& path) {
  try {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(expand_home(path)), ec);
    const std::string target = ec ? expand_home(path) : canonical.string();
    entries_ = list_subfolders(target);
    kinds_.assign(entries_.size(), "");
    for (size_t i = 0; i < entries_.size() && i < kMarkedEntries; ++i) kinds_[i] = folder_kind((fs::path(target) / entries_[i]).string());
    files_ = list_files(target);
    highlighted_.clear();
    current_ = target;
    typed_ = target;
    error_.clear();
  } catch (const std::exception& e) {
    error_ = e.what();  // stay where we were
  }
}

bool FolderBrowser::enter(const std::string& typed, std::string* chosen) {
  const std::string path = expand_home(typed);
  std::error_code ec;
  if (pick_images_ && fs::is_regular_file(path, ec) && is_user_image_file(path)) return choose(path, chosen);
  navigate(path);
  return false;
}

std::string FolderBrowser::folder_to_use() const {
  const bool folder = std::find(entries_.begin(), entries_.end(), highlighted_) != entries_.end();
  return folder && !highlighted_.empty() ? (fs::path(current_) / highlighted_).string() : current_;
}

bool FolderBrowser::choose(const std::string& path, std::string* chosen) {
  *chosen = path;
  std::error_code ec;
  last_folder_ = fs::is_directory(path, ec) ? path : fs::path(path).parent_path().string();
  open_ = false;
  return true;
}

bool FolderBrowser::draw(const char* title, std::string* chosen, UiMap& ui) {
  if (!open_) return false;
  if (popup_requested_) {
    ImGui::OpenPopup(title);
    popup_requested_ = false;
  }
  bool picked = false;
  ImGui::SetNextWindowSize(ImVec2(640 * ImGui::GetIO().FontGlobalScale, 480 * ImGui::GetIO().FontGlobalScale), ImGuiCond_Appearing);
  if (ImGui::BeginPopupModal(title, &open_)) {
    if (ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows) && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
      open_ = false;
    const bool up = ImGui::Button("Up");
    ui.record_last_item("browser.up");
    if (up && fs::path(current_).has_parent_path()) navigate(fs::path(current_).parent_path().string());
    ImGui::SameLine();
    if (ImGui::Button("Home")) navigate("~");
    ui.record_last_item("browser.home");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-80);
    const bool entered = ImGui::InputText("##path", &typed_, ImGuiInputTextFlags_EnterReturnsTrue);
    ui.record_last_item("browser.path");
    ImGui::SameLine();
    const bool go = ImGui::Button("Go");
    ui.record_last_item("browser.go");
    if ((entered || go) && enter(typed_, chosen)) picked = true;
    if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.4f, 1), "%s", error_.c_str());
    ImGui::BeginChild("entries", ImVec2(0, -ImGui::GetFrameHeightWithSpacing() * (saving() ? 2.4f : 1.3f)), true);
    std::string next;
    for (size_t i = 0; i < entries_.size(); ++i) {
      const std::string& name = entries_[i];
      const bool clicked = ImGui::Selectable((name + "/").c_str(), name == highlighted_, ImGuiSelectableFlags_AllowDoubleClick);
      ui.record_last_item("browser.entry:" + name);
      if (clicked) highlighted_ = name;
      if (clicked && ImGui::IsMouseDoubleClicked(0)) next = (fs::path(current_) / name).string();
      if (!kinds_[i].empty()) {
        ImGui::SameLine(ImGui::GetContentRegionMax().x - ImGui::CalcTextSize("[dataset]").x);
        ImGui::TextColored(kinds_[i] == "run" ? ImVec4(0.9f, 0.75f, 0.4f, 1) : ImVec4(0.4f, 0.9f, 0.5f, 1), "[%s]", kinds_[i].c_str());
      }
    }
    std::string picked_file;
    for (const auto& name : files_) {
      const bool clicked = ImGui::Selectable(name.c_str(), name == highlighted_, ImGuiSelectableFlags_AllowDoubleClick);
      ui.record_last_item((saving() ? "browser.file:" : "browser.image:") + name);
      if (clicked) highlighted_ = name;
      if (clicked && saving()) file_name_ = name;
      if (clicked && !saving() && ImGui::IsMouseDoubleClicked(0)) picked_file = name;
    }
    if (entries_.empty() && files_.empty())
      ImGui::TextDisabled(pick_images_ ? "(no sub-folders or images)" : saving() ? "(no sub-folders or files of this kind)" : "(no sub-folders)");
    ImGui::EndChild();
    if (!next.empty()) navigate(next);
    if (saving()) {
      ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Save").x - 4 * ImGui::GetStyle().FramePadding.x - ImGui::GetStyle().ItemSpacing.x);
      if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
      const std::string extension = export_extension(save_kind_, save_mesh_format_.c_str());
      const bool entered_name =
          ImGui::InputTextWithHint("##file_name", ("file name (" + extension + " is added without an extension)").c_str(),
                                   &file_name_, ImGuiInputTextFlags_EnterReturnsTrue);
      ui.record_last_item("browser.file_name");
      ImGui::SameLine();
      ImGui::BeginDisabled(file_name_.empty());
      const bool save_clicked = ImGui::Button("Save");
      ImGui::EndDisabled();
      ui.record_last_item("browser.save");
      if (file_name_.empty() && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("type a file name");
      if ((entered_name || save_clicked) && save(chosen)) picked = true;
      const std::string path = save_path(), target = save_target();
      if (!path.empty())
        ImGui::TextDisabled(target == path ? "saves %s" : "saves %s (the name is taken: nothing is overwritten)", target.c_str());
    } else if (pick_images_) {
      const bool image = std::find(files_.begin(), files_.end(), highlighted_) != files_.end();
      ImGui::BeginDisabled(!image);
      if (ImGui::Button("Open")) picked_file = highlighted_;
      ImGui::EndDisabled();
      ui.record_last_item("browser.open");
      if (!image && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("click an image first");
    } else {
      const std::string use = folder_to_use();
      const std::string label = use == current_ ? "Use this folder" : "Use " + fs::path(use).filename().string() + "/";
      const bool clicked = ImGui::Button((label + "###use").c_str());
      ui.record_last_item("browser.use");
      if (clicked) picked = choose(use, chosen);
    }
    if (!picked_file.empty()) picked = choose((fs::path(current_) / picked_file).string(), chosen);
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) open_ = false;
    ui.record_last_item("browser.cancel");
    ImGui::SameLine();
    ImGui::TextDisabled(pick_images_ ? "double-click: enter a folder, open an image | Esc: cancel"
                        : saving()   ? "double-click: enter a folder, click a file: take its name | Esc: cancel"
                                     : "click: pick, double-click: enter | Esc: cancel");
    if (!open_) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
  } else {
    open_ = false;
  }
  return picked;
}

}  // namespace dibr::studio
