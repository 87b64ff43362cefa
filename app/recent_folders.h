#pragma once
// The dataset folders a user opened recently, newest first, kept in a small JSON file
// ($XDG_CONFIG_HOME or ~/.config)/dibr-studio/recent.json. Saved atomically (temp file, then rename).
#include <string>
#include <vector>

namespace dibr::studio {

class RecentFolders {
 public:
  explicit RecentFolders(std::string file, size_t capacity = 10);
  // The default file; empty when neither XDG_CONFIG_HOME nor HOME is set.
  static std::string default_file();

  // Reads the file; a missing file is an empty list. Throws std::runtime_error naming the file when it
  // exists but cannot be parsed (the file is left untouched).
  void load();
  // Moves `folder` to the front (dropping duplicates and the oldest beyond capacity) and saves.
  void add(const std::string& folder);
  void remove(const std::string& folder);
  void save() const;  // throws std::runtime_error naming the file on I/O errors

  const std::vector<std::string>& folders() const { return folders_; }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  size_t capacity_;
  std::vector<std::string> folders_;
};

}  // namespace dibr::studio
