#pragma once
// A folder picker drawn with ImGui (no native dialog: works over ssh/X forwarding and under Xvfb):
// list sub-folders, go up, type or paste a path.
#include <string>
#include <vector>

#include "app/ui_map.h"

namespace dibr::studio {

// Sub-folders of `path`, sorted, hidden ones (".name") left out. Throws std::runtime_error naming the
// path when it is not a readable folder.
std::vector<std::string> list_subfolders(const std::string& path);

class FolderBrowser {
 public:
  void open(const std::string& start_path);
  bool is_open() const { return open_; }
  const std::string& current() const { return current_; }
  const std::string& error() const { return error_; }
  // Draws the modal while open; returns true (and sets *chosen) when the user picked a folder.
  // Its controls are recorded in `ui` as browser.*.
  bool draw(const char* title, std::string* chosen, UiMap& ui);

 private:
  void navigate(const std::string& path);
  bool open_ = false, popup_requested_ = false;
  std::string current_, typed_, error_;
  std::vector<std::string> entries_;
};

}  // namespace dibr::studio
