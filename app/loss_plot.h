#pragma once
// Loss curves drawn with ImGui's draw list (ImPlot is not packaged in Debian), in the manner of TensorBoard's
// scalars: every loss term over steps with axis ticks and grid, the raw values faded under the EMA-smoothed curve,
// log or linear scale, each curve on its own scale when asked (so a large term does not flatten the rest), the
// learning rate on its own axis, a marker at the checkpoint shown, other runs' matching curves as overlays, and a step range
// that zooms (wheel, or drag a range), pans (right or middle drag) and resets (double click). Exported as CSV here
// and as PNG by the window (StudioApp crops its framebuffer to the plot).
#include <imgui.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/plot_axes.h"
#include "trainer/training_types.h"

namespace dibr::studio {

// Curve 0 is the total, curve t > 0 the method's term t-1.
double loss_term_value(const LossTerms& l, int term);

// Exponential moving average with weight `smoothing` in [0,1) on the past (0 = raw values),
// bias-corrected like TensorBoard so the curve starts at the first value.
std::vector<double> ema_smooth(const std::vector<double>& values, double smoothing);

class LossPlot {
 public:
  // Appends records newer than the last one held (the caller passes the trainer's full history or just
  // its tail); an older first step means a new run: the plot restarts.
  void append(const std::vector<LossRecord>& records);
  void clear();
  // The method's term names (a change of names, i.e. of method, clears the plot).
  void set_term_names(const std::vector<std::string>& names);
  int curve_count() const { return static_cast<int>(names_.size()); }
  const std::string& curve_name(int curve) const { return names_[curve]; }
  size_t size() const { return steps_.size(); }
  int64_t last_step() const { return steps_.empty() ? -1 : steps_.back(); }
  const std::vector<double>& values(int curve) const { return values_[curve]; }
  const std::vector<double>& learning_rates() const { return lr_; }

  // Another run's curves drawn under this run's (name: shown in the legend): its total, and each of its terms
  // named like one of this plot's (term_names: of records' terms; other methods share "iou", "laplacian", ...).
  // Replaces one of that name.
  void add_overlay(const std::string& name, const std::vector<LossRecord>& records,
                   const std::vector<std::string>& term_names = {});
  void remove_overlay(const std::string& name);
  size_t overlay_count() const { return overlays_.size(); }
  // The curves of overlay k drawn with this plot's curves of the same name (visible or not), in this plot's order.
  std::vector<std::string> overlay_matches(size_t k) const;

  // The checkpoints' validation score (one value per checkpoint step, e.g. "val IoU"), drawn on its own axis inside
  // the plot's right edge as points joined by a line, the point `best` (an index, -1: none) ringed; in the read-out
  // and as a last CSV column. Empty steps: none.
  void set_validation(const std::string& name, std::vector<int64_t> steps, std::vector<double> values, int best);
  const std::vector<int64_t>& validation_steps() const { return val_steps_; }

  // The steps shown: the whole run, or the zoomed range.
  StepRange full_range() const;
  StepRange view() const { return view_ ? *view_ : full_range(); }
  bool zoomed() const { return view_.has_value(); }
  void set_view(const StepRange& range);  // clamped into the run
  void reset_view() { view_.reset(); }

  // "step,<curve>...,lr,<curve>_smoothed...": every held step, raw values then the smoothed ones.
  std::string to_csv() const;

  // Draws the toggles and the plot; returns the plot's rectangle (x, y, w, h) in window coordinates.
  ImVec4 draw(const char* id, float width, float height);
  // The step whose values the hover read-out showed in the last draw(); -1 without one.
  int64_t hovered_step() const { return hovered_step_; }

  bool log_scale = true;
  bool each_own_scale = false;  // every visible curve spans the plot height (values in the read-out)
  bool show_lr = false;
  bool show_validation = true;
  float smoothing = 0.6f;
  int64_t marker_step = -1;  // a vertical marker (the checkpoint shown); -1: none
  std::vector<char> visible;  // per curve

 private:
  struct Overlay {
    std::string name;
    std::vector<int64_t> steps;
    std::vector<std::string> names;             // "total", then its terms
    std::vector<std::vector<double>> values;    // per name
    int index_of(const std::string& curve) const;  // -1 when it has no such curve
  };
  void draw_plot_area(ImDrawList* dl, const ImVec2& origin, const ImVec2& size, bool hovered);
  std::vector<std::string> names_{"total"};
  std::vector<int64_t> steps_;
  int64_t hovered_step_ = -1;
  std::vector<std::vector<double>> values_{1};
  std::vector<double> lr_;
  std::string val_name_;
  std::vector<int64_t> val_steps_;
  std::vector<double> val_values_;
  int val_best_ = -1;
  std::vector<Overlay> overlays_;
  std::optional<StepRange> view_;
  std::optional<double> drag_from_;  // step where a left-drag range selection started
};

}  // namespace dibr::studio
