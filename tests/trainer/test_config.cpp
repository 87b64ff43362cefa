#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "trainer/config.h"
#include "trainer/config_flags.h"
#include "trainer/config_table.h"
#include "trainer/method.h"

namespace dibr {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Config, JsonRoundTripKeepsEveryField) {
  TrainConfig c = TrainConfig::from_preset("paper");
  c.data.root = "/data/nmr";
  c.data.classes = {"02691156", "03001627"};
  c.run.out_dir = "runs/x";
  c.system.device = "cpu";
  c.data.image_size = 48;
  c.model.decoder_hidden = 96;
  c.optim.learning_rate = 2.5e-4;
  c.optim.lr_decay_step = 123;
  c.optim.max_steps = 77;
  c.loss.flatten = 0.002;
  c.raster.knum = 17;
  c.system.seed = 12345678901ULL;
  c.model.pretrained_encoder = "r18.pt";

  const TrainConfig back = TrainConfig::from_json(c.to_json());
  EXPECT_EQ(back.to_json(), c.to_json());
  EXPECT_EQ(back.data.classes, c.data.classes);
  EXPECT_EQ(back.data.image_size, 48);
  EXPECT_EQ(back.model.decoder_hidden, 96);
  EXPECT_DOUBLE_EQ(back.optim.learning_rate, 2.5e-4);
  EXPECT_EQ(back.optim.lr_decay_step, 123);
  EXPECT_EQ(back.system.seed, 12345678901ULL);
  EXPECT_EQ(back.model.pretrained_encoder, "r18.pt");
  EXPECT_EQ(back.model.method, "dibr");
}

TEST(Config, JsonIsGroupedAndEveryTableRowIsInIt) {
  const std::string j = TrainConfig::from_preset("quick").to_json();
  for (const auto& f : config_fields()) {
    EXPECT_NE(j.find(std::string("\"") + f.name + "\""), std::string::npos) << f.key();
    EXPECT_NE(j.find(std::string("\"") + f.group + "\""), std::string::npos) << f.key();
  }
}

TEST(Config, TheFlatFormOfOldCheckpointsStillLoads) {
  // config_json as written by every checkpoint before the config had groups (and before the method seam).
  const TrainConfig c = TrainConfig::from_json(R"({"preset": "quick", "data_root": "/d", "classes": ["a"],
      "out_dir": "runs/q", "device": "cpu", "image_size": 32, "decoder_hidden": 64, "batch_objects": 4,
      "views_per_object": 2, "learning_rate": 0.0003, "lr_decay_step": 400, "lr_decay": 0.5, "max_steps": 800,
      "weight_color": 3.0, "weight_iou": 1.0, "weight_laplacian": 0.01, "weight_flatten": 0.001, "sigmainv": 7000.0,
      "boxlen": 0.02, "knum": 30, "checkpoint_every": 100, "keep_every": 200, "snapshot_every": 10,
      "preview_count": 4, "loader_workers": 1, "num_threads": 0, "seed": 0, "pretrained_encoder": ""})");
  EXPECT_EQ(c.data.root, "/d");
  EXPECT_EQ(c.data.classes, (std::vector<std::string>{"a"}));
  EXPECT_EQ(c.model.decoder_hidden, 64);
  EXPECT_EQ(c.model.method, "dibr");
  EXPECT_DOUBLE_EQ(c.loss.color, 3.0);
  EXPECT_EQ(c.run.checkpoint_every, 100);
  EXPECT_EQ(c.raster.soft_distance, "triangle") << "old runs trained with our soft-mask rule";
  const TrainConfig paper = TrainConfig::from_json(R"({"preset": "paper", "knum": 30})");
  EXPECT_EQ(paper.raster.soft_distance, "triangle");
  EXPECT_EQ(TrainConfig::from_preset("paper").raster.soft_distance, "boundary") << "Kaolin's rule for the reference";
  EXPECT_THROW(TrainConfig::from_json(R"({"raster": {"soft_distance": "nearest"}})"), std::invalid_argument);
}

TEST(Config, UnknownKeyIsRejectedByName) {
  EXPECT_NE(error_of([] { TrainConfig::from_json(R"({"data": {"image_size": 32}, "learnin_rate": 0.1})"); }).find("learnin_rate"),
            std::string::npos);
  EXPECT_NE(error_of([] { TrainConfig::from_json(R"({"optim": {"learnin_rate": 0.1}})"); }).find("optim.learnin_rate"),
            std::string::npos);
}

TEST(Config, WrongTypeAndBadJsonAreRejected) {
  EXPECT_THROW(TrainConfig::from_json(R"({"data": {"image_size": "big"}})"), std::invalid_argument);
  EXPECT_THROW(TrainConfig::from_json("{not json"), std::invalid_argument);
  EXPECT_THROW(TrainConfig::from_json("[1, 2]"), std::invalid_argument);
  EXPECT_THROW(TrainConfig::from_json(R"({"data": {"classes": "a,b"}})"), std::invalid_argument);
}

TEST(Config, ValuesAreCheckedAgainstTheTableWithReadableBounds) {
  // A non-integral integer is refused, not truncated ({"image_size": 33.9} used to become 33).
  const std::string truncated = error_of([] { TrainConfig::from_json(R"({"data": {"image_size": 33.9}})"); });
  EXPECT_NE(truncated.find("data.image_size (--size) must be an integer in [16, 1024]"), std::string::npos) << truncated;
  const std::string knum = error_of([] { TrainConfig::from_json(R"({"raster": {"knum": 1000}})"); });
  EXPECT_NE(knum.find("[1, 128]"), std::string::npos) << knum;
  TrainConfig c;
  const FieldSpec* lr = find_field("--lr");
  ASSERT_NE(lr, nullptr);
  EXPECT_EQ(lr->key(), "optim.learning_rate");
  EXPECT_NE(error_of([&] { set_field_text(*lr, c, "nan"); }), "");
  EXPECT_NE(error_of([&] { set_field_text(*lr, c, "-1"); }), "");
  EXPECT_NE(error_of([&] { set_field_text(*find_field("--seed"), c, "-1"); }), "") << "no wrap-around to UINT64_MAX";
  EXPECT_NE(error_of([&] { set_field_text(*find_field("--max-steps"), c, "99999999999999999999999"); }), "");
  EXPECT_NE(error_of([&] { set_field_text(*find_field("--boxlen"), c, "-1"); }), "");
  EXPECT_NE(error_of([&] { set_field_text(*find_field("--workers"), c, "100000"); }), "");
  EXPECT_NE(error_of([&] { set_field_text(*find_field("--weight-iou"), c, "-0.5"); }), "");
  set_field_text(*find_field("--knum"), c, "64");
  EXPECT_EQ(c.raster.knum, 64);
  // Readable bounds, not a 309-digit number.
  for (const auto& f : config_fields()) EXPECT_LT(bounds_text(f).size(), 40u) << f.key() << ": " << bounds_text(f);
}

TEST(Config, ValidateNamesTheField) {
  TrainConfig c = TrainConfig::from_preset("quick");
  c.data.image_size = 8;
  EXPECT_NE(error_of([&] { validate(c); }).find("data.image_size"), std::string::npos);
  c = TrainConfig::from_preset("quick");
  c.system.device = "tpu";
  EXPECT_NE(error_of([&] { validate(c); }).find("system.device"), std::string::npos);
  c = TrainConfig::from_preset("quick");
  c.model.method = "nerf";
  EXPECT_NE(error_of([&] { validate(c); }).find("unknown method 'nerf'"), std::string::npos);
  EXPECT_NO_THROW(validate(TrainConfig::from_preset("paper")));
}

TEST(Config, MissingKeysTakeTheNamedPreset) {
  const TrainConfig c = TrainConfig::from_json(R"({"preset": "paper", "optim": {"max_steps": 10}})");
  const TrainConfig paper = TrainConfig::from_preset("paper");
  EXPECT_EQ(c.optim.max_steps, 10);
  EXPECT_EQ(c.data.image_size, paper.data.image_size);
  EXPECT_EQ(c.data.batch_objects, paper.data.batch_objects);
}

TEST(Config, PresetsExistAndDiffer) {
  const TrainConfig paper = TrainConfig::from_preset("paper");
  EXPECT_EQ(paper.data.image_size, 224);
  EXPECT_EQ(paper.data.batch_objects, 32);
  EXPECT_EQ(paper.model.decoder_hidden, 256);
  EXPECT_DOUBLE_EQ(paper.optim.learning_rate, 1e-4);
  EXPECT_EQ(paper.optim.lr_decay_step, 400000);
  const TrainConfig quick = TrainConfig::from_preset("quick");
  EXPECT_LT(quick.data.image_size, paper.data.image_size);
  EXPECT_LT(quick.optim.max_steps, paper.optim.max_steps);
  EXPECT_NE(quick.to_json(), paper.to_json());
  EXPECT_THROW(TrainConfig::from_preset("huge"), std::invalid_argument);
  EXPECT_EQ(preset_names(), (std::vector<std::string>{"quick", "paper", "softras-quick", "softras-paper", "nmr-quick",
                                                      "nmr-paper", "drwr-quick", "drwr-paper", "2dpm-quick", "2dpm-paper",
                                                      "capnet-quick", "capnet-paper", "differ-quick", "differ-paper",
                                                      "dvr-quick", "dvr-paper"}));
  for (const auto* p : all_presets())
    EXPECT_EQ(TrainConfig::from_preset(p->name).model.method, p->method) << p->name;
  for (const auto& name : preset_names()) EXPECT_NO_THROW(validate(TrainConfig::from_preset(name))) << name;
}

TEST(Config, WithPresetKeepsHandSetFields) {
  TrainConfig c = TrainConfig::from_preset("quick");
  c.optim.max_steps = 20;
  c.data.root = "/data/nmr";
  const TrainConfig paper = TrainConfig::from_preset("paper");
  const TrainConfig switched = c.with_preset("paper");
  EXPECT_EQ(switched.preset, "paper");
  EXPECT_EQ(switched.optim.max_steps, 20);
  EXPECT_EQ(switched.data.root, "/data/nmr");
  EXPECT_EQ(switched.data.image_size, paper.data.image_size);
  const TrainConfig quick = TrainConfig::from_preset("quick");
  EXPECT_EQ(quick.with_preset("paper").with_preset("quick").to_json(), quick.to_json());
  EXPECT_EQ(quick.with_preset("paper").to_json(), TrainConfig::from_preset("paper").to_json());
  EXPECT_THROW(quick.with_preset("huge"), std::invalid_argument);
}

TEST(Config, LearningRateSchedule) {
  OptimConfig o;
  o.learning_rate = 1e-3;
  o.lr_decay_step = 10;
  o.lr_decay = 0.5;
  EXPECT_DOUBLE_EQ(learning_rate_at(o, 0), 1e-3);
  EXPECT_DOUBLE_EQ(learning_rate_at(o, 9), 1e-3);
  EXPECT_DOUBLE_EQ(learning_rate_at(o, 10), 5e-4);
  EXPECT_DOUBLE_EQ(learning_rate_at(o, 25), 2.5e-4);
}

}  // namespace
}  // namespace dibr

namespace dibr {
namespace {

std::string resolved_preset_of(std::vector<std::string> args) {
  CLI::App app;
  ConfigFlags flags(app);
  args.insert(args.begin(), "dibr");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return flags.resolved_preset();
}

TEST(ConfigFlags, TheMethodPicksItsOwnPresetUnlessOneIsGiven) {
  EXPECT_EQ(resolved_preset_of({}), "quick");
  EXPECT_EQ(resolved_preset_of({"--method", "softras"}), "softras-quick");
  EXPECT_EQ(resolved_preset_of({"--method", "dibr"}), "quick");
  EXPECT_EQ(resolved_preset_of({"--preset", "softras-paper"}), "softras-paper");
  EXPECT_EQ(resolved_preset_of({"--preset", "softras-paper", "--method", "softras"}), "softras-paper");
  try {
    resolved_preset_of({"--preset", "paper", "--method", "softras"});
    ADD_FAILURE() << "a DIB-R preset was accepted for --method softras";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--method softras contradicts --preset paper"), std::string::npos) << e.what();
  }
}

TEST(Config, SoftRasPresetsTrainSoftRasWithItsSchedule) {
  const TrainConfig paper = TrainConfig::from_preset("softras-paper");
  EXPECT_EQ(paper.model.method, "softras");
  EXPECT_EQ(paper.data.image_size, 64);
  EXPECT_EQ(paper.data.batch_objects, 64);
  EXPECT_EQ(paper.optim.max_steps, 250000);
  EXPECT_EQ(paper.optim.lr_decay_step, 150000);
  EXPECT_DOUBLE_EQ(paper.optim.lr_decay, 0.3);
  EXPECT_DOUBLE_EQ(paper.softras.sigma, 1e-4);
  EXPECT_DOUBLE_EQ(paper.softras.laplacian, 5e-3);
  EXPECT_DOUBLE_EQ(paper.softras.flatten, 5e-4);
  EXPECT_EQ(TrainConfig::from_preset("softras-quick").model.method, "softras");
  const TrainConfig back = TrainConfig::from_json(paper.to_json());
  EXPECT_EQ(back.to_json(), paper.to_json());
  TrainConfig bad = paper;
  bad.model.frozen_coordinates = "thaw";
  EXPECT_THROW(validate(bad), std::invalid_argument);
}

}  // namespace
}  // namespace dibr

namespace dibr {
namespace {

TEST(Config, EachMethodOwnsItsSettings) {
  EXPECT_TRUE(setting_applies_to("raster.knum", "dibr"));
  EXPECT_FALSE(setting_applies_to("raster.knum", "softras"));
  EXPECT_FALSE(setting_applies_to("loss.color", "nmr"));
  EXPECT_TRUE(setting_applies_to("softras.sigma", "softras"));
  EXPECT_FALSE(setting_applies_to("softras.sigma", "nmr"));
  EXPECT_TRUE(setting_applies_to("nmr.eps", "nmr"));
  EXPECT_TRUE(setting_applies_to("model.frozen_coordinates", "softras"));
  EXPECT_TRUE(setting_applies_to("model.frozen_coordinates", "nmr"));
  EXPECT_FALSE(setting_applies_to("model.frozen_coordinates", "dibr"));
  EXPECT_FALSE(setting_applies_to("model.decoder_hidden", "softras"));
  // The point methods: the shared point count, and CAPNet's group shared by DIFFER, not the other way round.
  for (const char* m : {"drwr", "2dpm", "capnet", "differ"}) EXPECT_TRUE(setting_applies_to("points.count", m)) << m;
  EXPECT_FALSE(setting_applies_to("points.count", "dibr"));
  EXPECT_TRUE(setting_applies_to("drwr.grid", "drwr"));
  EXPECT_FALSE(setting_applies_to("drwr.grid", "2dpm"));
  EXPECT_TRUE(setting_applies_to("capnet.sigma_sq", "differ"));
  EXPECT_FALSE(setting_applies_to("differ.beta", "capnet"));
  EXPECT_FALSE(setting_applies_to("twodpm.samples", "drwr"));
  for (const auto& m : method_names()) {
    EXPECT_TRUE(setting_applies_to("optim.learning_rate", m));
    EXPECT_TRUE(setting_applies_to("data.image_size", m));
  }
  // Every owned entry names a real field or group.
  for (const auto& m : all_methods())
    for (const auto& own : m.own_settings) {
      bool found = false;
      for (const auto& f : config_fields()) found = found || (own.back() == '.' ? f.key().rfind(own, 0) == 0 : f.key() == own);
      EXPECT_TRUE(found) << m.name << " owns '" << own << "', which is no field";
    }
}

}  // namespace
}  // namespace dibr
