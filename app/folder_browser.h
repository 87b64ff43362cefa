#pragma once
// A folder picker drawn with ImGui (no native dialog: works over ssh/X forwarding and under Xvfb):
// list sub-folders (datasets, class folders and runs marked), go up, type or paste a path (~ is home). In image mode it also lists the folder's images
// (is_user_image_file) and picks one: double-click it, or highlight it and Open, or type its path. In save mode
// (open_save) it is a save dialog: a file name under the folder list, the extension added when the name has none,
// the folder's files of that kind listed, and the path it will write shown (an existing file is never overwritten).
#include <string>
#include <vector>

#include "app/ui_map.h"
#include "trainer/prediction.h"

namespace dibr::studio {

// Sub-folders of `path`, sorted, hidden ones (".name") left out. Throws std::runtime_error naming the
// path when it is not a readable folder.
std::vector<std::string> list_subfolders(const std::string& path);
// Image files (is_user_image_file) directly in `path`, sorted, hidden ones left out.
std::vector<std::string> list_image_files(const std::string& path);
// Files directly in `path` whose extension is one of `extensions` (".obj", compared without case), sorted, hidden ones left out.
std::vector<std::string> list_files_with_extensions(const std::string& path, const std::vector<std::string>& extensions);

// What the browser is picking: the caller acts on the choice by this.
enum class BrowseFor { DatasetFolder, RunFolder, OverlayRun, CompareRun, Image, SaveExport };

// "~" and "~/..." with $HOME put in; anything else unchanged.
std::string expand_home(const std::string& path);

// What a folder is to the studio, for the browser's marks: "dataset" (one of its first 64 entries is a class
// folder), "class" (it holds softras_*.lst itself), "run" (metrics.csv or latest.pt), or "".
std::string folder_kind(const std::string& path);

class FolderBrowser {
 public:
  // Opens at start_path; when that is empty or not a folder, at the last folder chosen, else at home, else at
  // the working folder.
  void open(const std::string& start_path, BrowseFor purpose = BrowseFor::DatasetFolder);
  void close() { open_ = false; }
  bool is_open() const { return open_; }
  BrowseFor purpose() const { return purpose_; }
  bool picking_images() const { return purpose_ == BrowseFor::Image; }
  // The save dialog for a prediction of `kind`: opens at start_folder (as open() does) with `file_name` typed; names
  // without an extension get the one export adds (with_export_extension: `mesh_format` for a mesh, .ply for a cloud);
  // the folder's files with the extensions in `listed` are shown (a click takes the name).
  void open_save(const std::string& start_folder, const std::string& file_name, PredictionKind kind,
                 const std::string& mesh_format, const std::vector<std::string>& listed);
  bool saving() const { return purpose_ == BrowseFor::SaveExport; }
  std::string& file_name() { return file_name_; }
  // Where Save writes: the current folder / the file name, with the extension when it has none; "" without a name.
  // The caller's writer then keeps existing files (unique_path); save_target() says what that makes of it.
  std::string save_path() const;
  std::string save_target() const;  // unique_path(save_path())
  // The save dialog's Save: true and *chosen = save_path() when a name is typed.
  bool save(std::string* chosen);
  const std::string& current() const { return current_; }
  const std::string& error() const { return error_; }
  // The folder the last choice was in (or was): where open() starts next time. The studio remembers it.
  const std::string& last_folder() const { return last_folder_; }
  void set_last_folder(const std::string& folder) { last_folder_ = folder; }

  // Sub-folders of the current folder and their folder_kind() (the first kMarkedEntries only).
  const std::vector<std::string>& entries() const { return entries_; }
  const std::vector<std::string>& entry_kinds() const { return kinds_; }
  static constexpr size_t kMarkedEntries = 400;
  // The files listed under the sub-folders: images (image mode) or the save dialog's kinds, else none.
  const std::vector<std::string>& files() const { return files_; }
  void navigate(const std::string& path);
  // The typed path (~ expanded): a folder is entered; in image mode an image file is chosen (true, *chosen).
  bool enter(const std::string& typed, std::string* chosen);
  // A single click on a sub-folder or image highlights it ("" clears).
  void highlight(const std::string& name) { highlighted_ = name; }
  const std::string& highlighted() const { return highlighted_; }
  // What "Use this folder" picks: the highlighted sub-folder, else the current folder.
  std::string folder_to_use() const;

  // Draws the modal while open; returns true (and sets *chosen) when the user picked a folder or image.
  // Escape closes it. Its controls are recorded in `ui` as browser.*.
  bool draw(const char* title, std::string* chosen, UiMap& ui);

 private:
  bool choose(const std::string& path, std::string* chosen);
  std::vector<std::string> list_files(const std::string& folder) const;  // images, or the save dialog's listed kinds
  bool open_ = false, popup_requested_ = false, pick_images_ = false;
  BrowseFor purpose_ = BrowseFor::DatasetFolder;
  std::string current_, typed_, error_, highlighted_, last_folder_;
  std::string file_name_, save_mesh_format_;
  PredictionKind save_kind_ = PredictionKind::Mesh;
  std::vector<std::string> save_listed_;
  std::vector<std::string> entries_, kinds_, files_;
};

}  // namespace dibr::studio
