#include "app/recent_folders.h"

#include "app/studio_settings.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dibr::studio {

RecentFolders::RecentFolders(std::string file, size_t capacity) : file_(std::move(file)), capacity_(capacity) {}

std::string RecentFolders::default_file() { return studio_config_file("recent.json"); }

void RecentFolders::load() {
  folders_.clear();
  if (file_.empty() || !fs::exists(file_)) return;
  std::ifstream in(file_);
  if (!in) throw std::runtime_error("recent folders: cannot open '" + file_ + "'");
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto j = nlohmann::json::parse(text.str());
    for (const auto& item : j.at("folders")) {
      if (folders_.size() < capacity_) folders_.push_back(item.get<std::string>());
    }
  } catch (const nlohmann::json::exception& e) {
    folders_.clear();
    throw std::runtime_error("recent folders: '" + file_ + "' is not valid (" + e.what() + "); it was left as is");
  }
}

void RecentFolders::add(const std::string& folder) {
  remove(folder);
  folders_.insert(folders_.begin(), folder);
  if (folders_.size() > capacity_) folders_.resize(capacity_);
  save();
}

void RecentFolders::remove(const std::string& folder) {
  folders_.erase(std::remove(folders_.begin(), folders_.end(), folder), folders_.end());
}

void RecentFolders::save() const {
  if (file_.empty()) return;
  const fs::path path(file_);
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  if (ec) throw std::runtime_error("recent folders: cannot create '" + path.parent_path().string() + "': " + ec.message());
  // Unique temp name in the same folder, then rename: a crash never leaves a half-written list.
  const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error("recent folders: cannot write '" + tmp.string() + "'");
    out << nlohmann::json{{"folders", folders_}}.dump(2) << "\n";
    out.flush();
    if (!out) throw std::runtime_error("recent folders: write failed for '" + tmp.string() + "'");
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp);
    throw std::runtime_error("recent folders: cannot replace '" + file_ + "': " + ec.message());
  }
}

}  // namespace dibr::studio
