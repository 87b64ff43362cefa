#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/recent_folders.h"

namespace fs = std::filesystem;
using dibr::studio::RecentFolders;

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("dibr_app_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST(RecentFolders, NewestFirstWithoutDuplicatesAndBounded) {
  const fs::path dir = temp_dir("recent");
  const std::string file = (dir / "sub" / "recent.json").string();
  RecentFolders r(file, 3);
  r.add("/a");
  r.add("/b");
  r.add("/a");
  r.add("/c");
  r.add("/d");
  EXPECT_EQ(r.folders(), (std::vector<std::string>{"/d", "/c", "/a"}));

  RecentFolders reloaded(file, 3);
  reloaded.load();
  EXPECT_EQ(reloaded.folders(), r.folders());
  for (const auto& entry : fs::directory_iterator(dir / "sub")) {
    EXPECT_EQ(entry.path().filename(), "recent.json") << "temp file left behind: " << entry.path();
  }
  fs::remove_all(dir);
}

TEST(RecentFolders, MissingFileIsEmptyAndCorruptFileIsKept) {
  const fs::path dir = temp_dir("recent_bad");
  RecentFolders missing((dir / "none.json").string());
  missing.load();
  EXPECT_TRUE(missing.folders().empty());

  const fs::path bad = dir / "recent.json";
  std::ofstream(bad) << "{not json";
  RecentFolders r(bad.string());
  EXPECT_THROW(r.load(), std::runtime_error);
  std::ifstream in(bad);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{not json");
  fs::remove_all(dir);
}

TEST(RecentFolders, DefaultFileFollowsXdgConfigHome) {
  const char* old = std::getenv("XDG_CONFIG_HOME");
  const std::string saved = old ? old : "";
  setenv("XDG_CONFIG_HOME", "/tmp/xdg_test_cfg", 1);
  EXPECT_EQ(RecentFolders::default_file(), "/tmp/xdg_test_cfg/dibr-studio/recent.json");
  if (old) setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
  else unsetenv("XDG_CONFIG_HOME");
}
