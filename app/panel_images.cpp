// Images panel: users' own pictures reconstructed with the model on show. A gallery of thumbnails, and for the
// selected one its network input, the mask used, the turntable and the threshold that re-runs the mask.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "app/panels.h"

namespace fs = std::filesystem;

namespace dibr::studio {
namespace {

const ImVec4 kError(1, 0.4f, 0.4f, 1);

void draw_model_line(const StudioModel& model) {
  const ImageGallery& g = model.gallery();
  if (g.model().checkpoint.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 0.8f, 0.3f, 1));
    ImGui::TextWrapped("waiting for a model: %s", g.model().why_none.c_str());
    ImGui::PopStyleColor();
    return;
  }
  ImGui::Text("model: step %lld (%s)", static_cast<long long>(g.model().step),
              model.showing_checkpoint() ? "the checkpoint shown" : "newest checkpoint of the run");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", g.model().checkpoint.c_str());
  if (g.busy()) {
    ImGui::SameLine();
    const float f = g.progress();
    ImGui::ProgressBar(f < 0 ? 0.f : f, ImVec2(-1, 0), "reconstructing...");
  }
}

}  // namespace

void draw_images_panel(StudioModel& model, PanelState& panel) {
  const ImageGallery& g = model.gallery();
  draw_model_line(model);

  float threshold = static_cast<float>(g.threshold());
  ImGui::SetNextItemWidth(std::max(100.f, ImGui::GetContentRegionAvail().x * 0.35f));
  if (ImGui::SliderFloat("background threshold", &threshold, static_cast<float>(ImageGallery::kMinThreshold),
                         static_cast<float>(ImageGallery::kMaxThreshold), "%.3f"))
    model.set_image_threshold(threshold);
  panel.record("images.threshold");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("pictures without an alpha channel: a pixel is object when its colour differs from the border's "
                      "by more than this (max over R, G, B); the mask is re-run as you drag");
  ImGui::SameLine();
  if (ImGui::Button("Open image...")) panel.browser.open(std::string(), BrowseFor::Image);
  panel.record("images.open");
  ImGui::SameLine();
  const bool can_export = model.shown_image() != nullptr;
  ImGui::BeginDisabled(!can_export);
  if (ImGui::Button("Export")) {
    model.select_image(g.selected());
    model.export_shown();
  }
  ImGui::EndDisabled();
  panel.record("images.export");
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
    ImGui::SetTooltip(can_export ? "the selected picture's prediction, to the Export panel's path or <out>/exports"
                                 : "no prediction for the selected picture yet");
  ImGui::SameLine();
  if (reasoned_button(model, panel, "images.remove", "Remove")) model.remove_image(g.selected());
  ImGui::SameLine();
  if (reasoned_button(model, panel, "images.clear", "Clear")) model.clear_images();

  // Gallery: one thumbnail per picture (its network input once reconstructed).
  const float thumb = 40;
  const auto& images = g.images();
  for (int i = 0; i < static_cast<int>(images.size()); ++i) {
    const GalleryImage& image = images[i];
    if (i > 0 && ImGui::GetContentRegionAvail().x > thumb + 8) ImGui::SameLine();
    ImGui::PushID(image.id);
    const GalleryTextures* t = panel.gallery_texture(image.id);
    const bool selected = i == g.selected();
    bool clicked;
    if (t && !t->input.empty() && !image.failed()) {
      clicked = ImGui::ImageButton(t->input.id(), ImVec2(thumb, thumb), ImVec2(0, 0), ImVec2(1, 1), selected ? 2 : 0,
                                   ImVec4(0, 0, 0, 1), ImVec4(1, 1, 1, 1));
    } else {
      if (image.failed()) ImGui::PushStyleColor(ImGuiCol_Text, kError);
      clicked = ImGui::Button(image.failed() ? "failed" : "...", ImVec2(thumb + 4, thumb + 4));
      if (image.failed()) ImGui::PopStyleColor();
    }
    ImGui::PopID();
    panel.record("images.item:" + image.name);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s (click: show in the 3D view)", image.path.c_str());
    if (clicked) model.select_image(i);
  }

  const GalleryImage* shown = g.selected_image();
  if (!shown) return;
  ImGui::Separator();
  ImGui::Text("%s", fs::path(shown->path).filename().string().c_str());
  if (!shown->done) {
    ImGui::SameLine();
    ImGui::TextDisabled("waiting to be reconstructed");
    return;
  }
  if (shown->failed()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kError);
    ImGui::TextWrapped("%s", shown->result.error.c_str());
    ImGui::PopStyleColor();
    panel.record("images.error");
    return;
  }
  ImGui::SameLine();
  ImGui::TextDisabled("step %lld | mask: %s", static_cast<long long>(shown->model_step), shown->result.mask_source.c_str());
  const GalleryTextures* t = panel.gallery_texture(shown->id);
  if (!t || t->input.empty()) return;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float label_h = ImGui::GetTextLineHeightWithSpacing();
  const float cell = std::max(24.f, std::min((avail.x - ImGui::GetStyle().ItemSpacing.x) / 2.f, (avail.y - 2 * label_h) * 0.6f));
  ImGui::BeginGroup();
  ImGui::TextUnformatted("network input");
  ImGui::Image(t->input.id(), ImVec2(cell, cell));
  ImGui::EndGroup();
  panel.record("images.input");
  ImGui::SameLine();
  ImGui::BeginGroup();
  ImGui::TextUnformatted("mask used");
  ImGui::Image(t->mask.id(), ImVec2(cell, cell));
  ImGui::EndGroup();
  panel.record("images.mask");
  if (t->turntable.width() > 0) {
    const float w = ImGui::GetContentRegionAvail().x;
    const float h = w * t->turntable.height() / static_cast<float>(t->turntable.width());
    ImGui::Image(t->turntable.id(), ImVec2(w, h));
    panel.record("images.turntable");
  }
}

}  // namespace dibr::studio
