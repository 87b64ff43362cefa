#include "app/studio_app.h"

#include <GLFW/glfw3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "app/screenshot.h"
#include "app/studio_export.h"
#include "cuda_interop/gl_buffer_interop.h"
#include "trainer/inference.h"
#include "trainer/obj_io.h"

namespace fs = std::filesystem;

namespace dibr::studio {
namespace {

std::string now_hms() {
  const std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&t));
  return buf;
}

std::string timestamp() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d_%H%M%S", std::localtime(&t));
  return buf;
}

}  // namespace

StudioApp::StudioApp(StudioOptions options, GLFWwindow* window)
    : options_(std::move(options)), window_(window), recent_(RecentFolders::default_file()) {
  try {
    recent_.load();
  } catch (const std::exception& e) {
    error(e.what());
  }
  // Decided now, while main's GL context is current, so the 3D view can say which path is in use.
  interop_available();
  info("CUDA-GL interop: " + interop_status());
  config_ = TrainConfig::from_preset(options_.preset);
  apply_command_line_values();
  class_choice_ = options_.classes;
  config_.classes = options_.classes;
  open_dataset(options_.data_root);
  if (options_.autostart) start_or_resume_training();
}

StudioApp::~StudioApp() { shutdown(); }

void StudioApp::shutdown() {
  host_.stop_and_wait();
  dataset_job_.cancel_and_join();
  checkpoint_job_.cancel_and_join();
  eval_job_.cancel_and_join();
  chamfer_job_.cancel_and_join();
}

void StudioApp::info(const std::string& text) {
  messages_.push_back({false, text, now_hms()});
  std::printf("dibr-studio: %s\n", text.c_str());
  std::fflush(stdout);
}

void StudioApp::error(const std::string& text) {
  messages_.push_back({true, text, now_hms()});
  std::fprintf(stderr, "dibr-studio: error: %s\n", text.c_str());
}

void StudioApp::apply_command_line_values() {
  if (!options_.out_dir.empty()) config_.out_dir = options_.out_dir;
  if (options_.max_steps) config_.max_steps = *options_.max_steps;
  if (options_.image_size) config_.image_size = *options_.image_size;
  if (options_.batch_objects) config_.batch_objects = *options_.batch_objects;
  if (options_.checkpoint_every) {
    config_.checkpoint_every = *options_.checkpoint_every;
    config_.keep_every = *options_.checkpoint_every;
  }
}

// Values edited in the panel survive through with_preset; flags survive even when they equal a preset's.
void StudioApp::apply_preset(const std::string& preset) {
  guarded("preset", [&] {
    config_ = config_.with_preset(preset);
    apply_command_line_values();
  });
}

// ---- actions -------------------------------------------------------------------------------------

void StudioApp::open_dataset(const std::string& root) {
  if (dataset_job_.running()) {
    error("a dataset is still being checked; try again when it is done");
    return;
  }
  std::error_code ec;
  if (!root.empty() && !fs::is_directory(root, ec)) {
    data_root_input_ = root;
    error("dataset: '" + root + "' is not a folder");
    return;
  }
  // The dataset in use stays until the new one has passed the check.
  checking_root_ = root.empty() ? std::string() : fs::absolute(root, ec).lexically_normal().string();
  data_root_input_ = checking_root_;
  dataset_job_.start([root = checking_root_](JobControl& control) { return validate_dataset(root, control); });
}

void StudioApp::start_or_resume_training() {
  guarded("training", [&] {
    if (auto t = host_.trainer(); t && t->state() == TrainerState::Paused) {
      host_.resume();
      info("training resumed");
      return;
    }
    if (host_.active() || !host_.busy().empty()) return;
    if (dataset_job_.running()) {
      start_when_dataset_ready_ = true;
      info("training starts when the dataset check is done");
      return;
    }
    if (!dataset_) throw std::runtime_error("no dataset is open: open a dataset folder or the built-in sample first");
    if (!dataset_->usable()) throw std::runtime_error("'" + dataset_->root + "' has no training objects");
    TrainConfig config = config_;
    config.classes = class_choice_;
    config.data_root = dataset_->root;
    if (config.out_dir.empty()) throw std::runtime_error("the output folder is empty");
    fs::create_directories(config.out_dir);
    const bool resume = fs::exists(fs::path(config.out_dir) / "latest.pt");
    host_.start(config, resume);
    failure_reported_ = false;
    info(std::string(resume ? "resuming training from " : "starting training in ") + config.out_dir);
  });
}

void StudioApp::toggle_pause() {
  auto t = host_.trainer();
  if (!t) return;
  if (t->state() == TrainerState::Running) {
    host_.pause();
    info("training paused");
  } else if (t->state() == TrainerState::Paused) {
    host_.resume();
    info("training resumed");
  }
}

void StudioApp::stop_training() {
  if (!host_.active()) return;
  host_.stop();
  info("stopping training (writing latest.pt)");
}

const PreviewData& StudioApp::shown_preview() const { return show_checkpoint_ ? checkpoint_preview_ : live_; }

void StudioApp::export_shown_obj() {
  guarded("export OBJ", [&] {
    const PreviewData& p = shown_preview();
    if (p.count() == 0 || !p.vertices.defined()) throw std::runtime_error("there is no mesh to export yet");
    const int i = std::clamp(selected_object_, 0, p.count() - 1);
    std::string path = obj_path_;
    if (path.empty()) {
      path = (fs::path(out_dir()) / "exports" /
              (file_safe(p.ids[i]) + (p.from_checkpoint ? "_checkpoint" : "_live") + "_step" + std::to_string(p.step) + ".obj"))
                 .string();
    }
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
    path = unique_path(path);
    write_obj(path, p.vertices[i].to(torch::kCPU), p.faces.to(torch::kCPU), p.colors.defined() ? p.colors[i].to(torch::kCPU) : at::Tensor());
    info("wrote " + path);
  });
}

void StudioApp::request_screenshot() { screenshot_requested_ = true; }

void StudioApp::select_checkpoint(int index) {
  if (checkpoints_.empty()) return;
  index = std::clamp(index, 0, static_cast<int>(checkpoints_.size()) - 1);
  checkpoint_index_ = index;
  show_checkpoint_ = true;
  pending_checkpoint_ = checkpoints_[index].path;
}

void StudioApp::step_checkpoint(int delta) {
  if (checkpoints_.empty()) {
    error("no checkpoint in " + out_dir() + " yet");
    return;
  }
  select_checkpoint(checkpoint_index_ < 0 ? static_cast<int>(checkpoints_.size()) - 1 : checkpoint_index_ + delta);
}

void StudioApp::toggle_checkpoint_view() {
  if (show_checkpoint_) go_live();
  else step_checkpoint(0);
}

void StudioApp::go_live() {
  show_checkpoint_ = false;
  pending_checkpoint_.clear();
}

void StudioApp::on_drop(const std::vector<std::string>& paths) {
  if (paths.empty()) return;
  std::error_code ec;
  if (fs::is_directory(paths.front(), ec)) {
    open_dataset(paths.front());
  } else {
    error("dropped '" + paths.front() + "' is not a folder: drop a dataset folder onto the window");
  }
}

std::string StudioApp::window_title() const {
  std::string title = "DIB-R Studio";
  if (auto t = host_.trainer()) {
    title += std::string(" - ") + to_string(t->state()) + " step " + std::to_string(t->step());
  } else if (!host_.busy().empty()) {
    title += " - " + host_.busy();
  } else {
    title += " - idle";
  }
  title += " - view: " + shown_preview().label();
  return title;
}

// ---- per-frame polling ---------------------------------------------------------------------------

void StudioApp::poll() {
  if (auto r = dataset_job_.take_result()) {
    dataset_ = std::move(*r);
    data_root_ = checking_root_;
    info("dataset " + dataset_->root + ": " + std::to_string(dataset_->classes.size()) + " classes" +
         (dataset_->problems.empty() ? "" : ", " + std::to_string(dataset_->problems.size()) + " problem(s)"));
    if (!data_root_.empty()) guarded("recent folders", [&] { recent_.add(data_root_); });
    // Ticked classes that this dataset lacks are dropped; none left means all.
    std::vector<std::string> kept;
    for (const auto& c : dataset_->classes) {
      if (std::find(class_choice_.begin(), class_choice_.end(), c.class_id) != class_choice_.end()) kept.push_back(c.class_id);
    }
    class_choice_ = kept.size() == dataset_->classes.size() ? std::vector<std::string>{} : kept;
    if (std::exchange(start_when_dataset_ready_, false)) start_or_resume_training();
  }
  if (auto e = dataset_job_.take_error(); !e.empty()) {
    const std::string kept = !dataset_ ? std::string("no dataset is open") : "still using " + (data_root_.empty() ? std::string("the built-in sample") : data_root_);
    error("dataset: " + e + " (" + kept + ")");
    data_root_input_ = data_root_;
    if (std::exchange(start_when_dataset_ready_, false)) error("training not started: the dataset check failed");
  }
  if (auto e = host_.take_error(); !e.empty()) error(e);

  if (auto trainer = host_.trainer()) {
    if (trainer != seen_trainer_) {
      seen_trainer_ = trainer;
      seen_step_ = -1;
      steps_per_second_ = 0;
      last_losses_.reset();
      loss_plot_.clear();
    }
    const int64_t step = trainer->step();
    if (step != seen_step_) {
      seen_step_ = step;
      const std::vector<LossRecord> history = trainer->loss_history();
      loss_plot_.append(history);
      // it/s over the last ~20 logged steps (the snapshot's rate is only as fresh as the snapshot).
      if (history.size() >= 2) {
        const LossRecord& last = history.back();
        const LossRecord& first = history[history.size() - std::min<size_t>(history.size(), 21)];
        if (last.seconds > first.seconds) steps_per_second_ = (last.step - first.step) / (last.seconds - first.seconds);
        last_losses_ = last.losses;
      }
    }
    if (auto snap = trainer->latest_snapshot(); snap && snap->step != live_.step) live_ = preview_from_snapshot(*snap);
    if (trainer->state() == TrainerState::Failed && !failure_reported_) {
      failure_reported_ = true;
      error("training failed at step " + std::to_string(step) + ": " + trainer->error());
    }
  }

  const auto now = std::chrono::steady_clock::now();
  if (now - last_checkpoint_scan_ > std::chrono::seconds(1)) {
    last_checkpoint_scan_ = now;
    try {
      const std::string current = checkpoint_index_ >= 0 && checkpoint_index_ < static_cast<int>(checkpoints_.size())
                                      ? checkpoints_[checkpoint_index_].path
                                      : std::string();
      checkpoints_ = fs::is_directory(out_dir()) ? list_checkpoints(out_dir()) : std::vector<CheckpointInfo>{};
      checkpoint_index_ = -1;
      for (size_t i = 0; i < checkpoints_.size(); ++i) {
        if (checkpoints_[i].path == current) checkpoint_index_ = static_cast<int>(i);
      }
    } catch (const std::exception& e) {
      checkpoints_.clear();
    }
  }

  // Latest request wins: a scrub while a checkpoint loads is queued, intermediate ones are dropped.
  if (!pending_checkpoint_.empty() && !checkpoint_job_.running()) {
    const std::string path = std::exchange(pending_checkpoint_, std::string());
    if (!(checkpoint_preview_.checkpoint_path == path && checkpoint_preview_.step >= 0)) {
      const std::string root = dataset_ ? dataset_->root : data_root_;
      checkpoint_job_.start([path, root, ids = live_.ids, count = config_.preview_count](JobControl& control) {
        return predict_checkpoint_preview(path, root, ids, count, control);
      });
    }
  }
  if (auto r = checkpoint_job_.take_result()) checkpoint_preview_ = std::move(*r);
  if (auto e = checkpoint_job_.take_error(); !e.empty()) error("checkpoint: " + e);

  if (auto r = eval_job_.take_result()) {
    info("batch export: " + std::to_string(r->written) + "/" + std::to_string(r->total) + " objects written to " + eval_out_ +
         (r->cancelled ? " (cancelled)" : ""));
    for (const auto& p : r->problems) error("batch export: " + p);
    chamfer_pred_dir_ = eval_out_;
  }
  if (auto e = eval_job_.take_error(); !e.empty()) error("batch export: " + e);
  if (auto r = chamfer_job_.take_result()) {
    chamfer_report_ = std::move(*r);
    guarded("chamfer report", [&] {
      chamfer_saved_prefix_ = unique_prefix((fs::path(chamfer_pred_dir_) / "chamfer").string(), {".md", ".csv", ".json"});
      chamfer_report_->save(chamfer_saved_prefix_);
      info("chamfer report saved as " + chamfer_saved_prefix_ + ".csv/.json/.md");
    });
    for (const auto& p : chamfer_report_->problems) error("chamfer: " + p);
  }
  if (auto e = chamfer_job_.take_error(); !e.empty()) error("chamfer report: " + e);
}

void StudioApp::upload_preview_if_changed() {
  const PreviewData& p = shown_preview();
  if (p.count() == 0) return;
  selected_object_ = std::clamp(selected_object_, 0, p.count() - 1);
  const std::string key = p.label() + "|" + p.checkpoint_path + "|" + std::to_string(selected_object_);
  if (key == uploaded_key_) return;
  uploaded_key_ = key;
  guarded("preview", [&] {
    textures_.resize(static_cast<size_t>(p.count()) * 4);
    for (int i = 0; i < p.count(); ++i) {
      textures_[i * 4 + 0].set(p.images[i]);
      textures_[i * 4 + 1].set(p.gt_masks[i]);
      textures_[i * 4 + 2].set(p.silhouettes[i]);
      textures_[i * 4 + 3].set(silhouette_diff_image(p.silhouettes[i], p.gt_masks[i]));
    }
    const int i = selected_object_;
    viewport_.set_mesh(p.vertices[i], p.colors.defined() ? p.colors[i] : at::Tensor(), p.faces);
    viewport_.set_points(p.gt_points.defined() && p.gt_points.size(0) > i ? p.gt_points[i] : at::Tensor());
  });
}

// ---- frame ---------------------------------------------------------------------------------------

void StudioApp::layout_window(const char* name, float x, float y, float w, float h) {
  ImGui::SetNextWindowPos(ImVec2(x, y), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_Always);
  ImGui::Begin(name, nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
}

void StudioApp::track_frame_time(float seconds) {
  bucket_worst_ms_ = std::max(bucket_worst_ms_, 1000.0 * seconds);
  bucket_seconds_ += seconds;
  if (bucket_seconds_ >= 1.0) {
    worst_frame_ms_ = bucket_worst_ms_;
    bucket_worst_ms_ = 0;
    bucket_seconds_ = 0;
  }
}

nlohmann::json StudioApp::viewport_state() const {
  const glm::mat4 view = viewport_.view_matrix();
  nlohmann::json matrix = nlohmann::json::array();
  for (int c = 0; c < 4; ++c) {
    for (int r = 0; r < 4; ++r) matrix.push_back(std::round(view[c][r] * 1e4) / 1e4);
  }
  return {{"view_matrix", matrix},
          {"upload_path", viewport_.upload_path()},
          {"interop", interop_status()},
          {"wireframe", viewport_.wireframe},
          {"gt_points", viewport_.show_points},
          {"has_mesh", viewport_.has_mesh()}};
}

nlohmann::json StudioApp::ui_state() const {
  nlohmann::json dataset = nullptr;
  if (dataset_) {
    nlohmann::json splits = nlohmann::json::object();
    for (const auto& sp : dataset_->splits) splits[sp.split] = sp.objects;
    dataset = {{"root", dataset_->root}, {"classes", dataset_->classes.size()}, {"splits", splits},
               {"usable", dataset_->usable()}, {"problems", dataset_->problems.size()}};
  }
  nlohmann::json chamfer = nullptr;
  if (chamfer_report_) chamfer = {{"saved_as", chamfer_saved_prefix_}, {"mean_x100", chamfer_report_->mean_of_class_means * 100}};
  size_t errors = 0;
  for (const auto& m : messages_) errors += m.error;
  return {{"title", window_title()},
          {"dataset", dataset},
          {"dataset_checking", dataset_job_.running() ? nlohmann::json(checking_root_) : nlohmann::json(nullptr)},
          {"browser", {{"open", browser_.is_open()}, {"path", browser_.current()}, {"error", browser_.error()}}},
          {"config", nlohmann::json::parse(config_.to_json())},
          {"jobs", {{"batch_export", eval_job_.running()}, {"chamfer_report", chamfer_job_.running()}, {"checkpoint", checkpoint_job_.running()}}},
          {"predictions_dir", chamfer_pred_dir_},
          {"selected_object", selected_object_},
          {"viewport", viewport_state()},
          {"loss_plot", {{"steps", loss_plot_.size()}, {"hovered_step", loss_plot_.hovered_step()}}},
          {"chamfer_report", chamfer},
          {"messages", messages_.size()},
          {"errors", errors},
          {"last_message", messages_.empty() ? std::string() : messages_.back().text},
          {"frames", {{"fps", std::lround(ImGui::GetIO().Framerate)}, {"worst_ms_last_second", std::lround(worst_frame_ms_)}}}};
}

void StudioApp::frame() {
  ui_.begin_frame();
  track_frame_time(ImGui::GetIO().DeltaTime);
  guarded("update", [&] { poll(); });
  guarded("shortcut", [&] { handle_shortcuts(); });
  guarded("preview", [&] { upload_preview_if_changed(); });

  draw_menu_bar();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float top = ImGui::GetFrameHeight();
  const float status_h = ImGui::GetFrameHeight() + 6;
  const float h = std::max(display.y - top - status_h, 100.f);
  const float left_w = std::max(display.x * 0.30f, 380.f);
  const float rest = std::max(display.x - left_w, 200.f);
  const float mid_w = rest * 0.5f, right_w = rest - mid_w;

  // Each panel body is guarded separately so one failing panel never takes the others down.
  layout_window("Dataset", 0, top, left_w, h * 0.30f);
  guarded("dataset panel", [&] { draw_dataset_panel(); });
  ImGui::End();
  layout_window("Training", 0, top + h * 0.30f, left_w, h * 0.36f);
  guarded("training panel", [&] { draw_training_panel(); });
  ImGui::End();
  layout_window("Export", 0, top + h * 0.66f, left_w, h * 0.34f);
  guarded("export panel", [&] { draw_export_panel(); });
  ImGui::End();
  layout_window("Silhouettes", left_w, top, mid_w, h * 0.58f);
  guarded("silhouette panel", [&] { draw_silhouette_panel(); });
  ImGui::End();
  layout_window("Loss curves", left_w, top + h * 0.58f, mid_w, h * 0.42f);
  guarded("loss panel", [&] { draw_loss_panel(); });
  ImGui::End();
  layout_window("3D view", left_w + mid_w, top, right_w, h * 0.68f);
  guarded("3D view", [&] { draw_viewport_panel(); });
  ImGui::End();
  layout_window("Checkpoints", left_w + mid_w, top + h * 0.68f, right_w, h * 0.32f);
  guarded("checkpoint panel", [&] { draw_checkpoint_panel(); });
  ImGui::End();

  ImGui::SetNextWindowPos(ImVec2(0, display.y - status_h), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(display.x, status_h), ImGuiCond_Always);
  ImGui::Begin("##status", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  guarded("status bar", [&] { draw_status_bar(); });
  ImGui::End();

  guarded("help", [&] { draw_help_window(); });
  guarded("messages", [&] { draw_messages_window(); });
  std::string chosen;
  if (browser_.draw("Choose a dataset folder", &chosen, ui_)) open_dataset(chosen);

  if (!options_.ui_map.empty() && ui_.due()) {
    try {
      ui_.set_state(ui_state());
      ui_.write_if_changed(options_.ui_map);
    } catch (const std::exception& e) {
      error(std::string(e.what()) + " (--ui-map is off from now on)");
      options_.ui_map.clear();
    }
  }
}

void StudioApp::after_render(int fb_w, int fb_h) {
  if (!screenshot_requested_) return;
  screenshot_requested_ = false;
  guarded("screenshot", [&] {
    const fs::path dir = options_.screenshot_dir.empty() ? fs::path(out_dir()) / "screenshots" : fs::path(options_.screenshot_dir);
    fs::create_directories(dir);
    const std::string path = unique_path((dir / ("studio_" + timestamp() + ".png")).string());
    // Regions first: whoever waits for the PNG finds its description complete.
    const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
    const nlohmann::json regions = ui_.to_json(scale.x, scale.y)["regions"];
    const std::string regions_path = path.substr(0, path.size() - 4) + ".regions.json";
    {
      std::ofstream out(regions_path);
      out << nlohmann::json{{"width", fb_w}, {"height", fb_h}, {"view", shown_preview().label()}, {"regions", regions}}.dump(2)
          << "\n";
      if (!out) throw std::runtime_error("cannot write '" + regions_path + "'");
    }
    // Written under a temporary name and renamed, so a watcher never sees half a PNG.
    const std::string partial = path.substr(0, path.size() - 4) + ".partial.png";
    save_framebuffer_png(partial, fb_w, fb_h);
    fs::rename(partial, path);
    info("screenshot saved as " + path);
  });
}

}  // namespace dibr::studio
