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
                  "--screenshot-dir", "/s", "--classes", "a,b", "--size", "32", "--ui-map", "/m.json", "--training-nice", "3"},
                 code);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(code, 0);
  EXPECT_EQ(o->config.data.root, "/d");
  EXPECT_EQ(o->config.run.out_dir, "/o");
  EXPECT_EQ(o->config.preset, "paper");
  EXPECT_EQ(o->config.optim.max_steps, 40);
  EXPECT_EQ(o->config.data.image_size, 32);
  EXPECT_EQ(o->config.data.batch_objects, dibr::TrainConfig::from_preset("paper").data.batch_objects) << "not given";
  EXPECT_EQ(o->given_keys, (std::vector<std::string>{"data.root", "data.classes", "data.image_size", "optim.max_steps",
                                                     "run.out_dir"}));
  EXPECT_EQ(o->window_width, 1024);
  EXPECT_EQ(o->window_height, 768);
  EXPECT_EQ(o->screenshot_dir, "/s");
  EXPECT_EQ(o->ui_map, "/m.json");
  EXPECT_EQ(o->config.data.classes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o->training_nice, 3);
  EXPECT_EQ(parse({}, code)->training_nice, 10) << "the default";
}

TEST(StudioOptions, BadValuesAreRejected) {
  int code = 0;
  EXPECT_FALSE(parse({"--preset", "slow"}, code).has_value());
  EXPECT_NE(code, 0);
  code = 0;
  EXPECT_FALSE(parse({"--window", "big"}, code).has_value());
  EXPECT_NE(code, 0);
  code = 0;
  EXPECT_FALSE(parse({"--knum", "1000"}, code).has_value()) << "the studio checks values with the same table";
  EXPECT_NE(code, 0);
  code = 0;
  EXPECT_FALSE(parse({"--training-nice", "20"}, code).has_value());
  EXPECT_NE(code, 0);
}

TEST(StudioOptions, EveryTrainSettingIsAStudioFlag) {
  int code = -1;
  auto o = parse({"--knum", "64", "--soft-distance", "triangle", "--keep-every", "7", "--seed", "9"}, code);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->config.raster.knum, 64);
  EXPECT_EQ(o->config.raster.soft_distance, "triangle");
  EXPECT_EQ(o->config.run.keep_every, 7);
  EXPECT_EQ(o->config.system.seed, 9u);
}
