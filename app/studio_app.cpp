#include "app/studio_app.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <utility>

#include "app/screenshot.h"
#include "app/studio_export.h"
#include "cuda_interop/gl_buffer_interop.h"
#include "trainer/compare_report.h"
#include "trainer/metrics_log.h"

namespace fs = std::filesystem;

namespace dibr::studio {
namespace {

std::string timestamp() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d_%H%M%S", std::localtime(&t));
  return buf;
}

StudioModel& announce_interop(StudioModel& model) {
  // Decided now, while main's GL context is current, so the 3D view can say which path is in use.
  interop_available();
  model.info("CUDA-GL interop: " + interop_status());
  return model;
}

}  // namespace

StudioApp::StudioApp(StudioOptions options) : model_(std::move(options), RecentFolders::default_file()) {
  announce_interop(model_);
  pacer_.settings().max_fps = model_.options().max_fps;
  pacer_.settings().training_fps = model_.options().training_fps;
  panel_.training_fps = model_.options().training_fps > 0 ? model_.options().training_fps : 10;
}

bool StudioApp::poll() {
  model_.poll();
  std::string signature = model_.redraw_signature();
  if (signature == signature_) return false;
  signature_ = std::move(signature);
  return true;
}

StudioApp::~StudioApp() { shutdown(); }

// The silhouette textures follow what the model shows (live or checkpoint).
void StudioApp::upload_preview_if_changed() {
  const PreviewData& p = model_.shown_preview();
  if (p.count() == 0) return;
  const std::string key = p.label() + "|" + p.checkpoint_path + "|" + std::to_string(model_.field_slice_axis());
  if (key == uploaded_key_) return;
  uploaded_key_ = key;
  panel_.textures.resize(static_cast<size_t>(p.count()) * 4);
  panel_.slice_textures.resize(p.field_slices.defined() ? static_cast<size_t>(p.count()) : 0);
  for (int i = 0; i < p.count(); ++i) {
    panel_.textures[i * 4 + 0].set(p.images[i]);
    panel_.textures[i * 4 + 1].set(p.gt_masks[i]);
    panel_.textures[i * 4 + 2].set(p.silhouettes[i]);
    panel_.textures[i * 4 + 3].set(silhouette_diff_image(p.silhouettes[i], p.gt_masks[i]));
    if (p.field_slices.defined()) panel_.slice_textures[i].set(field_slice_image(p.field_slices[i][model_.field_slice_axis()]));
  }
}

// The compared runs' silhouettes of the preview objects (compare_textures[run * count + object]).
void StudioApp::upload_compare_if_changed() {
  const auto& previews = model_.compare_previews();
  const std::string key = model_.compare_dir() + "|" + std::to_string(previews.size());
  if (key == panel_.compare_textures_key) return;
  panel_.compare_textures_key = key;
  panel_.compare_textures.clear();
  for (const auto& p : previews) {
    for (int i = 0; i < p.count(); ++i) {
      panel_.compare_textures.emplace_back();
      panel_.compare_textures.back().set(p.silhouettes[i]);
    }
  }
}

// One set of textures per gallery image with a result, replaced when its result changes.
void StudioApp::upload_gallery_if_changed() {
  const auto& images = model_.gallery().images();
  auto& textures = panel_.gallery_textures;
  textures.erase(std::remove_if(textures.begin(), textures.end(),
                                [&](const GalleryTextures& t) {
                                  return std::none_of(images.begin(), images.end(), [&](const GalleryImage& g) { return g.id == t.id; });
                                }),
                 textures.end());
  for (const GalleryImage& image : images) {
    if (!image.done || !image.result.error.empty()) continue;
    GalleryTextures* t = panel_.gallery_texture(image.id);
    if (!t) {
      textures.emplace_back();
      t = &textures.back();
      t->id = image.id;
    }
    if (t->generation == image.generation) continue;
    t->generation = image.generation;
    t->input.set(image.result.input.image);
    t->mask.set(image.result.input.mask);
    t->turntable.set(image.result.turntable);
  }
}

// The 3D view: the selected gallery image's prediction, or the selected preview object's.
void StudioApp::upload_viewport_if_changed() {
  if (model_.viewing_image()) {
    const GalleryImage& image = *model_.shown_image();
    const std::string key = "image|" + std::to_string(image.id) + "|" + std::to_string(image.generation);
    if (key == viewport_key_) return;
    viewport_key_ = key;
    const Prediction& prediction = image.result.prediction;
    panel_.viewport.clear();
    if (prediction.kind == PredictionKind::PointCloud) {
      panel_.viewport.set_cloud(prediction.vertices[0], prediction.colors_of(0));
      return;
    }
    const TriangleMesh mesh = prediction.mesh(0);
    panel_.viewport.set_mesh(mesh.vertices, prediction.colors_of(0), mesh.faces);
    return;
  }
  const PreviewData& p = model_.viewport_preview();
  if (p.count() == 0) {
    // Nothing on show (e.g. live before the first snapshot): no stale prediction under a "no preview" label.
    if (viewport_key_ != "none") panel_.viewport.clear();
    viewport_key_ = "none";
    return;
  }
  const int selected = std::clamp(model_.selected_object(), 0, p.count() - 1);
  const std::string key = "preview|" + p.label() + "|" + p.checkpoint_path + "|" + std::to_string(selected);
  if (key == viewport_key_) return;
  viewport_key_ = key;
  panel_.viewport.clear();
  if (p.prediction.kind == PredictionKind::PointCloud) {
    panel_.viewport.set_cloud(p.prediction.vertices[selected], p.prediction.colors_of(selected));
  } else {
    const TriangleMesh mesh = p.prediction.mesh(selected);
    panel_.viewport.set_mesh(mesh.vertices, p.prediction.colors_of(selected), mesh.faces);
  }
  panel_.viewport.set_points(p.gt_points.defined() && p.gt_points.size(0) > selected ? p.gt_points[selected] : at::Tensor());
}

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

nlohmann::json StudioApp::ui_state() const {
  nlohmann::json state = model_.state_json();
  const glm::mat4 view = panel_.viewport.view_matrix();
  nlohmann::json matrix = nlohmann::json::array();
  for (int c = 0; c < 4; ++c)
    for (int r = 0; r < 4; ++r) matrix.push_back(std::round(view[c][r] * 1e4) / 1e4);
  state["viewport"] = {{"view_matrix", matrix},
                       {"upload_path", panel_.viewport.upload_path()},
                       {"interop", interop_status()},
                       {"wireframe", panel_.viewport.wireframe},
                       {"gt_points", panel_.viewport.show_points},
                       {"has_mesh", panel_.viewport.has_mesh()},
                       {"has_cloud", panel_.viewport.has_cloud()},
                       {"cloud_point_size", panel_.viewport.cloud_point_size}};
  state["browser"] = {{"open", panel_.browser.is_open()}, {"path", panel_.browser.current()}, {"error", panel_.browser.error()}};
  state["loss_plot"] = {{"steps", panel_.loss_plot.size()}, {"hovered_step", panel_.loss_plot.hovered_step()}};
  state["field_errors"] = panel_.field_error;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  state["window"] = {{"width", std::lround(display.x)}, {"height", std::lround(display.y)}, {"compact", compact_layout(display.x, display.y)}};
  state["frames"] = {{"fps", std::lround(ImGui::GetIO().Framerate)},
                     {"worst_ms_last_second", std::lround(worst_frame_ms_)},
                     {"drawn_per_second", std::round(pacer_.fps() * 10) / 10},
                     {"draw_share", std::round(pacer_.draw_share() * 1000) / 1000}};
  return state;
}

void StudioApp::frame() {
  panel_.ui.begin_frame();
  track_frame_time(ImGui::GetIO().DeltaTime);
  panel_.draw_share = pacer_.draw_share();
  panel_.fps = pacer_.fps();
  pacer_.settings().training_fps = panel_.draw_less_while_training ? panel_.training_fps : 0;
  try {
    handle_shortcuts(model_, panel_);
    upload_preview_if_changed();
    upload_gallery_if_changed();
    upload_compare_if_changed();
    upload_viewport_if_changed();
  } catch (const std::exception& e) {
    model_.error(std::string("preview: ") + e.what());
  }

  draw_menu_bar(model_, panel_);
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float top = ImGui::GetFrameHeight();
  const float status_h = ImGui::GetFrameHeight() + 6;
  const float h = std::max(display.y - top - status_h, 100.f);
  const bool images = !model_.gallery().images().empty();

  // Each panel body is guarded separately so one failing panel never takes the others down.
  auto body = [&](const char* name, void (*draw)(StudioModel&, PanelState&)) {
    try {
      draw(model_, panel_);
    } catch (const std::exception& e) {
      model_.error(std::string(name) + " panel: " + e.what());
    }
  };
  auto panel = [&](const char* name, float x, float y, float w, float height, void (*draw)(StudioModel&, PanelState&)) {
    layout_window(name, x, y, w, height);
    body(name, draw);
    ImGui::End();
  };
  if (compact_layout(display.x, display.y)) {
    // Too small for side-by-side panels: one window, a tab per panel, so none is cut off or overlapped.
    layout_window("DIB-R Studio##compact", 0, top, display.x, h);
    if (ImGui::BeginTabBar("panels")) {
      const std::pair<const char*, void (*)(StudioModel&, PanelState&)> tabs[] = {
          {"3D view", draw_viewport_panel}, {"Silhouettes", draw_silhouette_panel}, {"Images", draw_images_panel},
          {"Training", draw_training_panel}, {"Loss curves", draw_loss_panel},      {"Checkpoints", draw_checkpoint_panel},
          {"Dataset", draw_dataset_panel},   {"Export", draw_export_panel}};
      for (const auto& [name, draw] : tabs) {
        if (!images && std::string(name) == "Images") continue;
        const bool open = ImGui::BeginTabItem(name);
        panel_.record(std::string("tab:") + name);
        if (open) {
          body(name, draw);
          ImGui::EndTabItem();
        }
      }
      ImGui::EndTabBar();
    }
    ImGui::End();
  } else {
    const float left_w = std::max(display.x * 0.30f, 380.f);
    const float rest = std::max(display.x - left_w, 200.f);
    const float mid_w = rest * 0.5f, right_w = rest - mid_w;
    panel("Dataset", 0, top, left_w, h * 0.30f, draw_dataset_panel);
    panel("Training", 0, top + h * 0.30f, left_w, h * 0.36f, draw_training_panel);
    panel("Export", 0, top + h * 0.66f, left_w, h * 0.34f, draw_export_panel);
    if (!images) {
      panel("Silhouettes", left_w, top, mid_w, h * 0.58f, draw_silhouette_panel);
      panel("Loss curves", left_w, top + h * 0.58f, mid_w, h * 0.42f, draw_loss_panel);
    } else {
      panel("Silhouettes", left_w, top, mid_w, h * 0.36f, draw_silhouette_panel);
      panel("Images", left_w, top + h * 0.36f, mid_w, h * 0.40f, draw_images_panel);
      panel("Loss curves", left_w, top + h * 0.76f, mid_w, h * 0.24f, draw_loss_panel);
    }
    panel("3D view", left_w + mid_w, top, right_w, h * 0.68f, draw_viewport_panel);
    panel("Checkpoints", left_w + mid_w, top + h * 0.68f, right_w, h * 0.32f, draw_checkpoint_panel);
  }

  ImGui::SetNextWindowPos(ImVec2(0, display.y - status_h), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(display.x, status_h), ImGuiCond_Always);
  ImGui::Begin("##status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  draw_status_bar(model_, panel_);
  ImGui::End();

  draw_help_window(panel_);
  draw_messages_window(model_, panel_);
  std::string chosen;
  const BrowseFor purpose = panel_.browser.purpose();
  const char* title = purpose == BrowseFor::Image        ? "Open an image"
                      : purpose == BrowseFor::RunFolder  ? "Open a run folder"
                      : purpose == BrowseFor::OverlayRun ? "Overlay a run's loss curve"
                      : purpose == BrowseFor::CompareRun ? "Add a run to compare"
                                                         : "Choose a dataset folder";
  if (panel_.browser.draw(title, &chosen, panel_.ui)) {
    if (purpose == BrowseFor::Image) model_.open_images({chosen});
    else if (purpose == BrowseFor::RunFolder) model_.open_run(chosen);
    else if (purpose == BrowseFor::OverlayRun) overlay_run(chosen);
    else if (purpose == BrowseFor::CompareRun) {
      model_.add_compare_run(chosen);
      overlay_run(chosen);  // its loss curves under this run's
    }
    else model_.open_dataset(chosen);
  }

  const std::string& ui_map = model_.options().ui_map;
  if (!ui_map.empty() && !ui_map_failed_ && panel_.ui.due()) {
    try {
      panel_.ui.set_state(ui_state());
      panel_.ui.write_if_changed(ui_map);
    } catch (const std::exception& e) {
      model_.error(std::string(e.what()) + " (--ui-map is off from now on)");
      ui_map_failed_ = true;
    }
  }
}

void StudioApp::overlay_run(const std::string& run_dir) {
  const fs::path metrics = fs::path(run_dir) / "metrics.csv";
  std::error_code ec;
  if (!fs::is_regular_file(metrics, ec)) {
    model_.error("overlay: '" + run_dir + "' has no metrics.csv (choose a run folder)");
    return;
  }
  std::vector<std::string> term_names;
  const auto records = MetricsLog::read(metrics.string(), &term_names);
  if (records.empty()) {
    model_.error("overlay: " + metrics.string() + " holds no rows");
    return;
  }
  panel_.loss_plot.add_overlay(run_label(run_method(run_dir), run_dir), records, term_names);
  model_.info("overlay: " + std::to_string(records.size()) + " steps of " + metrics.string());
}

void StudioApp::save_plot_png(int fb_w, int fb_h) {
  const std::string path = std::exchange(panel_.plot_png_request, std::string());
  try {
    const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
    const UiRect& r = panel_.plot_rect;
    save_framebuffer_region_png(path, fb_w, fb_h, static_cast<int>(r.x * scale.x), static_cast<int>(r.y * scale.y),
                                static_cast<int>(r.w * scale.x), static_cast<int>(r.h * scale.y));
    model_.info("loss curves saved as " + path);
  } catch (const std::exception& e) {
    model_.error(std::string("loss curves PNG: ") + e.what());
  }
}

void StudioApp::after_render(int fb_w, int fb_h) {
  if (!panel_.plot_png_request.empty()) save_plot_png(fb_w, fb_h);
  if (!model_.take_screenshot_request()) return;
  try {
    const std::string& dir_option = model_.options().screenshot_dir;
    const fs::path dir = dir_option.empty() ? fs::path(model_.out_dir()) / "screenshots" : fs::path(dir_option);
    fs::create_directories(dir);
    const std::string path = unique_path((dir / ("studio_" + timestamp() + ".png")).string());
    // Regions first: whoever waits for the PNG finds its description complete.
    const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
    const nlohmann::json regions = panel_.ui.to_json(scale.x, scale.y)["regions"];
    const std::string regions_path = path.substr(0, path.size() - 4) + ".regions.json";
    {
      std::ofstream out(regions_path);
      out << nlohmann::json{{"width", fb_w}, {"height", fb_h}, {"view", model_.shown_preview().label()}, {"regions", regions}}.dump(2)
          << "\n";
      if (!out) throw std::runtime_error("cannot write '" + regions_path + "'");
    }
    // Written under a temporary name and renamed, so a watcher never sees half a PNG.
    const std::string partial = path.substr(0, path.size() - 4) + ".partial.png";
    save_framebuffer_png(partial, fb_w, fb_h);
    fs::rename(partial, path);
    model_.info("screenshot saved as " + path);
  } catch (const std::exception& e) {
    model_.error(std::string("screenshot: ") + e.what());
  }
}

}  // namespace dibr::studio
