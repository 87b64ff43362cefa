#pragma once
// The maths of the loss plot's axes, without ImGui: tick positions, and the step range shown (zoom, pan, reset).
#include <cstdint>
#include <string>
#include <vector>

namespace dibr::studio {

// Round tick values (1, 2 or 5 x 10^k apart) inside [lo, hi], at most about `max_ticks` of them.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);
// For a log10 axis given in log10 units: the decades inside [lo, hi] (as log10 values), or nice_ticks when the
// range spans less than one decade.
std::vector<double> log_ticks(double lo, double hi, int max_ticks);
// "1e-3", "0.25", "12k", "1.5M": short labels for ticks.
std::string tick_label(double value);

// The step range a plot shows: the whole run unless zoomed.
struct StepRange {
  double lo = 0, hi = 1;
  double width() const { return hi - lo; }
};
// factor < 1 zooms in around `anchor` (a step), > 1 out; the result stays inside `full` and at least min_width wide.
StepRange zoom(const StepRange& view, double anchor, double factor, const StepRange& full, double min_width = 2);
// Moves the view by `delta` steps, kept inside `full`.
StepRange pan(const StepRange& view, double delta, const StepRange& full);

}  // namespace dibr::studio
