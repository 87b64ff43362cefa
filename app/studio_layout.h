#pragma once
// Where the studio's panels go: three columns of stacked panels whose boundaries the user drags
// (LayoutSplits, remembered between launches), or the 3D view alone when it is maximised. Pure geometry,
// so the layout and the splitter drags are tested without a window.
#include <string>
#include <utility>
#include <vector>

namespace dibr::studio {

// The smallest window (at UI scale 1): below 900x560 the panels are tabs of one window (compact_layout), and
// at 480x320 each tab still shows its controls whole.
constexpr int kMinimumWindowWidth = 480, kMinimumWindowHeight = 320;

// Every boundary as a share of its stack's length (gaps excluded); the last panel of a stack takes the rest.
struct LayoutSplits {
  std::vector<float> columns{0.30f, 0.35f};             // left, middle (right: the rest)
  std::vector<float> left{0.29f, 0.35f};                // Dataset, Training (Export: the rest, with room for its table)
  std::vector<float> middle{0.58f};                     // Silhouettes (Loss curves: the rest)
  std::vector<float> middle_with_images{0.36f, 0.40f};  // Silhouettes, Images (Loss curves: the rest)
  std::vector<float> right{0.68f};                      // 3D view (Checkpoints: the rest)

  // The stack by name ("columns", "left", "middle", "middle_with_images", "right"); nullptr when unknown.
  std::vector<float>* stack(const std::string& name);
  const std::vector<float>* stack(const std::string& name) const { return const_cast<LayoutSplits*>(this)->stack(name); }
  bool operator==(const LayoutSplits& o) const;
};

struct PanelRect {
  std::string name;  // the ImGui window name ("Dataset", "3D view", ...)
  float x = 0, y = 0, w = 0, h = 0;
};

// The gap between two neighbours of a stack: dragging it moves their boundary.
struct SplitterRect {
  std::string stack;  // LayoutSplits::stack name
  int boundary = 0;   // between panel `boundary` and `boundary + 1` of the stack
  bool along_x = false;  // a vertical bar, dragged left/right
  float x = 0, y = 0, w = 0, h = 0;
  float stack_length = 0;  // the stack's length without gaps: pixels per unit of split share
  std::string name() const { return stack + ":" + std::to_string(boundary); }
  bool contains(float px, float py) const { return px >= x && px < x + w && py >= y && py < y + h; }
};

struct StudioLayout {
  std::vector<PanelRect> panels;
  std::vector<SplitterRect> splitters;
  const PanelRect* panel(const std::string& name) const;
};

struct LayoutArea {
  float x = 0, y = 0, width = 0, height = 0;  // below the menu bar, above the status bar
  float ui_scale = 1;                          // gaps and minimum panel sizes grow with it
  bool images = false;                         // the Images panel is shown (between Silhouettes and Loss curves)
  bool maximise_viewport = false;              // the 3D view fills the area
};

// Pixel sizes at UI scale 1.
constexpr float kSplitterGap = 6, kMinimumLeftColumn = 380, kMinimumColumn = 200, kMinimumPanelHeight = 60;

// Panels and splitters for `area`; shares that would push a panel under its minimum size are clamped (the
// stored splits are not changed).
StudioLayout compute_layout(const LayoutSplits& splits, const LayoutArea& area);

// Moves a splitter by `pixels` along its axis: only its two neighbours change size, each kept at its minimum.
void drag_splitter(LayoutSplits& splits, const SplitterRect& splitter, float pixels, float ui_scale);
// Puts one stack's boundaries back to their defaults.
void reset_stack(LayoutSplits& splits, const std::string& stack);

// One frame of mouse input over the splitters: a press over one (and not over a window) starts a drag, moving
// the mouse with the button held moves that boundary, releasing ends it; a double click resets its stack.
class SplitterDrag {
 public:
  struct Mouse {
    float x = 0, y = 0;
    bool down = false, double_clicked = false;
    bool over_window = false;  // ImGui wants the mouse (a panel, popup or menu is under it)
  };
  // Returns the splitter under the mouse or being dragged ("" when none): the caller highlights it.
  std::string update(const StudioLayout& layout, LayoutSplits& splits, const Mouse& mouse, float ui_scale);
  bool dragging() const { return !dragged_.empty(); }
  // A drag just ended (true once): the caller saves the settings.
  bool take_finished() { return std::exchange(finished_, false); }

 private:
  std::string dragged_;
  LayoutSplits start_splits_;
  float start_position_ = 0;
  bool was_down_ = false, finished_ = false;
};

}  // namespace dibr::studio
