#include "app/studio_layout.h"

#include <algorithm>
#include <numeric>

namespace dibr::studio {
namespace {

const LayoutSplits kDefaults;

// Minimum extent of each panel of a stack of `count` panels, in pixels.
std::vector<float> stack_minimums(const std::string& stack, size_t count, float ui_scale) {
  std::vector<float> minimums(count, (stack == "columns" ? kMinimumColumn : kMinimumPanelHeight) * ui_scale);
  if (stack == "columns") minimums[0] = kMinimumLeftColumn * ui_scale;
  return minimums;
}

// Each panel's extent along a stack of `length` pixels: shares[i] * length, clamped so that every panel
// after it still gets its minimum; the last one takes what is left.
std::vector<float> stack_extents(const std::vector<float>& shares, const std::vector<float>& minimums, float length) {
  std::vector<float> extents(minimums.size());
  float used = 0;
  float minimum_after = std::accumulate(minimums.begin(), minimums.end(), 0.f);
  for (size_t i = 0; i + 1 < minimums.size(); ++i) {
    minimum_after -= minimums[i];
    const float most = std::max(minimums[i], length - used - minimum_after);
    extents[i] = std::clamp(shares[i] * length, minimums[i], most);
    used += extents[i];
  }
  extents.back() = std::max(length - used, 0.f);
  return extents;
}

const std::vector<float>& shares_or_default(const LayoutSplits& splits, const std::string& stack) {
  const std::vector<float>* shares = splits.stack(stack);
  const std::vector<float>* defaults = kDefaults.stack(stack);
  return shares->size() == defaults->size() ? *shares : *defaults;
}

// Panels stacked top to bottom in one column.
void add_column(StudioLayout& layout, const LayoutSplits& splits, const std::string& stack,
                const std::vector<const char*>& names, float x, float y, float w, float h, float ui_scale) {
  const float gap = kSplitterGap * ui_scale;
  const float length = std::max(h - gap * static_cast<float>(names.size() - 1), 0.f);
  const auto extents = stack_extents(shares_or_default(splits, stack), stack_minimums(stack, names.size(), ui_scale), length);
  for (size_t i = 0; i < names.size(); ++i) {
    layout.panels.push_back({names[i], x, y, w, extents[i]});
    y += extents[i];
    if (i + 1 == names.size()) break;
    SplitterRect splitter;
    splitter.stack = stack;
    splitter.boundary = static_cast<int>(i);
    splitter.x = x, splitter.y = y, splitter.w = w, splitter.h = gap;
    splitter.stack_length = length;
    layout.splitters.push_back(splitter);
    y += gap;
  }
}

}  // namespace

std::vector<float>* LayoutSplits::stack(const std::string& name) {
  if (name == "columns") return &columns;
  if (name == "left") return &left;
  if (name == "middle") return &middle;
  if (name == "middle_with_images") return &middle_with_images;
  if (name == "right") return &right;
  return nullptr;
}

bool LayoutSplits::operator==(const LayoutSplits& o) const {
  return columns == o.columns && left == o.left && middle == o.middle && middle_with_images == o.middle_with_images &&
         right == o.right;
}

const PanelRect* StudioLayout::panel(const std::string& name) const {
  for (const auto& p : panels)
    if (p.name == name) return &p;
  return nullptr;
}

StudioLayout compute_layout(const LayoutSplits& splits, const LayoutArea& area) {
  StudioLayout layout;
  if (area.maximise_viewport) {
    layout.panels.push_back({"3D view", area.x, area.y, area.width, area.height});
    return layout;
  }
  const float s = area.ui_scale, gap = kSplitterGap * s;
  const float length = std::max(area.width - 2 * gap, 0.f);
  const auto widths = stack_extents(shares_or_default(splits, "columns"), stack_minimums("columns", 3, s), length);
  float x = area.x;
  for (int c = 0; c < 3; ++c) {
    if (c == 0) add_column(layout, splits, "left", {"Dataset", "Training", "Export"}, x, area.y, widths[0], area.height, s);
    if (c == 1 && !area.images)
      add_column(layout, splits, "middle", {"Silhouettes", "Loss curves"}, x, area.y, widths[1], area.height, s);
    if (c == 1 && area.images)
      add_column(layout, splits, "middle_with_images", {"Silhouettes", "Images", "Loss curves"}, x, area.y, widths[1],
                 area.height, s);
    if (c == 2) add_column(layout, splits, "right", {"3D view", "Checkpoints"}, x, area.y, widths[2], area.height, s);
    x += widths[c];
    if (c == 2) break;
    SplitterRect splitter;
    splitter.stack = "columns";
    splitter.boundary = c;
    splitter.along_x = true;
    splitter.x = x, splitter.y = area.y, splitter.w = gap, splitter.h = area.height;
    splitter.stack_length = length;
    layout.splitters.push_back(splitter);
    x += gap;
  }
  return layout;
}

void drag_splitter(LayoutSplits& splits, const SplitterRect& splitter, float pixels, float ui_scale) {
  std::vector<float>* shares = splits.stack(splitter.stack);
  if (!shares || splitter.stack_length <= 0) return;
  if (shares->size() != kDefaults.stack(splitter.stack)->size()) *shares = *kDefaults.stack(splitter.stack);
  const size_t count = shares->size() + 1;
  if (splitter.boundary < 0 || static_cast<size_t>(splitter.boundary) + 1 >= count) return;
  const float length = splitter.stack_length;
  const auto minimums = stack_minimums(splitter.stack, count, ui_scale);
  std::vector<float> extents = stack_extents(*shares, minimums, length);
  const size_t b = static_cast<size_t>(splitter.boundary);
  const float both = extents[b] + extents[b + 1];
  if (both < minimums[b] + minimums[b + 1]) return;  // no room to move
  extents[b] = std::clamp(extents[b] + pixels, minimums[b], both - minimums[b + 1]);
  extents[b + 1] = both - extents[b];
  for (size_t i = 0; i + 1 < count; ++i) (*shares)[i] = extents[i] / length;
}

void reset_stack(LayoutSplits& splits, const std::string& stack) {
  if (std::vector<float>* shares = splits.stack(stack)) *shares = *kDefaults.stack(stack);
}

std::string SplitterDrag::update(const StudioLayout& layout, LayoutSplits& splits, const Mouse& mouse, float ui_scale) {
  const bool pressed = mouse.down && !was_down_;
  was_down_ = mouse.down;
  auto find = [&](const std::string& name) -> const SplitterRect* {
    for (const auto& s : layout.splitters)
      if (s.name() == name) return &s;
    return nullptr;
  };
  if (!dragged_.empty()) {
    const SplitterRect* splitter = find(dragged_);
    if (!mouse.down || !splitter) {  // released, or the layout lost it (maximised, compact)
      dragged_.clear();
      finished_ = true;
      return splitter ? splitter->name() : std::string();
    }
    splits = start_splits_;
    drag_splitter(splits, *splitter, (splitter->along_x ? mouse.x : mouse.y) - start_position_, ui_scale);
    return dragged_;
  }
  if (mouse.over_window) return "";
  const SplitterRect* hovered = nullptr;
  for (const auto& s : layout.splitters)
    if (s.contains(mouse.x, mouse.y)) hovered = &s;
  if (!hovered) return "";
  if (mouse.double_clicked) {
    reset_stack(splits, hovered->stack);
    finished_ = true;
  } else if (pressed) {
    dragged_ = hovered->name();
    start_splits_ = splits;
    start_position_ = hovered->along_x ? mouse.x : mouse.y;
  }
  return hovered->name();
}

}  // namespace dibr::studio
