#pragma once
// A folder picker drawn with ImGui (no native dialog: works over ssh/X forwarding and under Xvfb):
// list sub-folders, go up, type or paste a path. In image mode it also lists the folder's images
// (is_user_image_file) and picks one: double-click it, or highlight it and Open, or type its path.
#include <string>
#include <vector>

#include "app/ui_map.h"

namespace dibr::studio {

// Sub-folders of `path`, sorted, hidden ones (".name") left out. Throws std::runtime_error naming the
// path when it is not a readable folder.
std::vector<std::string> list_subfolders(const std::string& path);
// Image files (is_user_image_file) directly in `path`, sorted, hidden ones left out.
std::vector<std::string> list_image_files(const std::string& path);

// What the browser is picking: the caller acts on the choice by this.
enum class BrowseFor { DatasetFolder, RunFolder, OverlayRun, CompareRun, Image };

class FolderBrowser {
 public:
  void open(const std::string& start_path, BrowseFor purpose = BrowseFor::DatasetFolder);
  bool is_open() const { return open_; }
  BrowseFor purpose() const { return purpose_; }
  bool picking_images() const { return purpose_ == BrowseFor::Image; }
  const std::string& current() const { return current_; }
  const std::string& error() const { return error_; }
  // Draws the modal while open; returns true (and sets *chosen) when the user picked a folder.
  // Its controls are recorded in `ui` as browser.*.
  bool draw(const char* title, std::string* chosen, UiMap& ui);

 private:
  void navigate(const std::string& path);
  bool open_ = false, popup_requested_ = false, pick_images_ = false;
  BrowseFor purpose_ = BrowseFor::DatasetFolder;
  std::string current_, typed_, error_, highlighted_;
  std::vector<std::string> entries_, images_;
};

}  // namespace dibr::studio
