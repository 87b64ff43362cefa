#include "app/loss_plot.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace dibr::studio {
namespace {

const ImU32 kColors[] = {IM_COL32(240, 240, 240, 255), IM_COL32(255, 170, 60, 255), IM_COL32(90, 180, 255, 255),
                         IM_COL32(120, 220, 120, 255), IM_COL32(220, 110, 220, 255), IM_COL32(230, 230, 90, 255),
                         IM_COL32(90, 230, 220, 255), IM_COL32(250, 120, 120, 255)};
ImU32 color_of(int curve) { return kColors[curve % (sizeof kColors / sizeof kColors[0])]; }

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
  for (auto& v : values_) v.clear();
}

void LossPlot::set_term_names(const std::vector<std::string>& names) {
  std::vector<std::string> curves{"total"};
  curves.insert(curves.end(), names.begin(), names.end());
  if (curves == names_) return;
  names_ = curves;
  values_.assign(names_.size(), {});
  visible.assign(names_.size(), 1);
  steps_.clear();
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
    for (int t = 0; t < curve_count(); ++t) values_[t].push_back(loss_term_value(it->losses, t));
  }
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
  ImGui::Checkbox("log", &log_scale);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::SliderFloat("smoothing", &smoothing, 0.f, 0.99f, "%.2f");

  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 size(std::max(width, 50.f), std::max(height - ImGui::GetFrameHeightWithSpacing(), 40.f));
  ImGui::InvisibleButton("plot", size);
  hovered_step_ = -1;
  const ImVec4 rect(origin.x, origin.y, size.x, size.y);
  const bool hovered = ImGui::IsItemHovered();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(25, 25, 30, 255));
  dl->AddRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), IM_COL32(80, 80, 90, 255));
  if (steps_.size() < 2) {
    dl->AddText(ImVec2(origin.x + 8, origin.y + 8), IM_COL32(160, 160, 160, 255), "no loss values yet");
    ImGui::PopID();
    return rect;
  }

  std::vector<std::vector<double>> curves(names_.size());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto transform = [&](double v) { return log_scale ? std::log10(std::max(v, 1e-8)) : v; };
  for (int t = 0; t < curve_count(); ++t) {
    if (!visible[t]) continue;
    curves[t] = ema_smooth(values_[t], smoothing);
    for (double& v : curves[t]) {
      v = transform(v);
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (!std::isfinite(lo)) {
    ImGui::PopID();
    return rect;
  }
  if (hi - lo < 1e-9) hi = lo + 1;
  const double s0 = static_cast<double>(steps_.front()), s1 = std::max<double>(steps_.back(), s0 + 1);
  const float pad = 6;
  auto to_screen = [&](double step, double v) {
    return ImVec2(origin.x + pad + static_cast<float>((step - s0) / (s1 - s0)) * (size.x - 2 * pad),
                  origin.y + pad + static_cast<float>((hi - v) / (hi - lo)) * (size.y - 2 * pad));
  };
  // Axis labels: min and max of the shown range.
  char label[64];
  std::snprintf(label, sizeof label, log_scale ? "%.3g" : "%.4g", log_scale ? std::pow(10.0, hi) : hi);
  dl->AddText(ImVec2(origin.x + 4, origin.y + 2), IM_COL32(140, 140, 150, 255), label);
  std::snprintf(label, sizeof label, log_scale ? "%.3g" : "%.4g", log_scale ? std::pow(10.0, lo) : lo);
  dl->AddText(ImVec2(origin.x + 4, origin.y + size.y - 16), IM_COL32(140, 140, 150, 255), label);

  // At most ~2 points per pixel column are drawn: long runs stay cheap.
  const size_t n = steps_.size();
  const size_t stride = std::max<size_t>(1, n / static_cast<size_t>(std::max(2.f, size.x * 2)));
  std::vector<ImVec2> points;
  for (int t = curve_count() - 1; t >= 0; --t) {
    if (!visible[t]) continue;
    points.clear();
    for (size_t i = 0; i < n; i += stride) {
      if (std::isfinite(curves[t][i])) points.push_back(to_screen(steps_[i], curves[t][i]));
    }
    if (std::isfinite(curves[t][n - 1])) points.push_back(to_screen(steps_[n - 1], curves[t][n - 1]));
    if (points.size() >= 2) dl->AddPolyline(points.data(), static_cast<int>(points.size()), color_of(t), 0, t == 0 ? 2.f : 1.5f);
  }

  if (hovered) {
    const float mx = ImGui::GetIO().MousePos.x;
    const double step = s0 + (mx - origin.x - pad) / (size.x - 2 * pad) * (s1 - s0);
    const size_t i = static_cast<size_t>(
        std::lower_bound(steps_.begin(), steps_.end(), static_cast<int64_t>(std::llround(step))) - steps_.begin());
    const size_t k = std::min(i, n - 1);
    const ImVec2 top = to_screen(steps_[k], hi), bottom = to_screen(steps_[k], lo);
    dl->AddLine(top, bottom, IM_COL32(200, 200, 200, 120));
    hovered_step_ = steps_[k];
    ImGui::BeginTooltip();
    ImGui::Text("step %lld", static_cast<long long>(steps_[k]));
    for (int t = 0; t < curve_count(); ++t) {
      if (!visible[t]) continue;
      const double smoothed = log_scale ? std::pow(10.0, curves[t][k]) : curves[t][k];
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(color_of(t)), "%-9s %.5g  (smoothed %.5g)", names_[t].c_str(),
                         values_[t][k], smoothed);
    }
    ImGui::EndTooltip();
  }
  ImGui::PopID();
  return rect;
}

}  // namespace dibr::studio
