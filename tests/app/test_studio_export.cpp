#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/folder_browser.h"
#include "app/studio_export.h"

namespace fs = std::filesystem;
using namespace dibr::studio;
using dibr::ChamferReport;
using dibr::ChamferRow;

TEST(StudioExport, UniquePathNeverReturnsAnExistingFile) {
  const fs::path dir = fs::temp_directory_path() / ("dibr_app_export_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "mesh.obj").string();
  EXPECT_EQ(unique_path(path), path);
  std::ofstream(path) << "x";
  EXPECT_EQ(unique_path(path), (dir / "mesh_1.obj").string());
  std::ofstream(dir / "mesh_1.obj") << "x";
  EXPECT_EQ(unique_path(path), (dir / "mesh_2.obj").string());

  const std::string prefix = (dir / "chamfer").string();
  EXPECT_EQ(unique_prefix(prefix, {".csv", ".json"}), prefix);
  std::ofstream(prefix + ".json") << "{}";
  EXPECT_EQ(unique_prefix(prefix, {".csv", ".json"}), prefix + "_1");
  fs::remove_all(dir);
}

TEST(StudioExport, ChamferTableRowsSortByAnyColumn) {
  ChamferReport r;
  auto row = [](const char* c, const char* o, double chamfer, double f1) {
    ChamferRow x;
    x.class_id = c;
    x.object_id = o;
    x.chamfer = chamfer;
    x.fscore = {f1, 0, 0, 0, 0};
    return x;
  };
  r.objects = {row("b", "o2", 0.03, 0.5), row("a", "o9", 0.01, 0.9), row("b", "o1", 0.02, 0.7)};
  r.classes = {{"a", 1, 0.01, {0.9, 0, 0, 0, 0}}, {"b", 2, 0.025, {0.6, 0, 0, 0, 0}}};
  auto ids = [](const std::vector<ChamferRow>& rows) {
    std::string s;
    for (const auto& x : rows) s += x.class_id + "/" + x.object_id + " ";
    return s;
  };
  EXPECT_EQ(ids(chamfer_table_rows(r, true, 2, true)), "a/o9 b/o1 b/o2 ");
  EXPECT_EQ(ids(chamfer_table_rows(r, true, 2, false)), "b/o2 b/o1 a/o9 ");
  EXPECT_EQ(ids(chamfer_table_rows(r, true, 3, false)), "a/o9 b/o1 b/o2 ") << "F@0.01, best first";
  EXPECT_EQ(ids(chamfer_table_rows(r, true, 1, true)), "b/o1 b/o2 a/o9 ");
  EXPECT_EQ(ids(chamfer_table_rows(r, true, 0, false)), "b/o1 b/o2 a/o9 ");
  EXPECT_EQ(ids(chamfer_table_rows(r, false, 2, false)), "b/ a/ ");
  EXPECT_DOUBLE_EQ(chamfer_table_rows(r, false, 0, true)[1].fscore[0], 0.6);
  EXPECT_THROW(chamfer_table_rows(r, false, 9, true), std::invalid_argument);
}

TEST(StudioExport, FileSafeReplacesSeparators) { EXPECT_EQ(file_safe("02691156/ab c"), "02691156_ab_c"); }

TEST(FolderBrowser, ListsSortedVisibleSubfoldersOnly) {
  const fs::path dir = fs::temp_directory_path() / ("dibr_app_browse_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "b");
  fs::create_directories(dir / "a");
  fs::create_directories(dir / ".hidden");
  std::ofstream(dir / "file.txt") << "x";
  EXPECT_EQ(list_subfolders(dir.string()), (std::vector<std::string>{"a", "b"}));
  EXPECT_THROW(list_subfolders((dir / "file.txt").string()), std::runtime_error);
  EXPECT_THROW(list_subfolders((dir / "missing").string()), std::runtime_error);
  fs::remove_all(dir);
}
