#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/folder_browser.h"
#include "app/studio_about.h"
#include "app/studio_layout.h"
#include "app/studio_settings.h"

namespace fs = std::filesystem;
using namespace dibr::studio;

namespace {

LayoutArea area(float w, float h, float scale = 1) {
  LayoutArea a;
  a.y = 20;
  a.width = w;
  a.height = h;
  a.ui_scale = scale;
  return a;
}

const SplitterRect& splitter(const StudioLayout& layout, const std::string& name) {
  for (const auto& s : layout.splitters)
    if (s.name() == name) return s;
  throw std::runtime_error("no splitter " + name);
}

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("dibr_app_layout_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(StudioLayout, PanelsTileTheAreaWithGapsAndNoOverlap) {
  for (const bool images : {false, true}) {
    LayoutArea a = area(1600, 900);
    a.images = images;
    const StudioLayout layout = compute_layout(LayoutSplits(), a);
    ASSERT_EQ(layout.panels.size(), images ? 8u : 7u);
    ASSERT_EQ(layout.splitters.size(), images ? 7u : 6u);
    float covered = 0;
    for (const auto& p : layout.panels) {
      EXPECT_GE(p.x, 0);
      EXPECT_GE(p.y, 20);
      EXPECT_LE(p.x + p.w, 1600.01f) << p.name;
      EXPECT_LE(p.y + p.h, 920.01f) << p.name;
      covered += p.w * p.h;
      for (const auto& q : layout.panels) {
        if (&p == &q) continue;
        const bool apart = p.x + p.w <= q.x || q.x + q.w <= p.x || p.y + p.h <= q.y || q.y + q.h <= p.y;
        EXPECT_TRUE(apart) << p.name << " overlaps " << q.name;
      }
    }
    for (const auto& s : layout.splitters) covered += s.w * s.h;
    // Panels and gaps cover everything but the crossings of the gaps.
    EXPECT_NEAR(covered, 1600.f * 900.f, 6 * 6 * 8);
  }
  const StudioLayout layout = compute_layout(LayoutSplits(), area(1600, 900));
  EXPECT_NEAR(layout.panel("Dataset")->w, 0.30f * (1600 - 12), 0.01f);
  EXPECT_EQ(layout.panel("Images"), nullptr);
}

TEST(StudioLayout, DraggingASplitterMovesOnlyItsNeighboursAndStopsAtTheirMinimum) {
  LayoutSplits splits;
  const LayoutArea a = area(1600, 900);
  StudioLayout before = compute_layout(splits, a);
  drag_splitter(splits, splitter(before, "columns:0"), 100, 1);
  StudioLayout after = compute_layout(splits, a);
  EXPECT_NEAR(after.panel("Dataset")->w, before.panel("Dataset")->w + 100, 0.01f);
  EXPECT_NEAR(after.panel("Silhouettes")->w, before.panel("Silhouettes")->w - 100, 0.01f);
  EXPECT_NEAR(after.panel("3D view")->w, before.panel("3D view")->w, 0.01f) << "the right column is not a neighbour";

  drag_splitter(splits, splitter(after, "columns:0"), 5000, 1);
  after = compute_layout(splits, a);
  EXPECT_NEAR(after.panel("Silhouettes")->w, kMinimumColumn, 0.01f);
  drag_splitter(splits, splitter(after, "columns:0"), -5000, 1);
  after = compute_layout(splits, a);
  EXPECT_NEAR(after.panel("Dataset")->w, kMinimumLeftColumn, 0.01f);

  LayoutSplits vertical;
  before = compute_layout(vertical, a);
  drag_splitter(vertical, splitter(before, "left:1"), -50, 1);
  after = compute_layout(vertical, a);
  EXPECT_NEAR(after.panel("Training")->h, before.panel("Training")->h - 50, 0.01f);
  EXPECT_NEAR(after.panel("Export")->h, before.panel("Export")->h + 50, 0.01f);
  EXPECT_NEAR(after.panel("Dataset")->h, before.panel("Dataset")->h, 0.01f);
  EXPECT_NEAR(after.panel("Export")->y, before.panel("Export")->y - 50, 0.01f);
}

TEST(StudioLayout, MaximisedViewportFillsTheAreaAndScaleGrowsTheMinimums) {
  LayoutArea a = area(1000, 600);
  a.maximise_viewport = true;
  const StudioLayout max = compute_layout(LayoutSplits(), a);
  ASSERT_EQ(max.panels.size(), 1u);
  EXPECT_EQ(max.panels[0].name, "3D view");
  EXPECT_EQ(max.panels[0].w, 1000);
  EXPECT_TRUE(max.splitters.empty());

  LayoutSplits narrow;
  narrow.columns = {0.05f, 0.05f};  // asks for less than the minimums
  const StudioLayout scaled = compute_layout(narrow, area(2000, 1200, 2));
  EXPECT_NEAR(scaled.panel("Dataset")->w, 2 * kMinimumLeftColumn, 0.01f);
  EXPECT_NEAR(scaled.panel("Silhouettes")->w, 2 * kMinimumColumn, 0.01f);
  EXPECT_NEAR(splitter(scaled, "columns:0").w, 2 * kSplitterGap, 0.01f);
  EXPECT_EQ(narrow.columns, (std::vector<float>{0.05f, 0.05f})) << "clamping must not change the stored splits";
}

TEST(StudioLayout, SplitterDragFollowsTheMouseFromPressToReleaseAndDoubleClickResets) {
  LayoutSplits splits;
  const LayoutArea a = area(1600, 900);
  const StudioLayout layout = compute_layout(splits, a);
  const SplitterRect& gap = splitter(layout, "right:0");
  SplitterDrag drag;
  SplitterDrag::Mouse m;
  m.x = gap.x + 100;
  m.y = gap.y + 2;
  EXPECT_EQ(drag.update(layout, splits, m, 1), "right:0") << "hovered";
  m.down = true;
  m.over_window = false;
  drag.update(layout, splits, m, 1);
  EXPECT_TRUE(drag.dragging());
  m.y += 40;
  m.over_window = true;  // over a panel now: the drag goes on
  EXPECT_EQ(drag.update(layout, splits, m, 1), "right:0");
  m.y += 40;
  drag.update(layout, splits, m, 1);
  EXPECT_NEAR(compute_layout(splits, a).panel("3D view")->h, layout.panel("3D view")->h + 80, 0.01f);
  EXPECT_FALSE(drag.take_finished());
  m.down = false;
  drag.update(layout, splits, m, 1);
  EXPECT_FALSE(drag.dragging());
  EXPECT_TRUE(drag.take_finished());
  EXPECT_FALSE(drag.take_finished());

  // A press over a window is the window's, not a drag.
  const StudioLayout moved = compute_layout(splits, a);
  const SplitterRect& column = splitter(moved, "columns:1");
  m.x = column.x + 1;
  m.y = column.y + 300;
  m.down = true;
  m.over_window = true;
  EXPECT_EQ(drag.update(moved, splits, m, 1), "");
  EXPECT_FALSE(drag.dragging());
  m.down = false;
  m.over_window = false;
  drag.update(moved, splits, m, 1);

  m.x = splitter(moved, "right:0").x + 10;
  m.y = splitter(moved, "right:0").y + 1;
  m.double_clicked = true;
  m.down = true;
  drag.update(moved, splits, m, 1);
  EXPECT_EQ(splits.right, LayoutSplits().right) << "a double click puts the stack back";
}

TEST(StudioSettings, RoundTripsAndIgnoresUnusableValuesByName) {
  StudioSettings s;
  s.window_width = 1111;
  s.window_height = 777;
  s.ui_scale = 1.5f;
  s.splits.columns = {0.4f, 0.3f};
  s.maximise_viewport = true;
  s.wireframe = true;
  s.gt_points = false;
  s.grid = false;
  s.cloud_point_size = 7;
  s.draw_less_while_training = false;
  s.last_folder = "/data/nmr";
  std::vector<std::string> ignored;
  EXPECT_EQ(settings_from_json(settings_to_json(s), &ignored), s);
  EXPECT_TRUE(ignored.empty());

  nlohmann::json j = settings_to_json(s);
  j["window"]["width"] = 10;             // below the minimum window
  j["ui_scale"] = "big";                 // wrong type
  j["layout"]["left"] = {0.7f, 0.6f};    // more than the whole column
  j["layout"]["right"] = {0.5f, 0.2f};   // wrong count
  j["view"] = 3;                          // not an object
  const StudioSettings read = settings_from_json(j, &ignored);
  EXPECT_EQ(read.window_width, StudioSettings().window_width);
  EXPECT_EQ(read.window_height, 777);
  EXPECT_EQ(read.ui_scale, 0);
  EXPECT_EQ(read.splits.left, LayoutSplits().left);
  EXPECT_EQ(read.splits.right, LayoutSplits().right);
  EXPECT_EQ(read.splits.columns, s.splits.columns);
  EXPECT_EQ(read.wireframe, false);
  EXPECT_EQ(read.last_folder, "/data/nmr");
  EXPECT_EQ(ignored, (std::vector<std::string>{"window.width", "ui_scale", "layout.left", "layout.right", "view"}));
}

TEST(StudioSettings, ACorruptFileIsKeptAsideAndTheDefaultsAreUsed) {
  const fs::path dir = temp_dir("settings");
  const std::string file = (dir / "dibr-studio" / "settings.json").string();
  std::string warning;
  EXPECT_EQ(load_settings(file, &warning), StudioSettings()) << "a missing file is the defaults";
  EXPECT_EQ(warning, "");

  StudioSettings s;
  s.window_width = 1234;
  save_settings(s, file);
  EXPECT_EQ(load_settings(file, &warning).window_width, 1234);
  EXPECT_EQ(warning, "");

  std::ofstream(file) << "{\"window\": {\"width\": 1300,";  // cut short
  EXPECT_EQ(load_settings(file, &warning), StudioSettings());
  EXPECT_NE(warning.find("is not valid JSON"), std::string::npos) << warning;
  EXPECT_NE(warning.find("settings.json.bad"), std::string::npos) << warning;
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(read_text(file + ".bad"), "{\"window\": {\"width\": 1300,") << "the user's file is kept as it was";

  std::ofstream(file) << R"({"window": {"width": 1300, "height": 5}})";
  EXPECT_EQ(load_settings(file, &warning).window_width, 1300);
  EXPECT_NE(warning.find("window.height"), std::string::npos) << warning;

  setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  EXPECT_EQ(studio_config_file("settings.json"), file);
  unsetenv("XDG_CONFIG_HOME");
  fs::remove_all(dir);
}

TEST(FolderBrowser, ExpandsHomeAndMarksDatasetsClassesAndRuns) {
  const char* home = std::getenv("HOME");
  ASSERT_TRUE(home && *home);
  EXPECT_EQ(expand_home("~"), home);
  EXPECT_EQ(expand_home("~/data"), std::string(home) + "/data");
  EXPECT_EQ(expand_home("~other/data"), "~other/data");
  EXPECT_EQ(expand_home("/abs/~"), "/abs/~");

  const fs::path dir = temp_dir("kinds");
  fs::create_directories(dir / "nmr" / "02691156");
  std::ofstream(dir / "nmr" / "02691156" / "softras_train.lst") << "a\n";
  fs::create_directories(dir / "run");
  std::ofstream(dir / "run" / "metrics.csv") << "step\n";
  fs::create_directories(dir / "plain");
  EXPECT_EQ(folder_kind((dir / "nmr").string()), "dataset");
  EXPECT_EQ(folder_kind((dir / "nmr" / "02691156").string()), "class");
  EXPECT_EQ(folder_kind((dir / "run").string()), "run");
  EXPECT_EQ(folder_kind((dir / "plain").string()), "");

  FolderBrowser browser;
  browser.open(dir.string());
  EXPECT_EQ(browser.entries(), (std::vector<std::string>{"nmr", "plain", "run"}));
  EXPECT_EQ(browser.entry_kinds(), (std::vector<std::string>{"dataset", "", "run"}));
  fs::remove_all(dir);
}

TEST(FolderBrowser, OpensAtTheLastFolderOrHomeAndUsesTheHighlightedFolder) {
  const fs::path dir = temp_dir("last");
  fs::create_directories(dir / "a" / "deeper");
  FolderBrowser browser;
  browser.open("");
  EXPECT_EQ(browser.current(), fs::weakly_canonical(std::getenv("HOME")).string()) << "no last folder: home";
  browser.close();

  browser.set_last_folder((dir / "a").string());
  browser.open("/no/such/folder");
  EXPECT_EQ(browser.current(), (dir / "a").string());
  EXPECT_EQ(browser.folder_to_use(), (dir / "a").string());
  browser.highlight("deeper");
  EXPECT_EQ(browser.folder_to_use(), (dir / "a" / "deeper").string()) << "a highlighted folder is the one used";
  browser.highlight("not-a-folder");
  EXPECT_EQ(browser.folder_to_use(), (dir / "a").string());

  std::string chosen;
  EXPECT_FALSE(browser.enter(dir.string(), &chosen)) << "a typed folder is entered, not chosen";
  EXPECT_EQ(browser.current(), dir.string());
  EXPECT_TRUE(browser.is_open());
  browser.enter("~", &chosen);
  EXPECT_EQ(browser.current(), fs::weakly_canonical(std::getenv("HOME")).string()) << "~ is home";
  fs::remove_all(dir);
}

TEST(FolderBrowser, TheSaveDialogAddsTheExtensionAndNeverOverwrites) {

  const fs::path dir = temp_dir("save");
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "taken.obj") << "v 0 0 0\n";
  std::ofstream(dir / "cloud.PLY") << "ply\n";
  std::ofstream(dir / "notes.txt") << "x\n";
  FolderBrowser browser;
  browser.open_save(dir.string(), "chair_live_step40", dibr::PredictionKind::Mesh, ".obj", {".obj", ".ply"});
  EXPECT_TRUE(browser.saving());
  EXPECT_EQ(browser.purpose(), BrowseFor::SaveExport);
  EXPECT_EQ(browser.entries(), (std::vector<std::string>{"sub"}));
  EXPECT_EQ(browser.files(), (std::vector<std::string>{"cloud.PLY", "taken.obj"})) << "meshes and clouds only";
  EXPECT_EQ(browser.save_path(), (dir / "chair_live_step40.obj").string()) << "the extension is added";
  EXPECT_EQ(browser.save_target(), browser.save_path());

  browser.file_name() = "taken";
  EXPECT_EQ(browser.save_path(), (dir / "taken.obj").string());
  EXPECT_EQ(browser.save_target(), (dir / "taken_1.obj").string()) << "an existing file is never overwritten";

  browser.file_name() = "";
  EXPECT_EQ(browser.save_path(), "");
  std::string chosen;
  EXPECT_FALSE(browser.save(&chosen)) << "no name, no file";
  EXPECT_EQ(browser.error(), "type a file name");
  EXPECT_TRUE(browser.is_open());

  browser.file_name() = "chair.ply";
  EXPECT_EQ(browser.save_path(), (dir / "chair.ply").string()) << "a typed extension is kept (export checks it)";

  browser.navigate((dir / "sub").string());
  browser.file_name() = "mesh.ply";
  ASSERT_TRUE(browser.save(&chosen));
  EXPECT_EQ(chosen, (dir / "sub" / "mesh.ply").string());
  EXPECT_FALSE(browser.is_open());
  EXPECT_EQ(browser.last_folder(), (dir / "sub").string()) << "the next dialog opens where this one saved";

  browser.open_save(dir.string(), "cloud", dibr::PredictionKind::PointCloud, ".obj", {".ply"});
  EXPECT_EQ(browser.save_path(), (dir / "cloud.ply").string()) << "a point cloud is always PLY";
  browser.close();
  browser.open(dir.string(), BrowseFor::DatasetFolder);
  EXPECT_TRUE(browser.files().empty()) << "folder mode lists no files";
  fs::remove_all(dir);
}

TEST(StudioAbout, NamesTheVersionLibTorchAndTheDocsFolder) {
  const auto rows = about_rows("llvmpipe");
  auto value = [&](const std::string& label) {
    for (const auto& [l, v] : rows)
      if (l == label) return v;
    return std::string("(missing)");
  };
  EXPECT_EQ(value("version").rfind("0.", 0), 0u) << value("version");
  EXPECT_NE(value("LibTorch"), "(missing)");
  EXPECT_EQ(value("OpenGL"), "llvmpipe");
  EXPECT_NE(value("training runs on").find("the CPU"), std::string::npos) << value("training runs on");
  ASSERT_FALSE(docs_folder().empty()) << "built from this source tree, whose docs/ is there";
  EXPECT_TRUE(fs::is_regular_file(fs::path(docs_folder()) / "studio.md"));
  EXPECT_NE(value("documentation").find(docs_folder()), std::string::npos);
}
