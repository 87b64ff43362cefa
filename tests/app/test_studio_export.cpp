#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/folder_browser.h"
#include "app/studio_export.h"

namespace fs = std::filesystem;
using namespace dibr::studio;

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
