#include "app/studio_export.h"

#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace dibr::studio {

std::string unique_path(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return path;
  const fs::path p(path);
  const fs::path stem = p.parent_path() / p.stem();
  const std::string ext = p.extension().string();
  for (int i = 1; i < 100000; ++i) {
    const std::string candidate = stem.string() + "_" + std::to_string(i) + ext;
    if (!fs::exists(candidate, ec)) return candidate;
  }
  throw std::runtime_error("no free file name next to '" + path + "'");
}

std::string unique_prefix(const std::string& prefix, const std::initializer_list<const char*>& extensions) {
  auto free = [&](const std::string& candidate) {
    std::error_code ec;
    for (const char* ext : extensions) {
      if (fs::exists(candidate + ext, ec)) return false;
    }
    return true;
  };
  if (free(prefix)) return prefix;
  for (int i = 1; i < 100000; ++i) {
    const std::string candidate = prefix + "_" + std::to_string(i);
    if (free(candidate)) return candidate;
  }
  throw std::runtime_error("no free file name for '" + prefix + "'");
}

std::string file_safe(const std::string& text) {
  std::string out = text;
  for (char& c : out) {
    if (c == '/' || c == '\\' || c == ':' || c == ' ') c = '_';
  }
  return out;
}

}  // namespace dibr::studio
