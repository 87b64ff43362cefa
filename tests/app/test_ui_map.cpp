#include <gtest/gtest.h>
#include <imgui.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/ui_map.h"

namespace fs = std::filesystem;
using dibr::studio::UiMap;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// One ImGui frame without a GL context: enough for item rectangles.
class ImGuiFrame {
 public:
  ImGuiFrame() {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(800, 600);
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    ImGui::NewFrame();
  }
  ~ImGuiFrame() {
    ImGui::EndFrame();
    ImGui::DestroyContext();
  }
};

}  // namespace

TEST(UiMap, RecordsTheLastItemInWindowCoordinatesAndScalesForScreenshots) {
  ImGuiFrame frame;
  UiMap ui;
  ImGui::SetNextWindowPos(ImVec2(100, 50));
  ImGui::Begin("panel");
  ImGui::Button("Start", ImVec2(80, 20));
  ui.record_last_item("training.start");
  ImGui::End();
  EXPECT_TRUE(ui.rects().empty()) << "recorded in the window's first frame, where it may still move";
  ImGui::EndFrame();
  ImGui::NewFrame();
  ImGui::SetNextWindowPos(ImVec2(100, 50));
  ImGui::Begin("panel");
  ImGui::Button("Start", ImVec2(80, 20));
  ui.record_last_item("training.start");
  ImGui::End();

  ASSERT_EQ(ui.rects().count("training.start"), 1u);
  const auto r = ui.rects().at("training.start");
  EXPECT_GT(r.x, 100);
  EXPECT_GT(r.y, 50);
  EXPECT_FLOAT_EQ(r.w, 80);
  EXPECT_FLOAT_EQ(r.h, 20);
  const nlohmann::json scaled = ui.to_json(2, 2)["regions"]["training.start"];
  EXPECT_FLOAT_EQ(scaled[0].get<float>(), r.x * 2);
  EXPECT_FLOAT_EQ(scaled[3].get<float>(), 40);

  ui.begin_frame();
  EXPECT_TRUE(ui.rects().empty());
}

TEST(UiMap, WritesOnlyWhenChangedAndNeverLeavesAPartialFile) {
  const fs::path dir = fs::temp_directory_path() / ("dibr_ui_map_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path path = dir / "map.json";
  UiMap ui;
  ui.set_state({{"title", "one"}});
  ui.write_if_changed(path.string(), std::chrono::milliseconds(0));
  EXPECT_EQ(nlohmann::json::parse(read_file(path))["state"]["title"], "one");
  EXPECT_FALSE(fs::exists(dir / "map.json.partial"));

  // Unchanged content: the file is not rewritten (its time stays).
  const auto written_at = fs::last_write_time(path);
  fs::last_write_time(path, written_at - std::chrono::hours(1));
  ui.write_if_changed(path.string(), std::chrono::milliseconds(0));
  EXPECT_EQ(fs::last_write_time(path), written_at - std::chrono::hours(1));

  // Changed, but inside the minimum interval: not yet.
  EXPECT_FALSE(ui.due(std::chrono::hours(1)));
  EXPECT_TRUE(ui.due(std::chrono::milliseconds(0)));
  ui.set_state({{"title", "two"}});
  ui.write_if_changed(path.string(), std::chrono::hours(1));
  EXPECT_EQ(nlohmann::json::parse(read_file(path))["state"]["title"], "one");
  ui.write_if_changed(path.string(), std::chrono::milliseconds(0));
  EXPECT_EQ(nlohmann::json::parse(read_file(path))["state"]["title"], "two");

  ui.set_state({{"title", "three"}});
  EXPECT_THROW(ui.write_if_changed((dir / "missing" / "map.json").string(), std::chrono::milliseconds(0)), std::runtime_error);
  fs::remove_all(dir);
}
