#include "trainer/progress_line.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace dibr {

ProgressLine::ProgressLine(std::FILE* stream, int64_t plain_every, Mode mode, double min_interval_s)
    : stream_(stream),
      interactive_(mode == Mode::Interactive || (mode == Mode::Auto && is_terminal(stream))),
      plain_every_(plain_every < 1 ? 1 : plain_every),
      min_interval_s_(min_interval_s) {}

ProgressLine::~ProgressLine() { end_inline(); }

bool ProgressLine::is_terminal(std::FILE* stream) { return stream && isatty(fileno(stream)) == 1; }

bool ProgressLine::update(int64_t done, const std::string& text) {
  if (interactive_) {
    const auto now = std::chrono::steady_clock::now();
    if (printed_any_ && std::chrono::duration<double>(now - last_time_).count() < min_interval_s_) return false;
    last_time_ = now;
    // \x1b[K clears what is left of a longer previous line.
    std::fprintf(stream_, "\r%s\x1b[K", text.c_str());
    inline_open_ = true;
  } else {
    if (printed_any_ && done < last_done_ + plain_every_) return false;
    std::fprintf(stream_, "%s\n", text.c_str());
  }
  std::fflush(stream_);
  printed_any_ = true;
  last_done_ = done;
  return true;
}

void ProgressLine::finish(const std::string& text) {
  if (interactive_) {
    std::fprintf(stream_, "\r%s\x1b[K\n", text.c_str());
  } else {
    std::fprintf(stream_, "%s\n", text.c_str());
  }
  inline_open_ = false;
  std::fflush(stream_);
}

void ProgressLine::message(const std::string& text) {
  end_inline();
  std::fprintf(stream_, "%s\n", text.c_str());
  std::fflush(stream_);
}

void ProgressLine::end_inline() {
  if (!inline_open_) return;
  std::fputc('\n', stream_);
  std::fflush(stream_);
  inline_open_ = false;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--";
  const auto s = static_cast<long long>(std::llround(seconds));
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%llds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", s / 86400, (s % 86400) / 3600);
  }
  return buf;
}

std::string format_progress(const std::string& unit, int64_t done, int64_t total, double rate_per_second,
                            double eta_seconds) {
  char buf[160];
  const int percent = total > 0 ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)) : 0;
  const double rate = std::isfinite(rate_per_second) && rate_per_second > 0 ? rate_per_second : 0.0;
  const char* rate_fmt = rate >= 10 ? "%s %lld/%lld (%d%%) | %.1f it/s | ETA %s" : "%s %lld/%lld (%d%%) | %.2f it/s | ETA %s";
  std::snprintf(buf, sizeof buf, rate_fmt, unit.c_str(), static_cast<long long>(done), static_cast<long long>(total),
                percent, rate, format_duration(eta_seconds).c_str());
  return buf;
}

}  // namespace dibr
