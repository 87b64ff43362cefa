#include "app/loss_plot.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace dibr::studio {
namespace {

const ImU32 kColors[] = {IM_COL32(240, 240, 240, 255), IM_COL32(255, 170, 60, 255), IM_COL32(90, 180, 255, 255),
                         IM_COL32(120, 220, 120, 255), IM_COL32(220, 110, 220, 255), IM_COL32(230, 230, 90, 255),
                         IM_COL32(90, 230, 220, 255), IM_COL32(250, 120, 120, 255)};
ImU32 color_of(int curve) { return kColors[curve % (sizeof kColors / sizeof kColors[0])]; }
ImU32 faded(ImU32 c, int alpha) { return (c & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT); }
const ImU32 kOverlayColors[] = {IM_COL32(160, 160, 220, 200), IM_COL32(220, 160, 160, 200), IM_COL32(160, 220, 160, 200)};
const ImU32 kLrColor = IM_COL32(200, 200, 120, 220);
const ImU32 kValColor = IM_COL32(90, 230, 120, 230);
const ImU32 kGrid = IM_COL32(60, 60, 70, 255), kTickText = IM_COL32(140, 140, 150, 255);

// Value range of the finite entries of v whose steps lie in [lo, hi].
bool range_of(const std::vector<int64_t>& steps, const std::vector<double>& v, const StepRange& r, double& lo, double& hi) {
  lo = std::numeric_limits<double>::infinity();
  hi = -lo;
  for (size_t i = 0; i < v.size() && i < steps.size(); ++i) {
    if (steps[i] < r.lo || steps[i] > r.hi || !std::isfinite(v[i])) continue;
    lo = std::min(lo, v[i]);
    hi = std::max(hi, v[i]);
  }
  if (!std::isfinite(lo)) return false;
  if (hi - lo < 1e-12) hi = lo + 1;
  return true;
}

double log10_floor(double v) { return std::log10(std::max(v, 1e-12)); }

}  // namespace

double loss_term_value(const LossTerms& l, int term) { return term == 0 ? l.total : l.term(static_cast<size_t>(term - 1)); }

std::vector<double> ema_smooth(const std::vector<double>& values, double smoothing) {
  smoothing = std::clamp(smoothing, 0.0, 0.999);
  std::vector<double> out(values.size());
  double acc = 0, weight = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    acc = smoothing * acc + (1 - smoothing) * values[i];
    weight = smoothing * weight + (1 - smoothing);
    out[i] = acc / weight;
  }
  return out;
}

void LossPlot::clear() {
  steps_.clear();
  lr_.clear();
  for (auto& v : values_) v.clear();
  view_.reset();
}

void LossPlot::set_term_names(const std::vector<std::string>& names) {
  std::vector<std::string> curves{"total"};
  curves.insert(curves.end(), names.begin(), names.end());
  if (curves == names_) return;
  names_ = curves;
  values_.assign(names_.size(), {});
  visible.assign(names_.size(), 1);
  steps_.clear();
  lr_.clear();
  view_.reset();
}

void LossPlot::append(const std::vector<LossRecord>& records) {
  if (records.empty()) return;
  if (!steps_.empty() && records.front().step < steps_.front()) clear();
  if (visible.size() != names_.size()) visible.assign(names_.size(), 1);
  // Records are in step order: skip the ones already held without visiting them.
  auto first = records.begin();
  if (!steps_.empty())
    first = std::upper_bound(records.begin(), records.end(), steps_.back(),
                             [](int64_t step, const LossRecord& r) { return step < r.step; });
  for (auto it = first; it != records.end(); ++it) {
    steps_.push_back(it->step);
    lr_.push_back(it->lr);
    for (int t = 0; t < curve_count(); ++t) values_[t].push_back(loss_term_value(it->losses, t));
  }
}

void LossPlot::add_overlay(const std::string& name, const std::vector<LossRecord>& records,
                           const std::vector<std::string>& term_names) {
  remove_overlay(name);
  Overlay o;
  o.name = name;
  o.names = {"total"};
  o.names.insert(o.names.end(), term_names.begin(), term_names.end());
  o.values.resize(o.names.size());
  for (const auto& r : records) {
    o.steps.push_back(r.step);
    for (size_t c = 0; c < o.names.size(); ++c) o.values[c].push_back(loss_term_value(r.losses, static_cast<int>(c)));
  }
  overlays_.push_back(std::move(o));
}

int LossPlot::Overlay::index_of(const std::string& curve) const {
  for (size_t c = 0; c < names.size(); ++c)
    if (names[c] == curve) return static_cast<int>(c);
  return -1;
}

std::vector<std::string> LossPlot::overlay_matches(size_t k) const {
  std::vector<std::string> matches;
  if (k >= overlays_.size()) return matches;
  for (const auto& n : names_)
    if (overlays_[k].index_of(n) >= 0) matches.push_back(n);
  return matches;
}

void LossPlot::remove_overlay(const std::string& name) {
  overlays_.erase(std::remove_if(overlays_.begin(), overlays_.end(), [&](const Overlay& o) { return o.name == name; }),
                  overlays_.end());
}

StepRange LossPlot::full_range() const {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  if (!steps_.empty()) lo = static_cast<double>(steps_.front()), hi = static_cast<double>(steps_.back());
  for (const auto& o : overlays_) {
    if (o.steps.empty()) continue;
    lo = std::min(lo, static_cast<double>(o.steps.front()));
    hi = std::max(hi, static_cast<double>(o.steps.back()));
  }
  if (!std::isfinite(lo)) return {0, 1};
  return {lo, std::max(hi, lo + 1)};
}

void LossPlot::set_view(const StepRange& range) {
  const StepRange full = full_range();
  view_ = zoom(range, range.lo, 1.0, full);
  if (view_->width() >= full.width()) view_.reset();
}

void LossPlot::set_validation(const std::string& name, std::vector<int64_t> steps, std::vector<double> values, int best) {
  if (steps.size() != values.size()) throw std::invalid_argument("LossPlot::set_validation: one value per step");
  val_name_ = name;
  val_steps_ = std::move(steps);
  val_values_ = std::move(values);
  val_best_ = best;
}

std::string LossPlot::to_csv() const {
  std::string out = "step";
  for (const auto& n : names_) out += "," + n;
  out += ",lr";
  for (const auto& n : names_) out += "," + n + "_smoothed";
  if (!val_steps_.empty()) out += "," + val_name_;
  out += "\n";
  std::vector<std::vector<double>> smoothed;
  for (const auto& v : values_) smoothed.push_back(ema_smooth(v, smoothing));
  char buf[64];
  for (size_t i = 0; i < steps_.size(); ++i) {
    out += std::to_string(steps_[i]);
    for (const auto& v : values_) std::snprintf(buf, sizeof buf, ",%.9g", v[i]), out += buf;
    std::snprintf(buf, sizeof buf, ",%.9g", i < lr_.size() ? lr_[i] : 0.0), out += buf;
    for (const auto& v : smoothed) std::snprintf(buf, sizeof buf, ",%.9g", v[i]), out += buf;
    if (!val_steps_.empty()) {
      out += ",";
      const auto at = std::find(val_steps_.begin(), val_steps_.end(), steps_[i]);
      if (at != val_steps_.end()) std::snprintf(buf, sizeof buf, "%.9g", val_values_[at - val_steps_.begin()]), out += buf;
    }
    out += "\n";
  }
  return out;
}

ImVec4 LossPlot::draw(const char* id, float width, float height) {
  ImGui::PushID(id);
  if (visible.size() != names_.size()) visible.assign(names_.size(), 1);
  for (int t = 0; t < curve_count(); ++t) {
    ImGui::PushStyleColor(ImGuiCol_CheckMark, ImGui::ColorConvertU32ToFloat4(color_of(t)));
    bool on = visible[t];
    if (ImGui::Checkbox(names_[t].c_str(), &on)) visible[t] = on;
    ImGui::PopStyleColor();
    ImGui::SameLine();
  }
  ImGui::PushStyleColor(ImGuiCol_CheckMark, ImGui::ColorConvertU32ToFloat4(kLrColor));
  ImGui::Checkbox("lr", &show_lr);
  ImGui::PopStyleColor();
  if (!val_steps_.empty()) {
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_CheckMark, ImGui::ColorConvertU32ToFloat4(kValColor));
    ImGui::Checkbox(val_name_.c_str(), &show_validation);
    ImGui::PopStyleColor();
  }
  ImGui::SameLine();
  ImGui::Checkbox("log", &log_scale);
  ImGui::SameLine();
  ImGui::Checkbox("own scales", &each_own_scale);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("each curve spans the plot height (values in the read-out)");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(100);
  ImGui::SliderFloat("smoothing", &smoothing, 0.f, 0.99f, "%.2f");
  for (size_t k = 0; k < overlays_.size(); ++k) {
    if (k == 0) ImGui::TextDisabled("overlays:");
    ImGui::SameLine();
    ImGui::PushID(static_cast<int>(k));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(kOverlayColors[k % 3]));
    const bool remove = ImGui::SmallButton(("x " + overlays_[k].name).c_str());
    ImGui::PopStyleColor();
    ImGui::PopID();
    if (remove) {
      overlays_.erase(overlays_.begin() + static_cast<std::ptrdiff_t>(k));
      break;
    }
  }

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float controls_h = ImGui::GetCursorPosY() - ImGui::GetCursorStartPos().y;
  const ImVec2 size(std::max(width, 80.f), std::max(height - controls_h, 60.f));
  ImGui::InvisibleButton("plot", size, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight |
                                           ImGuiButtonFlags_MouseButtonMiddle);
  hovered_step_ = -1;
  const ImVec4 rect(origin.x, origin.y, size.x, size.y);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(25, 25, 30, 255));
  dl->AddRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(80, 80, 90, 255));
  if (steps_.size() < 2 && overlays_.empty()) {
    dl->AddText(ImVec2(origin.x + 8, origin.y + 8), IM_COL32(160, 160, 160, 255), "no loss values yet");
  } else {
    dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
    draw_plot_area(dl, origin, size, hovered);
    dl->PopClipRect();
  }
  ImGui::PopID();
  return rect;
}

void LossPlot::draw_plot_area(ImDrawList* dl, const ImVec2& origin, const ImVec2& size, bool hovered) {
  const float left = 44, right = show_lr ? 40.f : 8.f, top = 6, bottom = 18;
  const float px0 = origin.x + left, px1 = origin.x + size.x - right, py0 = origin.y + top, py1 = origin.y + size.y - bottom;
  const StepRange full = full_range();
  const StepRange r = view();
  auto x_of = [&](double step) { return px0 + static_cast<float>((step - r.lo) / r.width()) * (px1 - px0); };
  auto step_at = [&](float x) { return r.lo + (x - px0) / std::max(px1 - px0, 1.f) * r.width(); };
  auto transform = [&](double v) { return log_scale ? log10_floor(v) : v; };

  // Mouse: wheel zooms around the step under the pointer, right/middle drag pans, left drag selects a range,
  // double click resets.
  const ImGuiIO& io = ImGui::GetIO();
  if (hovered) {
    if (io.MouseWheel != 0) view_ = zoom(r, step_at(io.MousePos.x), std::pow(0.8, io.MouseWheel), full);
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Right) || ImGui::IsMouseDragging(ImGuiMouseButton_Middle))
      view_ = pan(r, -io.MouseDelta.x / std::max(px1 - px0, 1.f) * r.width(), full);
    if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
      view_.reset();
      drag_from_.reset();
    } else if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      drag_from_ = step_at(io.MousePos.x);
    }
  }
  if (drag_from_ && !ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    const double a = *drag_from_, b = step_at(io.MousePos.x);
    if (std::abs(x_of(a) - x_of(b)) > 6) set_view({std::min(a, b), std::max(a, b)});
    drag_from_.reset();
  }
  if (view_ && view_->width() >= full.width()) view_.reset();

  // Smoothed and raw curves in plot units; the shared value range unless every curve has its own.
  std::vector<std::vector<double>> smoothed(names_.size()), raw(names_.size());
  for (int t = 0; t < curve_count(); ++t) {
    if (!visible[t]) continue;
    smoothed[t] = ema_smooth(values_[t], smoothing);
    raw[t] = values_[t];
    for (double& v : smoothed[t]) v = transform(v);
    for (double& v : raw[t]) v = transform(v);
  }
  // overlay_curves[k][t]: overlay k's curve named like this plot's visible curve t (empty when it has none).
  std::vector<std::vector<std::vector<double>>> overlay_curves(overlays_.size());
  for (size_t k = 0; k < overlays_.size(); ++k) {
    overlay_curves[k].resize(names_.size());
    for (int t = 0; t < curve_count(); ++t) {
      const int c = overlays_[k].index_of(names_[t]);
      if (!visible[t] || c < 0) continue;
      overlay_curves[k][t] = ema_smooth(overlays_[k].values[c], smoothing);
      for (double& v : overlay_curves[k][t]) v = transform(v);
    }
  }
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto widen = [&](const std::vector<int64_t>& steps, const std::vector<double>& v) {
    double a, b;
    if (range_of(steps, v, r, a, b)) lo = std::min(lo, a), hi = std::max(hi, b);
  };
  for (int t = 0; t < curve_count(); ++t) {
    if (!visible[t]) continue;
    widen(steps_, smoothed[t]);
    if (smoothing > 0) widen(steps_, raw[t]);
  }
  for (size_t k = 0; k < overlays_.size(); ++k)
    for (const auto& curve : overlay_curves[k])
      if (!curve.empty()) widen(overlays_[k].steps, curve);
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) hi = lo + 1;
  auto y_of = [&](double v, double a, double b) { return py0 + static_cast<float>((b - v) / (b - a)) * (py1 - py0); };

  // Grid, ticks and labels.
  for (double s : nice_ticks(r.lo, r.hi, std::max(2, static_cast<int>((px1 - px0) / 70)))) {
    const float x = x_of(s);
    dl->AddLine(ImVec2(x, py0), ImVec2(x, py1), kGrid);
    const std::string label = tick_label(s);
    dl->AddText(ImVec2(x - ImGui::CalcTextSize(label.c_str()).x / 2, py1 + 2), kTickText, label.c_str());
  }
  if (!each_own_scale) {
    const int count = std::max(2, static_cast<int>((py1 - py0) / 30));
    for (double v : log_scale ? log_ticks(lo, hi, count) : nice_ticks(lo, hi, count)) {
      const float y = y_of(v, lo, hi);
      dl->AddLine(ImVec2(px0, y), ImVec2(px1, y), kGrid);
      const std::string label = tick_label(log_scale ? std::pow(10.0, v) : v);
      dl->AddText(ImVec2(origin.x + left - 4 - ImGui::CalcTextSize(label.c_str()).x, y - 7), kTickText, label.c_str());
    }
  } else {
    dl->AddText(ImVec2(origin.x + 2, py0), kTickText, "own");
  }

  // At most ~2 points per pixel column are drawn: long runs stay cheap.
  const float columns = std::max(2.f, (px1 - px0) * 2);
  auto polyline = [&](const std::vector<int64_t>& steps, const std::vector<double>& v, double a, double b, ImU32 colour,
                      float thickness) {
    std::vector<ImVec2> points;
    size_t first = static_cast<size_t>(std::lower_bound(steps.begin(), steps.end(), static_cast<int64_t>(std::floor(r.lo))) - steps.begin());
    size_t last = static_cast<size_t>(std::upper_bound(steps.begin(), steps.end(), static_cast<int64_t>(std::ceil(r.hi))) - steps.begin());
    if (first > 0) --first;
    last = std::min(last + 1, steps.size());
    if (last <= first) return;
    const size_t stride = std::max<size_t>(1, static_cast<size_t>((last - first) / columns));
    for (size_t i = first; i < last; i += stride)
      if (std::isfinite(v[i])) points.push_back(ImVec2(x_of(static_cast<double>(steps[i])), y_of(v[i], a, b)));
    if (std::isfinite(v[last - 1])) points.push_back(ImVec2(x_of(static_cast<double>(steps[last - 1])), y_of(v[last - 1], a, b)));
    if (points.size() >= 2) dl->AddPolyline(points.data(), static_cast<int>(points.size()), colour, 0, thickness);
  };
  for (size_t k = 0; k < overlays_.size(); ++k)
    for (int t = 0; t < curve_count(); ++t)
      if (!overlay_curves[k][t].empty())
        polyline(overlays_[k].steps, overlay_curves[k][t], lo, hi, kOverlayColors[k % 3], t == 0 ? 1.5f : 1.0f);
  std::vector<std::pair<double, double>> own(names_.size(), {lo, hi});
  for (int t = curve_count() - 1; t >= 0; --t) {
    if (!visible[t]) continue;
    if (each_own_scale) {
      double a, b;
      if (range_of(steps_, smoothing > 0 ? raw[t] : smoothed[t], r, a, b)) own[t] = {a, b};
    }
    if (smoothing > 0) polyline(steps_, raw[t], own[t].first, own[t].second, faded(color_of(t), 60), 1.f);
    polyline(steps_, smoothed[t], own[t].first, own[t].second, color_of(t), t == 0 ? 2.f : 1.5f);
  }
  double lr_lo = 0, lr_hi = 1;
  std::vector<double> lr_log;
  if (show_lr && !lr_.empty()) {
    for (double v : lr_) lr_log.push_back(log10_floor(v));
    if (range_of(steps_, lr_log, r, lr_lo, lr_hi)) {
      polyline(steps_, lr_log, lr_lo, lr_hi, kLrColor, 1.5f);
      for (double v : log_ticks(lr_lo, lr_hi, 4)) {
        const std::string label = tick_label(std::pow(10.0, v));
        dl->AddText(ImVec2(px1 + 3, y_of(v, lr_lo, lr_hi) - 7), kLrColor, label.c_str());
      }
    }
  }
  if (show_validation && !val_steps_.empty()) {
    double a = *std::min_element(val_values_.begin(), val_values_.end()), b = *std::max_element(val_values_.begin(), val_values_.end());
    const double pad = std::max(0.05 * (b - a), 1e-6);
    a -= pad, b += pad;
    std::vector<ImVec2> points;
    for (size_t i = 0; i < val_steps_.size(); ++i)
      points.push_back(ImVec2(x_of(static_cast<double>(val_steps_[i])), y_of(val_values_[i], a, b)));
    if (points.size() >= 2) dl->AddPolyline(points.data(), static_cast<int>(points.size()), kValColor, 0, 1.5f);
    for (size_t i = 0; i < points.size(); ++i) {
      dl->AddCircleFilled(points[i], 3.f, kValColor);
      if (static_cast<int>(i) == val_best_) dl->AddCircle(points[i], 7.f, kValColor, 0, 2.f);
    }
    for (double v : nice_ticks(a, b, 3)) {
      const std::string label = tick_label(v);
      dl->AddText(ImVec2(px1 - 4 - ImGui::CalcTextSize(label.c_str()).x, y_of(v, a, b) - 7), kValColor, label.c_str());
    }
  }
  if (marker_step >= 0 && marker_step >= r.lo && marker_step <= r.hi) {
    const float x = x_of(static_cast<double>(marker_step));
    dl->AddLine(ImVec2(x, py0), ImVec2(x, py1), IM_COL32(255, 200, 70, 200), 1.5f);
  }
  if (drag_from_) {
    const float a = x_of(*drag_from_), b = io.MousePos.x;
    dl->AddRectFilled(ImVec2(std::min(a, b), py0), ImVec2(std::max(a, b), py1), IM_COL32(120, 160, 255, 50));
  }

  if (hovered && !steps_.empty()) {
    const double step = step_at(io.MousePos.x);
    const size_t n = steps_.size();
    const size_t i = static_cast<size_t>(
        std::lower_bound(steps_.begin(), steps_.end(), static_cast<int64_t>(std::llround(step))) - steps_.begin());
    const size_t k = std::min(i, n - 1);
    const float x = x_of(static_cast<double>(steps_[k]));
    dl->AddLine(ImVec2(x, py0), ImVec2(x, py1), IM_COL32(200, 200, 200, 120));
    hovered_step_ = steps_[k];
    ImGui::BeginTooltip();
    ImGui::Text("step %lld", static_cast<long long>(steps_[k]));
    for (int t = 0; t < curve_count(); ++t) {
      if (!visible[t]) continue;
      const double s = log_scale ? std::pow(10.0, smoothed[t][k]) : smoothed[t][k];
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color_of(t)), "%-9s %.5g  (smoothed %.5g)", names_[t].c_str(),
                         values_[t][k], s);
    }
    if (show_lr && k < lr_.size()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kLrColor), "%-9s %.3g", "lr", lr_[k]);
    if (show_validation && !val_steps_.empty()) {
      // The checkpoint nearest the pointer.
      size_t v = 0;
      for (size_t j = 1; j < val_steps_.size(); ++j)
        if (std::abs(static_cast<double>(val_steps_[j]) - step) < std::abs(static_cast<double>(val_steps_[v]) - step)) v = j;
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kValColor), "%s %.4g at step %lld%s", val_name_.c_str(), val_values_[v],
                         static_cast<long long>(val_steps_[v]), static_cast<int>(v) == val_best_ ? " (best)" : "");
    }
    ImGui::TextDisabled("wheel: zoom | drag: zoom to a range | right drag: pan | double click: reset");
    ImGui::EndTooltip();
  }
}

}  // namespace dibr::studio
