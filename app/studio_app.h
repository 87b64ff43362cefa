#pragma once
// The studio's window: layout, frame order, texture upload and screenshots around the headless StudioModel.
// main.cpp owns the GL context and calls frame() between ImGui::NewFrame() and ImGui::Render(), then
// after_render() before swapping buffers.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "app/frame_pacer.h"
#include "app/panels.h"
#include "app/studio_model.h"
#include "app/studio_options.h"
#include "app/studio_layout.h"
#include "app/studio_settings.h"

namespace dibr::studio {

// Below this window size (at UI scale 1) the panels are tabs of one window instead of side by side (none is cut off).
inline bool compact_layout(float width, float height, float ui_scale = 1) {
  return width < 900 * ui_scale || height < 560 * ui_scale;
}

class StudioApp {
 public:
  // `remembered` was read from `settings_file` (load_settings, its warning in `settings_warning`); the window's
  // settings are saved there when they change and at shutdown. content_scale: the monitor's, for the UI scale.
  StudioApp(StudioOptions options, const StudioSettings& remembered, std::string settings_file,
            const std::string& settings_warning, float content_scale);
  ~StudioApp();
  StudioApp(const StudioApp&) = delete;
  StudioApp& operator=(const StudioApp&) = delete;

  // Once per loop turn, drawn or not: polls the model's jobs and run. True when what the window shows changed.
  bool poll();
  bool training() const { return model_.training_active(); }
  FramePacer& pacer() { return pacer_; }
  // Call before ImGui::NewFrame(): applies a changed UI scale to the style and fonts.
  void before_frame();
  float ui_scale() const { return applied_scale_; }
  void frame();
  // Call after ImGui's draw data is rendered into the back buffer, before swapping.
  void after_render(int framebuffer_width, int framebuffer_height);
  void on_drop(const std::vector<std::string>& paths) { model_.on_drop(paths); }
  // GLFW key press/repeat, queued: with ImGui 1.86 a press and release inside one frame would be lost,
  // and a busy machine makes frames long.
  void on_key(int key, int mods) { panel_.pending_keys.push_back({key, mods}); }
  std::string window_title() const { return model_.window_title(); }
  bool quit_requested() const { return panel_.quit_requested; }
  // Stops training (latest.pt is written) and waits for the workers.
  void shutdown();

 private:
  void layout_window(const char* name, float x, float y, float w, float h);
  void draw_panels(float top, float height);
  void drag_splitters(const StudioLayout& layout);
  float wanted_ui_scale() const;
  StudioSettings current_settings() const;
  void save_settings_if_changed(bool now);
  void upload_preview_if_changed();
  void upload_gallery_if_changed();
  void upload_compare_if_changed();
  void upload_viewport_if_changed();
  void track_frame_time(float seconds);
  void overlay_run(const std::string& run_dir);
  void save_plot_png(int framebuffer_width, int framebuffer_height);
  nlohmann::json ui_state() const;

  StudioModel model_;
  PanelState panel_;
  FramePacer pacer_;
  std::string signature_;
  std::string uploaded_key_, viewport_key_;
  bool ui_map_failed_ = false;
  std::string settings_file_;
  StudioSettings saved_settings_;  // as last written (or read)
  double settings_checked_ = 0;    // ImGui time of the last comparison
  bool settings_failed_ = false;
  float content_scale_ = 1, applied_scale_ = 0;
  SplitterDrag splitter_drag_;
  std::string hovered_splitter_;
  double worst_frame_ms_ = 0, bucket_worst_ms_ = 0, bucket_seconds_ = 0;  // slowest frame of the last full second
};

}  // namespace dibr::studio
