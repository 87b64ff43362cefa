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

namespace dibr::studio {

// Below this window size the panels are tabs of one window instead of side by side (none is cut off).
inline bool compact_layout(float width, float height) { return width < 900 || height < 560; }

class StudioApp {
 public:
  explicit StudioApp(StudioOptions options);
  ~StudioApp();
  StudioApp(const StudioApp&) = delete;
  StudioApp& operator=(const StudioApp&) = delete;

  // Once per loop turn, drawn or not: polls the model's jobs and run. True when what the window shows changed.
  bool poll();
  bool training() const { return model_.training_active(); }
  FramePacer& pacer() { return pacer_; }
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
  void shutdown() { model_.shutdown(); }

 private:
  void layout_window(const char* name, float x, float y, float w, float h);
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
  double worst_frame_ms_ = 0, bucket_worst_ms_ = 0, bucket_seconds_ = 0;  // slowest frame of the last full second
};

}  // namespace dibr::studio
