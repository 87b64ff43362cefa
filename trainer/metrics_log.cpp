#include "trainer/metrics_log.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace dibr {
namespace {

std::string header_line(const std::vector<std::string>& names) {
  std::string h = "step,seconds,total";
  for (const auto& n : names) h += "," + n;
  return h + ",lr";
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream s(line);
  std::string cell;
  while (std::getline(s, cell, ',')) cells.push_back(cell);
  return cells;
}

bool parse_double(const std::string& text, double& out) {
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0';
}

std::string row_text(const LossRecord& r) {
  std::ostringstream s;
  s << r.step << ',' << r.seconds << ',' << r.losses.total;
  for (double t : r.losses.terms) s << ',' << t;
  s << ',' << r.lr << '\n';
  return s.str();
}

}  // namespace

namespace {

std::vector<std::string> checked_header(const std::string& path, const std::string& line) {
  auto header = split_csv(line);
  if (header.size() < 4 || header[0] != "step" || header[1] != "seconds" || header[2] != "total" || header.back() != "lr")
    throw std::runtime_error(path + ": not a metrics.csv (header '" + line + "')");
  return header;
}

// One row of a file with `columns` columns; false for a row that does not parse.
bool parse_row(const std::string& line, size_t columns, LossRecord& r) {
  const auto cells = split_csv(line);
  if (cells.size() != columns) return false;
  double step = 0;
  bool ok = parse_double(cells[0], step) && parse_double(cells[1], r.seconds) && parse_double(cells[2], r.losses.total) &&
            parse_double(cells.back(), r.lr);
  r.step = static_cast<int64_t>(step);
  for (size_t i = 3; ok && i + 1 < cells.size(); ++i) {
    double v = 0;
    ok = parse_double(cells[i], v);
    r.losses.terms.push_back(v);
  }
  return ok;
}

}  // namespace

std::vector<LossRecord> MetricsLog::read(const std::string& path, std::vector<std::string>* names) {
  std::vector<LossRecord> rows;
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return rows;
  const auto header = checked_header(path, line);
  if (names) names->assign(header.begin() + 3, header.end() - 1);
  while (std::getline(in, line)) {
    LossRecord r;
    if (parse_row(line, header.size(), r)) rows.push_back(std::move(r));
  }
  return rows;
}

MetricsFollower::MetricsFollower(std::string path) : path_(std::move(path)) {}

std::vector<LossRecord> MetricsFollower::read_new(bool* restarted) {
  if (restarted) *restarted = false;
  std::error_code ec;
  const auto size = fs::file_size(path_, ec);
  if (ec) return {};
  std::ifstream in(path_, std::ios::binary);
  if (!in) return {};
  std::string first;
  std::getline(in, first);
  // Rewritten (a resumed run drops the rows after its checkpoint) or replaced: read it again from the top.
  if (size < offset_ || first != header_line_) {
    if (offset_ > 0 && restarted) *restarted = true;
    offset_ = 0;
    columns_ = 0;
    header_line_.clear();
  }
  if (offset_ == 0) {
    if (!in || first.empty() || in.eof()) return {};  // no complete header yet
    const auto header = checked_header(path_, first);
    names_.assign(header.begin() + 3, header.end() - 1);
    columns_ = header.size();
    header_line_ = first;
    offset_ = first.size() + 1;
  }
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset_));
  std::vector<LossRecord> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // a row still being written: taken next time
    offset_ += line.size() + 1;
    LossRecord r;
    if (parse_row(line, columns_, r)) rows.push_back(std::move(r));
  }
  return rows;
}

MetricsLog::MetricsLog(const std::string& run_dir, const std::vector<std::string>& names, int64_t keep_up_to) {
  fs::create_directories(run_dir);
  path_ = (fs::path(run_dir) / "metrics.csv").string();
  std::string kept = header_line(names) + "\n";
  if (keep_up_to >= 0 && fs::exists(path_)) {
    for (auto& r : read(path_)) {
      if (r.step > keep_up_to) continue;
      kept += row_text(r);
      kept_.push_back(std::move(r));
    }
  }
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << kept;
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw std::runtime_error("cannot write " + tmp);
    }
  }
  std::error_code ec;
  fs::rename(tmp, path_, ec);
  if (ec) throw std::runtime_error("cannot rename " + tmp + " to " + path_ + ": " + ec.message());
  file_ = std::fopen(path_.c_str(), "ab");
  if (!file_) throw std::runtime_error("cannot append to " + path_);
}

MetricsLog::~MetricsLog() {
  if (file_) std::fclose(file_);
}

void MetricsLog::append(const LossRecord& record) {
  const std::string row = row_text(record);
  if (std::fwrite(row.data(), 1, row.size(), file_) != row.size() || std::fflush(file_) != 0)
    throw std::runtime_error("cannot write " + path_ + " (disk full?) at step " + std::to_string(record.step));
}

}  // namespace dibr
