#pragma once
// Named rectangles of the studio's controls, in window coordinates, plus a few facts of its state.
// Screenshots save the rectangles next to the PNG (for image checks); with --ui-map FILE they are also
// kept up to date in FILE as JSON, so scripts and the end-to-end tests click controls by name instead
// of by guessed pixels, and read what the studio shows.
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <string>

namespace dibr::studio {

struct UiRect {
  float x = 0, y = 0, w = 0, h = 0;
};

class UiMap {
 public:
  void begin_frame() { rects_.clear(); }
  // The visible (clickable) part of the last ImGui item; nothing in a window's first frame, while it may still move,
  // nor for an item scrolled or cut out of sight.
  void record_last_item(const std::string& name);
  void record(const std::string& name, const UiRect& rect) { rects_[name] = rect; }
  void set_state(nlohmann::json state) { state_ = std::move(state); }
  const std::map<std::string, UiRect>& rects() const { return rects_; }

  // {"regions": {name: [x, y, w, h] * scale}, "state": ...}
  nlohmann::json to_json(float scale_x = 1, float scale_y = 1) const;
  static constexpr std::chrono::milliseconds kMinWriteInterval{100};
  // Whether write_if_changed() would look at the content now: callers skip building the state in the
  // frames between.
  bool due(std::chrono::milliseconds min_interval = kMinWriteInterval) const;
  // At most every `min_interval`, compares the content with what was last written and rewrites `path`
  // (atomically: temporary file + rename) when it changed. Throws std::runtime_error naming the path when it cannot be written.
  void write_if_changed(const std::string& path, std::chrono::milliseconds min_interval = kMinWriteInterval);

 private:
  std::map<std::string, UiRect> rects_;
  nlohmann::json state_;
  std::string written_;
  std::chrono::steady_clock::time_point last_check_{};
};

}  // namespace dibr::studio
