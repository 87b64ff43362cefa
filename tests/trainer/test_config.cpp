#include <gtest/gtest.h>

#include <stdexcept>

#include "trainer/config.h"

namespace dibr {
namespace {

TEST(Config, JsonRoundTripKeepsEveryField) {
  TrainConfig c = TrainConfig::from_preset("paper");
  c.data_root = "/data/nmr";
  c.classes = {"02691156", "03001627"};
  c.out_dir = "runs/x";
  c.device = "cpu";
  c.image_size = 48;
  c.decoder_hidden = 96;
  c.learning_rate = 2.5e-4;
  c.lr_decay_step = 123;
  c.max_steps = 77;
  c.weight_flatten = 0.002;
  c.knum = 17;
  c.seed = 12345678901ULL;
  c.pretrained_encoder = "r18.pt";

  const TrainConfig back = TrainConfig::from_json(c.to_json());
  EXPECT_EQ(back.to_json(), c.to_json());
  EXPECT_EQ(back.classes, c.classes);
  EXPECT_EQ(back.image_size, 48);
  EXPECT_EQ(back.decoder_hidden, 96);
  EXPECT_DOUBLE_EQ(back.learning_rate, 2.5e-4);
  EXPECT_EQ(back.lr_decay_step, 123);
  EXPECT_EQ(back.seed, 12345678901ULL);
  EXPECT_EQ(back.pretrained_encoder, "r18.pt");
}

TEST(Config, UnknownKeyIsRejectedByName) {
  try {
    TrainConfig::from_json(R"({"image_size": 32, "learnin_rate": 0.1})");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("learnin_rate"), std::string::npos) << e.what();
  }
}

TEST(Config, WrongTypeAndBadJsonAreRejected) {
  EXPECT_THROW(TrainConfig::from_json(R"({"image_size": "big"})"), std::invalid_argument);
  EXPECT_THROW(TrainConfig::from_json("{not json"), std::invalid_argument);
  EXPECT_THROW(TrainConfig::from_json("[1, 2]"), std::invalid_argument);
}

TEST(Config, MissingKeysTakeTheNamedPreset) {
  const TrainConfig c = TrainConfig::from_json(R"({"preset": "paper", "max_steps": 10})");
  const TrainConfig paper = TrainConfig::from_preset("paper");
  EXPECT_EQ(c.max_steps, 10);
  EXPECT_EQ(c.image_size, paper.image_size);
  EXPECT_EQ(c.batch_objects, paper.batch_objects);
}

TEST(Config, PresetsExistAndDiffer) {
  const TrainConfig quick = TrainConfig::from_preset("quick");
  const TrainConfig paper = TrainConfig::from_preset("paper");
  EXPECT_EQ(quick.preset, "quick");
  EXPECT_EQ(paper.preset, "paper");
  // The reference DIB-R setup.
  EXPECT_EQ(paper.image_size, 224);
  EXPECT_EQ(paper.batch_objects, 32);
  EXPECT_EQ(paper.views_per_object, 2);
  EXPECT_DOUBLE_EQ(paper.learning_rate, 1e-4);
  EXPECT_EQ(paper.lr_decay_step, 400000);
  EXPECT_DOUBLE_EQ(paper.lr_decay, 0.5);
  EXPECT_DOUBLE_EQ(paper.weight_color, 3.0);
  EXPECT_DOUBLE_EQ(paper.weight_iou, 1.0);
  EXPECT_DOUBLE_EQ(paper.weight_laplacian, 0.01);
  EXPECT_DOUBLE_EQ(paper.weight_flatten, 0.001);
  // quick is small enough for a 2-core CPU.
  EXPECT_LT(quick.image_size, paper.image_size);
  EXPECT_LT(quick.batch_objects, paper.batch_objects);
  EXPECT_EQ(paper.decoder_hidden, 256);
  EXPECT_LT(quick.decoder_hidden, paper.decoder_hidden);
  EXPECT_LT(quick.max_steps, paper.max_steps);
  EXPECT_NE(quick.to_json(), paper.to_json());
  EXPECT_THROW(TrainConfig::from_preset("fast"), std::invalid_argument);
}

TEST(Config, SwitchingPresetKeepsWhatWasSetByHand) {
  TrainConfig c = TrainConfig::from_preset("quick");
  c.out_dir = "/tmp/my_run";
  c.max_steps = 20;
  c.data_root = "/data/nmr";
  c.classes = {"02691156"};
  const TrainConfig paper = TrainConfig::from_preset("paper");
  const TrainConfig switched = c.with_preset("paper");
  EXPECT_EQ(switched.preset, "paper");
  EXPECT_EQ(switched.out_dir, "/tmp/my_run");
  EXPECT_EQ(switched.max_steps, 20);
  EXPECT_EQ(switched.data_root, "/data/nmr");
  EXPECT_EQ(switched.classes, c.classes);
  EXPECT_EQ(switched.image_size, paper.image_size);
  EXPECT_EQ(switched.batch_objects, paper.batch_objects);
  EXPECT_DOUBLE_EQ(switched.learning_rate, paper.learning_rate);
  EXPECT_EQ(switched.decoder_hidden, paper.decoder_hidden);
}

TEST(Config, SwitchingPresetBackAndForthWithoutEditsGivesThePreset) {
  const TrainConfig quick = TrainConfig::from_preset("quick");
  EXPECT_EQ(quick.with_preset("paper").with_preset("quick").to_json(), quick.to_json());
  EXPECT_EQ(quick.with_preset("paper").to_json(), TrainConfig::from_preset("paper").to_json());
  EXPECT_THROW(quick.with_preset("huge"), std::invalid_argument);
}

}  // namespace
}  // namespace dibr
