#pragma once
// <run>/metrics.csv: one row per step, "step,seconds,total,<the method's loss terms>,lr".
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "trainer/training_types.h"

namespace dibr {

class MetricsLog {
 public:
  // Opens <run_dir>/metrics.csv for appending. With keep_up_to >= 0 (a resumed run) the rows up to that step are
  // kept and returned by kept_rows(), later ones (computed again after resuming) are dropped; the file is rewritten
  // through a temporary file and a rename, so an interruption never loses the old rows. keep_up_to < 0 starts a new
  // file. Throws std::runtime_error naming the file.
  MetricsLog(const std::string& run_dir, const std::vector<std::string>& term_names, int64_t keep_up_to);
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;

  // Writes and flushes one row; throws std::runtime_error when the write fails (e.g. a full disk).
  void append(const LossRecord& record);
  const std::vector<LossRecord>& kept_rows() const { return kept_; }
  const std::string& path() const { return path_; }

  // Reads a metrics.csv (any method's columns); rows that do not parse are skipped. names gets the term names.
  static std::vector<LossRecord> read(const std::string& path, std::vector<std::string>* names = nullptr);

 private:
  std::string path_;
  std::vector<LossRecord> kept_;
  std::FILE* file_ = nullptr;
};

// Follows a metrics.csv that another process appends to (the studio following a CLI or distributed run): each
// call returns the complete rows written since the last. A file rewritten from the top (a resumed run) is read again
// and *restarted says so.
class MetricsFollower {
 public:
  explicit MetricsFollower(std::string path);
  std::vector<LossRecord> read_new(bool* restarted = nullptr);
  const std::vector<std::string>& names() const { return names_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_, header_line_;
  std::vector<std::string> names_;
  size_t columns_ = 0;
  uintmax_t offset_ = 0;
};

}  // namespace dibr
