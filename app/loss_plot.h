#pragma once
// Loss curves drawn with ImGui's draw list (ImPlot is not packaged in Debian): every loss term over
// steps, optional log scale, EMA smoothing, hover read-out.
#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

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

  // Draws the term toggles and the plot; returns the plot's rectangle (x, y, w, h) in window coordinates.
  ImVec4 draw(const char* id, float width, float height);
  // The step whose values the hover read-out showed in the last draw(); -1 without one.
  int64_t hovered_step() const { return hovered_step_; }

  bool log_scale = true;
  float smoothing = 0.6f;
  std::vector<char> visible;  // per curve

 private:
  std::vector<std::string> names_{"total"};
  std::vector<int64_t> steps_;
  int64_t hovered_step_ = -1;
  std::vector<std::vector<double>> values_{1};
};

}  // namespace dibr::studio
