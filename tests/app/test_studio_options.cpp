#include <gtest/gtest.h>

#include "app/studio_options.h"

using namespace dibr::studio;

namespace {

std::optional<StudioOptions> parse(std::vector<std::string> args, int& code) {
  args.insert(args.begin(), "dibr-studio");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return parse_studio_options(static_cast<int>(argv.size()), argv.data(), code);
}

}  // namespace

TEST(StudioOptions, WindowSize) {
  EXPECT_EQ(parse_window_size("1280x800"), std::make_pair(1280, 800));
  EXPECT_THROW(parse_window_size("1280"), std::invalid_argument);
  EXPECT_THROW(parse_window_size("12x8"), std::invalid_argument);
  EXPECT_THROW(parse_window_size("1280x800px"), std::invalid_argument);
}

TEST(StudioOptions, FlagsAreParsed) {
  int code = -1;
  auto o = parse({"--data", "/d", "--out", "/o", "--preset", "paper", "--max-steps", "40", "--window", "1024x768",
                  "--screenshot-dir", "/s", "--classes", "a,b", "--size", "32", "--ui-map", "/m.json"},
                 code);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(code, 0);
  EXPECT_EQ(o->data_root, "/d");
  EXPECT_EQ(o->out_dir, "/o");
  EXPECT_EQ(o->preset, "paper");
  EXPECT_EQ(o->max_steps.value_or(0), 40);
  EXPECT_EQ(o->image_size.value_or(0), 32);
  EXPECT_FALSE(o->batch_objects.has_value());
  EXPECT_EQ(o->window_width, 1024);
  EXPECT_EQ(o->window_height, 768);
  EXPECT_EQ(o->screenshot_dir, "/s");
  EXPECT_EQ(o->ui_map, "/m.json");
  EXPECT_EQ(o->classes, (std::vector<std::string>{"a", "b"}));
}

TEST(StudioOptions, BadValuesAreRejected) {
  int code = 0;
  EXPECT_FALSE(parse({"--preset", "slow"}, code).has_value());
  EXPECT_NE(code, 0);
  code = 0;
  EXPECT_FALSE(parse({"--window", "big"}, code).has_value());
  EXPECT_NE(code, 0);
}
