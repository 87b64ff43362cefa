// The studio's headless model driven as the panels drive it, with no display: open a dataset, start, pause,
// resume, scrub to a checkpoint, batch export, chamfer report, stop.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "app/studio_model.h"
#include "tests/trainer/nmr_fixture.h"
#include "trainer/checkpoint.h"
#include "trainer/obj_io.h"

namespace dibr::studio {
namespace {

namespace fs = std::filesystem;
constexpr const char* kClass = "02691156";

std::string make_tiny_dataset(const test::TempDir& dir) {
  const auto root = dir.path / "nmr";
  torch::manual_seed(5);
  for (int i = 0; i < 4; ++i) test::write_fake_object(root / kClass / ("obj" + std::to_string(i)), i, 32);
  test::write_list(root / kClass / "softras_train.lst", {"obj0", "obj1"});
  test::write_list(root / kClass / "softras_val.lst", {"obj2"});
  test::write_list(root / kClass / "softras_test.lst", {"obj2", "obj3"});
  return root.string();
}

StudioOptions tiny_options(const std::string& data, const std::string& out) {
  StudioOptions o;
  o.config = TrainConfig::from_preset("quick");
  o.config.data.root = data;
  o.config.data.image_size = 32;
  o.config.data.batch_objects = 2;
  o.config.optim.max_steps = 100000;
  o.config.run.out_dir = out;
  o.config.run.checkpoint_every = 2;
  o.config.run.keep_every = 2;
  o.config.run.snapshot_every = 1;
  o.config.run.preview_count = 1;
  o.config.system.device = "cpu";
  o.config.system.num_threads = 1;
  o.given_keys = {"data.image_size", "data.batch_objects", "optim.max_steps", "run.out_dir"};
  return o;
}

// Polls as the window does every frame until `done` holds; waits on state, never on a fixed time.
template <typename Pred>
bool poll_until(StudioModel& m, Pred done, double seconds = 120) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (true) {
    m.poll();
    if (done()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

class StudioModelTest : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("DISPLAY"); }  // nothing here may need a window
};

TEST_F(StudioModelTest, WholeWorkflowWithoutADisplay) {
  test::TempDir dir("studio_model");
  const auto data = make_tiny_dataset(dir);
  const auto out = (dir.path / "run").string();
  StudioModel m(tiny_options(data, out), "");

  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  EXPECT_EQ(m.dataset()->root, fs::absolute(data).lexically_normal().string());
  EXPECT_EQ(m.dataset()->train.objects.size(), 2u);
  ASSERT_EQ(m.class_counts().size(), 1u);
  EXPECT_EQ(m.class_counts()[0].test, 2);

  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Running && m.loss_history().size() >= 3; }))
      << to_string(m.run_state()) << ": " << m.run().error();
  EXPECT_EQ(m.loss_names(), (std::vector<std::string>{"color", "iou", "laplacian", "flatten"}));
  ASSERT_TRUE(poll_until(m, [&] { return m.shown_preview().count() == 1; }));
  EXPECT_EQ(m.shown_preview().preview_ids[0], std::string(kClass) + "/obj2");

  m.toggle_pause();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Paused; }));
  const int64_t paused_at = m.run().step();
  for (int i = 0; i < 20; ++i) m.poll();
  EXPECT_EQ(m.run().step(), paused_at) << "the step advanced while paused";
  EXPECT_NE(m.set_field("optim.learning_rate", "1e-3"), "") << "settings are locked while a run is active";

  m.toggle_pause();
  ASSERT_TRUE(poll_until(m, [&] { return m.run().step() > paused_at + 2; }));

  m.rescan_checkpoints();
  ASSERT_TRUE(poll_until(m, [&] {
    m.rescan_checkpoints();
    return m.checkpoints().size() >= 2;
  }));
  m.select_checkpoint(0);
  ASSERT_TRUE(poll_until(m, [&] { return m.showing_checkpoint() && m.shown_preview().from_checkpoint && !m.checkpoint_loading(); }));
  EXPECT_EQ(m.shown_preview().step, m.checkpoints()[0].step);
  EXPECT_EQ(m.shown_preview().preview_ids, (std::vector<std::string>{std::string(kClass) + "/obj2"}))
      << "the checkpoint view shows the live view's objects";

  m.export_shown();
  const auto exports = dir.path / "run" / "exports";
  ASSERT_TRUE(fs::is_directory(exports)) << m.messages().back().text;
  const auto exported = fs::directory_iterator(exports)->path();
  EXPECT_EQ(read_obj(exported.string()).vertices.size(0), 642);

  m.start_batch_export();
  ASSERT_TRUE(poll_until(m, [&] { return !m.batch_export_job().running() && !m.predictions_dir().empty(); }))
      << m.messages().back().text;
  EXPECT_TRUE(fs::is_regular_file(fs::path(m.predictions_dir()) / kClass / "obj3_0.obj"));

  m.start_chamfer_report();
  ASSERT_TRUE(poll_until(m, [&] { return m.chamfer_report().has_value(); })) << m.messages().back().text;
  EXPECT_EQ(m.chamfer_report()->objects.size(), 2u);
  EXPECT_GT(m.chamfer_report()->mean_of_class_means, 0.0);
  EXPECT_TRUE(fs::is_regular_file(m.chamfer_saved_prefix() + ".csv"));

  m.stop_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Stopped; }));
  const int64_t stopped_at = m.run().step();
  EXPECT_EQ(load_checkpoint(out + "/latest.pt", nullptr, nullptr).step, stopped_at);
  EXPECT_NE(m.window_title().find("stopped step"), std::string::npos) << m.window_title();
  EXPECT_EQ(m.error_count(), 0u) << m.messages().back().text;
}

TEST_F(StudioModelTest, BadSettingsAreRefusedWhereEnteredAndFlagsSurvivePresetSwitches) {
  test::TempDir dir("studio_model_config");
  StudioModel m(tiny_options(make_tiny_dataset(dir), (dir.path / "run").string()), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));

  const std::string refused = m.set_field("data.image_size", "8");
  EXPECT_NE(refused.find("data.image_size (--size)"), std::string::npos) << refused;
  EXPECT_NE(refused.find("[16, 1024]"), std::string::npos) << refused;
  EXPECT_EQ(m.config().data.image_size, 32) << "a refused value must not be kept";
  EXPECT_NE(m.set_field("raster.knum", "200"), "");
  EXPECT_NE(m.set_field("optim.learning_rate", "nan"), "");
  EXPECT_EQ(m.set_field("raster.knum", "64"), "");
  EXPECT_EQ(m.config().raster.knum, 64);

  m.apply_preset("paper");
  EXPECT_EQ(m.config().preset, "paper");
  EXPECT_EQ(m.config().model.decoder_hidden, 256);
  EXPECT_EQ(m.config().data.image_size, 32) << "a command-line value survives the preset switch";
  EXPECT_EQ(m.config().raster.knum, 64) << "a value set in the panel survives the preset switch";
  m.apply_preset("quick");
  EXPECT_EQ(m.config().model.decoder_hidden, 64);
}

TEST_F(StudioModelTest, TheDatasetCheckFindsWhatTrainingWouldHit) {
  test::TempDir dir("studio_model_deep");
  const auto data = make_tiny_dataset(dir);
  const fs::path png = fs::path(data) / kClass / "obj1" / "mask" / "0013.png";
  fs::resize_file(png, fs::file_size(png) / 2);  // exists, so the quick check passes it
  StudioModel m(tiny_options(data, (dir.path / "run").string()), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset_deep_checked(); }));
  bool named = false;
  for (const auto& p : m.dataset()->problems) named = named || p.path.find("0013.png") != std::string::npos;
  EXPECT_TRUE(named) << "the truncated mask is listed with its file";
  EXPECT_EQ(m.dataset()->train.objects.size(), 1u);
  EXPECT_EQ(m.state_json()["dataset"]["deep_checked"], true);
}

TEST_F(StudioModelTest, ABadFolderKeepsTheDatasetInUse) {
  test::TempDir dir("studio_model_folders");
  StudioModel m(tiny_options(make_tiny_dataset(dir), (dir.path / "run").string()), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  const std::string root = m.dataset()->root;
  fs::create_directories(dir.path / "empty");
  m.open_dataset((dir.path / "empty").string());
  ASSERT_TRUE(poll_until(m, [&] { return !m.dataset_checking(); }));
  m.poll();
  EXPECT_EQ(m.dataset()->root, root);
  EXPECT_GE(m.error_count(), 1u);
  m.open_dataset((dir.path / "missing").string());
  EXPECT_EQ(m.data_root_input(), (dir.path / "missing").string()) << "the typed path is kept after an error";
  EXPECT_EQ(m.dataset()->root, root);
}

}  // namespace
}  // namespace dibr::studio
