#pragma once
// A one-line progress display for long CLI jobs: rewritten in place (carriage return) on a terminal,
// one plain line every `plain_every` units otherwise (logs, CI, pipes).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dibr {

class ProgressLine {
 public:
  // Interactive: rewrite the line in place, at most every min_interval_s seconds.
  // Plain: print a full line whenever `done` has advanced by plain_every since the last one.
  // Auto: interactive when the stream is a terminal.
  enum class Mode { Auto, Interactive, Plain };
  explicit ProgressLine(std::FILE* stream, int64_t plain_every = 10, Mode mode = Mode::Auto,
                        double min_interval_s = 0.1);
  ~ProgressLine();  // ends an unfinished in-place line so later output starts on a fresh line

  static bool is_terminal(std::FILE* stream);

  // Shows text for progress `done` (throttled as above). Returns true when something was printed.
  bool update(int64_t done, const std::string& text);
  // Always prints text and ends the line.
  void finish(const std::string& text);
  // Prints a message on its own line without losing the progress line (it is redrawn at the next update).
  void message(const std::string& text);

  bool interactive() const { return interactive_; }

 private:
  void end_inline();

  std::FILE* stream_;
  bool interactive_;
  int64_t plain_every_;
  double min_interval_s_;
  bool printed_any_ = false;
  int64_t last_done_ = 0;
  bool inline_open_ = false;
  std::chrono::steady_clock::time_point last_time_{};
};

// "42s", "3m05s", "2h07m", "3d04h"; "--" for negative or non-finite values.
std::string format_duration(double seconds);
// "step 120/800 (15%) | 2.31 it/s | ETA 4m54s" with the unit as given ("step", "object", ...).
std::string format_progress(const std::string& unit, int64_t done, int64_t total, double rate_per_second,
                            double eta_seconds);

}  // namespace dibr
