#pragma once
// The studio: all UI state and the panels. main.cpp owns the window and calls frame() between
// ImGui::NewFrame() and ImGui::Render(), then after_render() before swapping buffers.
#include <imgui.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/folder_browser.h"
#include "app/image_texture.h"
#include "app/loss_plot.h"
#include "app/mesh_viewport.h"
#include "app/recent_folders.h"
#include "app/studio_dataset.h"
#include "app/studio_job.h"
#include "app/studio_options.h"
#include "app/studio_preview.h"
#include "app/studio_training.h"
#include "app/ui_map.h"
#include "trainer/chamfer_report.h"
#include "trainer/config.h"
#include "trainer/eval.h"

struct GLFWwindow;

namespace dibr::studio {

struct Message {
  bool error = false;
  std::string text;
  std::string time;  // HH:MM:SS
};

class StudioApp {
 public:
  StudioApp(StudioOptions options, GLFWwindow* window);
  ~StudioApp();
  StudioApp(const StudioApp&) = delete;
  StudioApp& operator=(const StudioApp&) = delete;

  void frame();
  // Call after ImGui's draw data is rendered into the back buffer, before swapping.
  void after_render(int framebuffer_width, int framebuffer_height);
  void on_drop(const std::vector<std::string>& paths);
  // GLFW key press/repeat, queued: with ImGui 1.86 a press and release inside one frame would be lost,
  // and a busy machine makes frames long.
  void on_key(int key, int mods) { pending_keys_.push_back({key, mods}); }
  std::string window_title() const;
  // Stops training (latest.pt is written) and waits for the workers.
  void shutdown();

  // Actions (menus, buttons and shortcuts all go through these).
  void open_dataset(const std::string& root);
  void start_or_resume_training();
  void toggle_pause();
  void stop_training();
  void export_shown_obj();
  void request_screenshot();
  void step_checkpoint(int delta);
  void toggle_checkpoint_view();
  void go_live();

 private:
  void poll();
  void handle_shortcuts();
  void layout_window(const char* name, float x, float y, float w, float h);
  void draw_menu_bar();
  void draw_dataset_panel();
  void draw_training_panel();
  void draw_loss_panel();
  void draw_silhouette_panel();
  void draw_viewport_panel();
  void draw_checkpoint_panel();
  void draw_export_panel();
  void draw_status_bar();
  void draw_help_window();
  void draw_messages_window();

  void info(const std::string& text);
  void error(const std::string& text);
  // Runs an action; an exception becomes an error message in the UI instead of a crash.
  template <typename F>
  void guarded(const char* what, F&& action) {
    try {
      action();
    } catch (const std::exception& e) {
      error(std::string(what) + ": " + e.what());
    }
  }

  void apply_preset(const std::string& preset);
  void apply_command_line_values();
  std::string out_dir() const { return config_.out_dir; }
  const PreviewData& shown_preview() const;
  void upload_preview_if_changed();
  void select_checkpoint(int index);
  void start_batch_export();
  void start_chamfer_report();
  void record_region(const std::string& name) { ui_.record_last_item(name); }
  nlohmann::json ui_state() const;
  nlohmann::json viewport_state() const;

  StudioOptions options_;
  GLFWwindow* window_;

  // Dataset
  std::string data_root_;      // the dataset in use (checked); empty = built-in sample
  std::string checking_root_;  // being checked; becomes data_root_ when it passes
  bool start_when_dataset_ready_ = false;
  std::string data_root_input_;
  Job<DatasetReport> dataset_job_;
  std::optional<DatasetReport> dataset_;
  FolderBrowser browser_;
  RecentFolders recent_;

  // Training
  TrainConfig config_;
  std::vector<std::string> class_choice_;  // classes ticked in the panel (empty = all)
  TrainingHost host_;
  std::shared_ptr<const Trainer> seen_trainer_;
  int64_t seen_step_ = -1;
  LossPlot loss_plot_;
  double steps_per_second_ = 0;
  std::optional<LossTerms> last_losses_;
  bool failure_reported_ = false;

  // Previews
  PreviewData live_;
  PreviewData checkpoint_preview_;
  bool show_checkpoint_ = false;
  int selected_object_ = 0;
  std::string uploaded_key_;
  std::vector<ImageTexture> textures_;  // 4 per preview object: input, GT, predicted, difference
  MeshViewport viewport_;

  // Checkpoints
  std::vector<CheckpointInfo> checkpoints_;
  std::chrono::steady_clock::time_point last_checkpoint_scan_{};
  int checkpoint_index_ = -1;
  std::string pending_checkpoint_;
  Job<PreviewData> checkpoint_job_;

  // Export
  std::string obj_path_;  // empty: automatic name under <out>/exports
  Job<EvalSummary> eval_job_;
  std::string eval_out_;
  std::string chamfer_pred_dir_;
  Job<ChamferReport> chamfer_job_;
  std::optional<ChamferReport> chamfer_report_;
  std::string chamfer_saved_prefix_;

  // Screenshots
  bool screenshot_requested_ = false;
  UiMap ui_;  // named control rectangles of this frame (screenshots, --ui-map)
  void track_frame_time(float seconds);
  double worst_frame_ms_ = 0, bucket_worst_ms_ = 0, bucket_seconds_ = 0;  // slowest frame of the last full second

  struct KeyPress {
    int key, mods;
  };
  std::vector<KeyPress> pending_keys_;

  // Messages
  std::vector<Message> messages_;
  bool show_help_ = false, show_messages_ = false;
};

}  // namespace dibr::studio
