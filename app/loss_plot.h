#pragma once
// Loss curves drawn with ImGui's draw list (ImPlot is not packaged in Debian): every loss term over
// steps, optional log scale, EMA smoothing, hover read-out.
#include <imgui.h>

#include <array>
#include <cstdint>
#include <vector>

#include "trainer/training_types.h"

namespace dibr::studio {

constexpr int kLossTermCount = 5;
const char* loss_term_name(int term);                   // "total", "color", "iou", "laplacian", "flatten"
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
  size_t size() const { return steps_.size(); }
  int64_t last_step() const { return steps_.empty() ? -1 : steps_.back(); }
  const std::vector<double>& values(int term) const { return values_[term]; }

  // Draws the term toggles and the plot; returns the plot's rectangle (x, y, w, h) in window coordinates.
  ImVec4 draw(const char* id, float width, float height);
  // The step whose values the hover read-out showed in the last draw(); -1 without one.
  int64_t hovered_step() const { return hovered_step_; }

  bool log_scale = true;
  float smoothing = 0.6f;
  std::array<bool, kLossTermCount> visible{true, true, true, true, true};

 private:
  std::vector<int64_t> steps_;
  int64_t hovered_step_ = -1;
  std::array<std::vector<double>, kLossTermCount> values_;
};

}  // namespace dibr::studio
