#include "app/studio_export.h"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "trainer/chamfer.h"

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

std::vector<ChamferRow> chamfer_table_rows(const ChamferReport& report, bool objects, int column, bool ascending) {
  std::vector<ChamferRow> rows;
  if (objects) {
    rows = report.objects;
  } else {
    for (const auto& c : report.classes) {
      ChamferRow row;
      row.class_id = c.class_id;
      row.chamfer = c.chamfer;
      row.fscore = c.fscore;
      rows.push_back(row);
    }
  }
  const int k = column - 3;
  if (column < 0 || column > 2 + static_cast<int>(kFscoreThresholds.size()))
    throw std::invalid_argument("chamfer table: no column " + std::to_string(column));
  std::stable_sort(rows.begin(), rows.end(), [&](const ChamferRow& a, const ChamferRow& b) {
    auto key = [&](const ChamferRow& r) { return column == 2 ? r.chamfer : k >= 0 ? r.fscore[k] : 0.0; };
    auto name = [](const ChamferRow& r) { return r.class_id + "/" + r.object_id; };
    if (column >= 2 && key(a) != key(b)) return ascending ? key(a) < key(b) : key(a) > key(b);
    if (column == 1 && a.object_id != b.object_id) return ascending ? a.object_id < b.object_id : a.object_id > b.object_id;
    if (column <= 1 && a.class_id != b.class_id) return ascending ? a.class_id < b.class_id : a.class_id > b.class_id;
    return name(a) < name(b);
  });
  return rows;
}

}  // namespace dibr::studio
