#include "app/studio_app.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <utility>

#include "app/distance_colors.h"
#include "app/screenshot.h"
#include "app/studio_export.h"
#include "app/unavailable_controls.h"
#include "cuda_interop/gl_buffer_interop.h"
#include "render/mesh_ops.h"
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

StudioApp::StudioApp(StudioOptions options, const StudioSettings& remembered, std::string settings_file,
                     const std::string& settings_warning, float content_scale)
    : model_(std::move(options), RecentFolders::default_file()),
      settings_file_(std::move(settings_file)),
      saved_settings_(remembered),
      content_scale_(content_scale > 0 ? content_scale : 1) {
  announce_interop(model_);
  if (!settings_warning.empty()) model_.error(settings_warning);
  pacer_.settings().max_fps = model_.options().max_fps;
  pacer_.settings().training_fps = model_.options().training_fps;
  panel_.training_fps = model_.options().training_fps > 0 ? model_.options().training_fps : 10;
  panel_.splits = remembered.splits;
  panel_.maximise_viewport = remembered.maximise_viewport;
  panel_.ui_scale = remembered.ui_scale;
  panel_.viewport.wireframe = remembered.wireframe;
  panel_.viewport.show_points = remembered.gt_points;
  panel_.viewport.show_grid = remembered.grid;
  panel_.viewport.show_axes = remembered.axes;
  panel_.viewport.cloud_point_size = remembered.cloud_point_size;
  panel_.draw_less_while_training = remembered.draw_less_while_training;
  panel_.browser.set_last_folder(remembered.last_folder);
}

void StudioApp::shutdown() {
  save_settings_if_changed(true);
  model_.shutdown();
}

// The View menu's choice, else --ui-scale, else the monitor's content scale.
float StudioApp::wanted_ui_scale() const {
  const float scale = panel_.ui_scale > 0 ? panel_.ui_scale : model_.options().ui_scale > 0 ? model_.options().ui_scale : content_scale_;
  return std::clamp(scale, kMinimumUiScale, kMaximumUiScale);
}

void StudioApp::before_frame() {
  const float scale = wanted_ui_scale();
  if (scale == applied_scale_) return;
  applied_scale_ = scale;
  // From the unscaled style each time: ScaleAllSizes multiplies what is there.
  ImGuiStyle style;
  ImGui::StyleColorsDark(&style);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
  ImGui::GetIO().FontGlobalScale = scale;
}

StudioSettings StudioApp::current_settings() const {
  StudioSettings s = saved_settings_;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  if (display.x >= kMinimumWindowWidth && display.y >= kMinimumWindowHeight) {
    s.window_width = static_cast<int>(std::lround(display.x));
    s.window_height = static_cast<int>(std::lround(display.y));
  }
  s.ui_scale = panel_.ui_scale;
  s.splits = panel_.splits;
  s.maximise_viewport = panel_.maximise_viewport;
  s.wireframe = panel_.viewport.wireframe;
  s.gt_points = panel_.viewport.show_points;
  s.grid = panel_.viewport.show_grid;
  s.axes = panel_.viewport.show_axes;
  s.cloud_point_size = panel_.viewport.cloud_point_size;
  s.draw_less_while_training = panel_.draw_less_while_training;
  s.last_folder = panel_.browser.last_folder();
  return s;
}

// Compared at most once a second (and never in the middle of a splitter drag); written when different.
void StudioApp::save_settings_if_changed(bool now) {
  if (settings_file_.empty() || settings_failed_ || !ImGui::GetCurrentContext()) return;
  const double t = ImGui::GetTime();
  if (!now && (t - settings_checked_ < 1.0 || splitter_drag_.dragging())) return;
  settings_checked_ = t;
  StudioSettings current = current_settings();
  if (current == saved_settings_) return;
  try {
    save_settings(current, settings_file_);
    saved_settings_ = std::move(current);
  } catch (const std::exception& e) {
    settings_failed_ = true;  // said once, not every second
    model_.error(std::string(e.what()) + " (the window's settings are not remembered this time)");
  }
}

bool StudioApp::poll() {
  model_.poll();
  save_settings_if_changed(false);  // also when no frame is drawn after a change
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
    panel_.viewport.clear_input_camera();
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
  const std::string key = "preview|" + p.label() + "|" + p.checkpoint_path + "|" + std::to_string(selected) + "|" +
                          (panel_.distance_colors ? std::to_string(panel_.distance_scale) : "colours") +
                          (panel_.input_camera ? "|input" : "|orbit");
  if (key == viewport_key_) return;
  viewport_key_ = key;
  panel_.viewport.clear();
  panel_.distance_summary.clear();
  const at::Tensor gt = p.gt_points.defined() && p.gt_points.size(0) > selected ? p.gt_points[selected] : at::Tensor();
  const bool cloud = p.prediction.kind == PredictionKind::PointCloud;
  const TriangleMesh mesh = cloud ? TriangleMesh{} : p.prediction.mesh(selected);
  const at::Tensor points = cloud ? p.prediction.vertices[selected] : mesh.vertices;
  at::Tensor colors = p.prediction.colors_of(selected), gt_colors;
  if (panel_.distance_colors && gt.defined()) {
    // The GT points measure their distance to the surface, not to the mesh's few vertices.
    constexpr int64_t kSurfacePoints = 10000;
    const at::Tensor surface = cloud ? points : sample_surface_points(mesh.vertices, mesh.faces, kSurfacePoints, 0);
    const DistanceColoring d = color_by_distance(points, surface, gt, panel_.distance_scale);
    colors = d.prediction_colors;
    gt_colors = d.gt_colors;
    char text[96];
    std::snprintf(text, sizeof text, "prediction -> GT %.4f, GT -> prediction %.4f (means)", d.prediction_to_gt, d.gt_to_prediction);
    panel_.distance_summary = text;
  }
  if (cloud) panel_.viewport.set_cloud(points, colors);
  else panel_.viewport.set_mesh(mesh.vertices, colors, mesh.faces);
  panel_.viewport.set_points(gt, gt_colors);
  panel_.viewport.clear_input_camera();
  if (panel_.input_camera) {
    const std::optional<ViewData> input = model_.input_view(selected);
    if (!input) throw std::runtime_error("the input camera of " + p.preview_ids[selected] + " is not in the dataset in use");
    panel_.viewport.set_input_camera(input->world_mat, input->camera_mat[0][0].item<float>(), p.images[selected]);
  }
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
                       {"cloud_point_size", panel_.viewport.cloud_point_size},
                       {"input_camera", panel_.viewport.using_input_camera()},
                       {"grid", panel_.viewport.show_grid},
                       {"axes", panel_.viewport.show_axes},
                       {"distance_colors", panel_.distance_colors},
                       {"distance_scale", panel_.distance_scale},
                       {"distance_summary", panel_.distance_summary}};
  nlohmann::json marks = nlohmann::json::object();
  const auto& entries = panel_.browser.entries();
  for (size_t i = 0; i < entries.size(); ++i)
    if (!panel_.browser.entry_kinds()[i].empty()) marks[entries[i]] = panel_.browser.entry_kinds()[i];
  state["browser"] = {{"open", panel_.browser.is_open()},      {"path", panel_.browser.current()},
                      {"error", panel_.browser.error()},       {"highlighted", panel_.browser.highlighted()},
                      {"last_folder", panel_.browser.last_folder()}, {"marks", marks},
                      {"saving", panel_.browser.saving()},       {"save_target", panel_.browser.is_open() && panel_.browser.saving() ? panel_.browser.save_target() : std::string()}};
  state["unavailable"] = unavailable_json(model_);
  state["loss_plot"] = {{"steps", panel_.loss_plot.size()}, {"hovered_step", panel_.loss_plot.hovered_step()}};
  state["field_errors"] = panel_.field_error;
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  state["window"] = {{"width", std::lround(display.x)},
                     {"height", std::lround(display.y)},
                     {"compact", compact_layout(display.x, display.y, applied_scale_)},
                     {"ui_scale", applied_scale_}};
  const StudioSettings settings = current_settings();
  nlohmann::json layout = settings_to_json(settings)["layout"];
  layout["hovered_splitter"] = hovered_splitter_;
  layout["dragging"] = splitter_drag_.dragging();
  state["layout"] = layout;
  state["settings"] = {{"file", settings_file_}, {"saved", saved_settings_ == settings}};
  state["help"] = {{"shortcuts", panel_.show_help}, {"about", panel_.show_about}};
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
  const float status_h = ImGui::GetFrameHeight() + 6 * applied_scale_;
  draw_panels(top, std::max(display.y - top - status_h, 100.f));

  ImGui::SetNextWindowPos(ImVec2(0, display.y - status_h), ImGuiCond_Always);
  ImGui::SetNextWindowSize(ImVec2(display.x, status_h), ImGuiCond_Always);
  ImGui::Begin("##status", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  draw_status_bar(model_, panel_);
  ImGui::End();

  draw_help_window(panel_);
  draw_about_window(panel_);
  draw_messages_window(model_, panel_);
  std::string chosen;
  const BrowseFor purpose = panel_.browser.purpose();
  const char* title = purpose == BrowseFor::Image        ? "Open an image"
                      : purpose == BrowseFor::RunFolder  ? "Open a run folder"
                      : purpose == BrowseFor::OverlayRun ? "Overlay a run's loss curve"
                      : purpose == BrowseFor::CompareRun ? "Add a run to compare"
                      : purpose == BrowseFor::SaveExport ? "Save the 3D view's prediction"
                                                         : "Choose a dataset folder";
  if (panel_.browser.draw(title, &chosen, panel_.ui)) {
    if (purpose == BrowseFor::SaveExport) {
      model_.export_path() = chosen;  // the Export field keeps it, as if typed
      model_.export_shown();
    } else if (purpose == BrowseFor::Image) model_.open_images({chosen});
    else if (purpose == BrowseFor::RunFolder) model_.open_run(chosen);
    else if (purpose == BrowseFor::OverlayRun) overlay_run(chosen);
    else if (purpose == BrowseFor::CompareRun) {
      model_.add_compare_run(chosen);
      overlay_run(chosen);  // its loss curves under this run's
    }
    else model_.open_dataset(chosen);
  }

  save_settings_if_changed(false);
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

void StudioApp::draw_panels(float top, float h) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const bool images = !model_.gallery().images().empty();
  // Each panel body is guarded separately so one failing panel never takes the others down.
  auto body = [&](const std::string& name, void (*draw)(StudioModel&, PanelState&)) {
    try {
      draw(model_, panel_);
    } catch (const std::exception& e) {
      model_.error(name + " panel: " + e.what());
    }
  };
  const std::pair<const char*, void (*)(StudioModel&, PanelState&)> panels[] = {
      {"3D view", draw_viewport_panel}, {"Silhouettes", draw_silhouette_panel}, {"Images", draw_images_panel},
      {"Training", draw_training_panel}, {"Loss curves", draw_loss_panel},      {"Checkpoints", draw_checkpoint_panel},
      {"Dataset", draw_dataset_panel},   {"Export", draw_export_panel}};
  if (compact_layout(display.x, display.y, applied_scale_)) {
    // Too small for side-by-side panels: one window, a tab per panel, so none is cut off or overlapped.
    hovered_splitter_.clear();
    layout_window("DIB-R Studio##compact", 0, top, display.x, h);
    if (ImGui::BeginTabBar("panels")) {
      for (const auto& [name, draw] : panels) {
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
    return;
  }
  LayoutArea area;
  area.y = top;
  area.width = display.x;
  area.height = h;
  area.ui_scale = applied_scale_;
  area.images = images;
  area.maximise_viewport = panel_.maximise_viewport;
  const StudioLayout layout = compute_layout(panel_.splits, area);
  for (const PanelRect& rect : layout.panels) {
    for (const auto& [name, draw] : panels) {
      if (rect.name != name) continue;
      layout_window(name, rect.x, rect.y, rect.w, rect.h);
      body(name, draw);
      ImGui::End();
      panel_.ui.record("panel:" + rect.name, {rect.x, rect.y, rect.w, rect.h});
    }
  }
  drag_splitters(layout);
}

// The gaps between panels move their boundaries (drag) or reset their stack (double click).
void StudioApp::drag_splitters(const StudioLayout& layout) {
  const ImGuiIO& io = ImGui::GetIO();
  SplitterDrag::Mouse mouse;
  mouse.x = io.MousePos.x;
  mouse.y = io.MousePos.y;
  mouse.down = io.MouseDown[0];
  mouse.double_clicked = io.MouseDoubleClicked[0];
  mouse.over_window = io.WantCaptureMouse || ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopup);
  hovered_splitter_ = splitter_drag_.update(layout, panel_.splits, mouse, applied_scale_);
  if (splitter_drag_.take_finished()) save_settings_if_changed(true);
  for (const SplitterRect& s : layout.splitters) {
    panel_.ui.record("splitter:" + s.name(), {s.x, s.y, s.w, s.h});
    if (s.name() != hovered_splitter_) continue;
    ImGui::SetMouseCursor(s.along_x ? ImGuiMouseCursor_ResizeEW : ImGuiMouseCursor_ResizeNS);
    ImGui::GetForegroundDrawList()->AddRectFilled(ImVec2(s.x, s.y), ImVec2(s.x + s.w, s.y + s.h),
                                                  splitter_drag_.dragging() ? IM_COL32(90, 160, 255, 200) : IM_COL32(90, 160, 255, 110));
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
