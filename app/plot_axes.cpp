#include "app/plot_axes.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace dibr::studio {

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
  std::vector<double> ticks;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi) || max_ticks < 1) return ticks;
  const double raw = (hi - lo) / max_ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double spacing = magnitude * 10;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (magnitude * m >= raw) {
      spacing = magnitude * m;
      break;
    }
  }
  for (double k = std::ceil(lo / spacing - 1e-9); k * spacing <= hi + spacing * 1e-9; ++k) ticks.push_back(k == 0 ? 0.0 : k * spacing);
  return ticks;
}

std::vector<double> log_ticks(double lo, double hi, int max_ticks) {
  if (!(hi > lo)) return {};
  if (std::floor(hi) - std::ceil(lo) < 1) return nice_ticks(lo, hi, max_ticks);
  std::vector<double> ticks;
  const int step = std::max(1, static_cast<int>(std::ceil((std::floor(hi) - std::ceil(lo) + 1) / std::max(max_ticks, 1))));
  for (double d = std::ceil(lo); d <= hi + 1e-9; d += step) ticks.push_back(d);
  return ticks;
}

std::string tick_label(double v) {
  char buf[32];
  const double a = std::abs(v);
  if (a == 0) return "0";
  if (a >= 1e6) std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
  else if (a >= 1e4) std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
  else if (a < 1e-3) std::snprintf(buf, sizeof buf, "%.0e", v);
  else std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

namespace {

StepRange clamp_into(StepRange v, const StepRange& full) {
  const double w = std::min(v.width(), full.width());
  if (v.lo < full.lo) v = {full.lo, full.lo + w};
  if (v.hi > full.hi) v = {full.hi - w, full.hi};
  return v;
}

}  // namespace

StepRange zoom(const StepRange& view, double anchor, double factor, const StepRange& full, double min_width) {
  anchor = std::clamp(anchor, view.lo, view.hi);
  double width = std::clamp(view.width() * factor, std::min(min_width, full.width()), full.width());
  const double t = view.width() > 0 ? (anchor - view.lo) / view.width() : 0.5;
  return clamp_into({anchor - t * width, anchor - t * width + width}, full);
}

StepRange pan(const StepRange& view, double delta, const StepRange& full) {
  return clamp_into({view.lo + delta, view.hi + delta}, full);
}

}  // namespace dibr::studio
