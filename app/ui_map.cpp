#include "app/ui_map.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace dibr::studio {

void UiMap::record_last_item(const std::string& name) {
  // In its first frame a window (a popup, the folder browser) is not yet where it will be drawn.
  if (ImGui::IsWindowAppearing()) return;
  // Only the part a user can see and click: an item cut off by its window's (or table's) edge is recorded as clipped,
  // and one scrolled out of sight not at all.
  const ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 clip_min = draw->GetClipRectMin(), clip_max = draw->GetClipRectMax();
  const ImVec2 a(std::max(ImGui::GetItemRectMin().x, clip_min.x), std::max(ImGui::GetItemRectMin().y, clip_min.y));
  const ImVec2 b(std::min(ImGui::GetItemRectMax().x, clip_max.x), std::min(ImGui::GetItemRectMax().y, clip_max.y));
  if (b.x <= a.x || b.y <= a.y) {
    rects_.erase(name);
    return;
  }
  rects_[name] = UiRect{a.x, a.y, b.x - a.x, b.y - a.y};
}

nlohmann::json UiMap::to_json(float scale_x, float scale_y) const {
  nlohmann::json regions = nlohmann::json::object();
  for (const auto& [name, r] : rects_) regions[name] = {r.x * scale_x, r.y * scale_y, r.w * scale_x, r.h * scale_y};
  return {{"regions", regions}, {"state", state_}};
}

bool UiMap::due(std::chrono::milliseconds min_interval) const {
  return std::chrono::steady_clock::now() - last_check_ >= min_interval;
}

void UiMap::write_if_changed(const std::string& path, std::chrono::milliseconds min_interval) {
  if (!due(min_interval)) return;
  last_check_ = std::chrono::steady_clock::now();
  std::string text = to_json().dump(2);
  text += "\n";
  if (text == written_) return;
  const std::string partial = path + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write the UI map '" + partial + "'");
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename '" + partial + "' to '" + path + "'");
  written_ = std::move(text);
}

}  // namespace dibr::studio
