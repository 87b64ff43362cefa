// The studio's headless model driven as the panels drive it, with no display: open a dataset, start, pause,
// resume, scrub to a checkpoint, batch export, chamfer report, stop.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include "app/studio_model.h"
#include "app/thread_priority.h"
#include "app/unavailable_controls.h"
#include "tests/trainer/nmr_fixture.h"
#include "trainer/checkpoint.h"
#include "trainer/image_io.h"
#include "trainer/mesh_export.h"
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
  StudioOptions options = tiny_options(data, out);
  const int window_nice = this_thread_nice();
  options.training_nice = std::min(19, window_nice + 1);  // one step: this test may share a loaded machine
  StudioModel m(options, "");
  EXPECT_EQ(m.training_thread_nice(), -1);

  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  EXPECT_EQ(m.dataset()->root, fs::absolute(data).lexically_normal().string());
  EXPECT_EQ(m.dataset()->train.objects.size(), 2u);
  ASSERT_EQ(m.class_counts().size(), 1u);
  EXPECT_EQ(m.class_counts()[0].test, 2);

  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Running && m.loss_history().size() >= 3; }))
      << to_string(m.run_state()) << ": " << m.run().error();
  EXPECT_EQ(m.training_thread_nice(), std::min(19, window_nice + 1)) << "the training thread gives way to the window";
  EXPECT_EQ(this_thread_nice(), window_nice);
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
  // Issue 15 item 10: PLY with normals and provenance; a typed name without extension gets the format's.
  m.set_mesh_format(".ply");
  m.set_export_normals(true);
  m.export_path() = (dir.path / "typed" / "chair400").string();
  m.export_shown();
  ASSERT_EQ(m.last_export(), (dir.path / "typed" / "chair400.ply").string()) << m.messages().back().text;
  const PlyMesh ply = read_ply_mesh(m.last_export());
  EXPECT_EQ(ply.vertices.size(0), 642);
  EXPECT_EQ(ply.faces.size(0), 1280);
  EXPECT_TRUE(ply.normals.defined() && ply.colors.defined());
  auto has = [&](const std::string& line) { return std::find(ply.comments.begin(), ply.comments.end(), line) != ply.comments.end(); };
  EXPECT_TRUE(has("step: " + std::to_string(m.shown_preview().step)));
  EXPECT_TRUE(has("source: " + m.shown_preview().checkpoint_path));
  EXPECT_EQ(m.error_count(), 0u) << m.messages().back().text;
  m.export_path() = (dir.path / "typed" / "chair.stl").string();
  m.export_shown();
  ASSERT_EQ(m.error_count(), 1u);
  EXPECT_NE(m.messages().back().text.find(".obj or .ply"), std::string::npos) << m.messages().back().text;
  EXPECT_NE(m.panel_error("export").find(".obj or .ply"), std::string::npos) << "the error is shown in the Export panel";
  EXPECT_EQ(m.panel_error("dataset"), "") << "and nowhere else";
  EXPECT_EQ(m.export_path(), (dir.path / "typed" / "chair.stl").string()) << "the typed path is kept";
  EXPECT_FALSE(fs::exists(dir.path / "typed" / "chair.stl"));
  m.export_path() = (dir.path / "typed" / "chair_again").string();
  m.export_shown();
  EXPECT_EQ(m.panel_error("export"), "") << "a successful export clears the panel's error";
  m.clear_messages();
  m.export_path().clear();
  m.set_mesh_format(".obj");

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
  EXPECT_NE(m.panel_error("dataset").find("missing"), std::string::npos) << "shown in the Dataset panel: " << m.panel_error("dataset");
  m.dismiss_error("dataset");
  EXPECT_EQ(m.panel_error("dataset"), "");
}

// Issue 15 item 11: the first line a newcomer reads says where training runs, not a CUDA or GL detail.
TEST_F(StudioModelTest, TheFirstMessageSaysWhereTrainingRuns) {
  test::TempDir dir("studio_model_device");
  StudioOptions o = tiny_options(make_tiny_dataset(dir), (dir.path / "run").string());
  o.config.system.device = "auto";
  StudioModel m(o, "");
  ASSERT_FALSE(m.messages().empty());
  const std::string first = m.messages().front().text;
  EXPECT_FALSE(m.messages().front().error) << first;
  EXPECT_EQ(first.rfind("training on ", 0), 0u) << first;
  if (!torch::cuda::is_available()) {
    EXPECT_NE(first.find("the CPU (no CUDA device)"), std::string::npos) << first;
  }
}

std::string make_second_dataset(const test::TempDir& dir) {
  const auto root = dir.path / "nmr_b";
  for (int i = 0; i < 3; ++i) test::write_fake_object(root / kClass / ("b" + std::to_string(i)), i + 7, 32);
  test::write_list(root / kClass / "softras_train.lst", {"b0", "b1"});
  test::write_list(root / kClass / "softras_val.lst", {"b2"});
  test::write_list(root / kClass / "softras_test.lst", {"b2"});
  return root.string();
}

// Issue 15.1: a run folder reopened shows its curves, settings and checkpoints, on its own dataset.
TEST_F(StudioModelTest, AReopenedRunShowsItsCurvesCheckpointsAndDataset) {
  test::TempDir dir("studio_model_reopen");
  const auto data_a = make_tiny_dataset(dir), data_b = make_second_dataset(dir);
  const auto run_dir = (dir.path / "run_a").string();
  {
    // Trained "by the CLI": the same TrainingRun, without the studio.
    TrainConfig c = tiny_options(data_a, run_dir).config;
    c.optim.max_steps = 4;
    TrainingRun run;
    run.start(c, open_dataset(data_a), false);
    run.wait();
    ASSERT_EQ(run.state(), RunState::Finished) << run.error();
  }
  ASSERT_TRUE(fs::is_regular_file(fs::path(run_dir) / "config.json")) << "every run writes its settings";

  // Started on that folder: the curves are there before Start.
  {
    StudioModel m(tiny_options(data_a, run_dir), "");
    EXPECT_EQ(m.loss_history().size(), 4u);
    EXPECT_EQ(m.loss_names(), (std::vector<std::string>{"color", "iou", "laplacian", "flatten"}));
    ASSERT_TRUE(poll_until(m, [&] { return !m.checkpoint_loading() && m.shown_preview().from_checkpoint; })) << m.messages().back().text;
    EXPECT_EQ(m.shown_preview().step, 4);
  }

  // A run of another method trained by the CLI keeps its own settings when the studio starts on its folder without
  // --preset or --method (as `dibr train --resume` does); flags still apply, and --preset overrides.
  const auto differ_dir = (dir.path / "run_differ").string();
  {
    TrainConfig c = TrainConfig::from_preset("differ-quick");
    c.data.root = data_a;
    c.data.image_size = 32;
    c.data.batch_objects = 2;
    c.data.views_per_object = 2;
    c.points.count = 64;
    c.optim.max_steps = 2;
    c.run.out_dir = differ_dir;
    c.run.preview_count = 1;
    c.system.device = "cpu";
    c.system.num_threads = 1;
    TrainingRun run;
    run.start(c, open_dataset(data_a), false);
    run.wait();
    ASSERT_EQ(run.state(), RunState::Finished) << run.error();
  }
  {
    StudioModel m(tiny_options(data_b, differ_dir), "");
    EXPECT_EQ(m.config().model.method, "differ");
    EXPECT_EQ(m.config().preset, "differ-quick");
    EXPECT_EQ(m.config().points.count, 64) << "the run's own point count";
    EXPECT_EQ(m.config().optim.max_steps, 100000) << "a flag still applies";
    EXPECT_EQ(m.config().data.root, data_a) << "the run's dataset, not the one the options named without a flag";
    ASSERT_TRUE(poll_until(m, [&] { return !m.checkpoint_loading() && m.shown_preview().from_checkpoint; }));
    EXPECT_EQ(m.shown_preview().prediction.kind, PredictionKind::PointCloud);
    EXPECT_EQ(m.state_json()["prediction_kind"], "point cloud");
  }
  {
    StudioOptions o = tiny_options(data_b, differ_dir);
    o.preset_given = true;
    StudioModel m(o, "");
    EXPECT_EQ(m.config().model.method, "dibr") << "--preset overrides the run's settings";
  }

  StudioModel m(tiny_options(data_b, (dir.path / "other").string()), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr && !m.dataset_checking(); }));
  m.open_run((dir.path / "empty_folder").string());
  EXPECT_NE(m.messages().back().text.find("is not a folder"), std::string::npos) << m.messages().back().text;
  fs::create_directories(dir.path / "empty_folder");
  m.open_run((dir.path / "empty_folder").string());
  EXPECT_NE(m.messages().back().text.find("holds no run"), std::string::npos) << m.messages().back().text;

  m.open_run(run_dir);
  EXPECT_EQ(m.out_dir(), fs::absolute(run_dir).lexically_normal().string());
  EXPECT_EQ(m.config().optim.max_steps, 4) << "the run's own settings";
  EXPECT_EQ(m.loss_history().size(), 4u);
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() && !m.dataset_checking() && !m.checkpoint_loading(); }));
  EXPECT_EQ(m.dataset()->root, fs::absolute(data_a).lexically_normal().string()) << "the run's dataset is opened";
  EXPECT_TRUE(m.shown_preview().from_checkpoint);
  EXPECT_EQ(m.shown_preview().step, 4);

  // Resuming it on another dataset is refused with the reason, not done silently.
  m.open_dataset(data_b);
  ASSERT_TRUE(poll_until(m, [&] { return !m.dataset_checking(); }));
  m.start_or_resume_training();
  EXPECT_FALSE(m.run_started());
  EXPECT_NE(m.messages().back().text.find("holds a run trained on " + data_a), std::string::npos) << m.messages().back().text;
}

// Issue 15.2: one row per step, and the views always show the step the selection holds, also after latest.pt is
// rewritten by more training.
TEST_F(StudioModelTest, CheckpointRowsAreUniqueAndTheViewsFollowTheSelection) {
  test::TempDir dir("studio_model_ckpts");
  const auto data = make_tiny_dataset(dir);
  const auto out = (dir.path / "run").string();
  StudioOptions o = tiny_options(data, out);
  o.config.optim.max_steps = 3;
  o.config.run.checkpoint_every = 1;
  o.config.run.keep_every = 2;
  StudioModel m(o, "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr && !m.dataset_checking(); }));
  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Finished; })) << m.run().error();
  auto rows_are_unique = [&] {
    m.rescan_checkpoints();
    for (size_t i = 1; i < m.checkpoints().size(); ++i)
      if (m.checkpoints()[i].step <= m.checkpoints()[i - 1].step) return false;
    return !m.checkpoints().empty();
  };
  ASSERT_TRUE(rows_are_unique());
  m.toggle_checkpoint_view();  // Ctrl+K: the newest checkpoint (latest.pt: no step_3.pt is kept)
  ASSERT_TRUE(poll_until(m, [&] { return !m.checkpoint_loading() && m.shown_preview().from_checkpoint; }));
  EXPECT_EQ(m.shown_preview().step, 3);
  m.select_checkpoint(0);  // scrubbed back: Ctrl+K must still mean the newest

  EXPECT_EQ(m.set_field("optim.max_steps", "6"), "");
  m.start_or_resume_training();  // resumes from latest.pt and rewrites it; the views go live
  EXPECT_FALSE(m.showing_checkpoint());
  m.toggle_checkpoint_view();  // Ctrl+K while training: latest.pt, rewritten under the view
  EXPECT_TRUE(m.showing_checkpoint());
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Finished; })) << m.run().error();
  ASSERT_TRUE(poll_until(m, [&] {
    m.rescan_checkpoints();
    return m.checkpoint_index() >= 0 && !m.checkpoint_loading() &&
           m.shown_preview().step == m.checkpoints()[m.checkpoint_index()].step;
  })) << "the views show step " << m.shown_preview().step << ", the selection "
      << (m.checkpoint_index() >= 0 ? m.checkpoints()[m.checkpoint_index()].step : -1);
  EXPECT_TRUE(rows_are_unique());
  EXPECT_LT(m.checkpoints().size(), list_checkpoints(out).size()) << "latest.pt and step_6.pt are one row";
  m.select_checkpoint(static_cast<int>(m.checkpoints().size()) - 1);
  ASSERT_TRUE(poll_until(m, [&] { return !m.checkpoint_loading(); }));
  EXPECT_EQ(m.shown_preview().step, 6) << "the newest row loads the newest step";
  EXPECT_EQ(m.checkpoints().back().step, 6);
}

// Issue 15 item 7: each checkpoint gets a val score in the background, stored beside it (so `dibr validate` and a
// reopened studio read it), shown per row with the best one marked; --no-validate scores nothing.
TEST_F(StudioModelTest, EveryCheckpointIsValidatedInTheBackgroundAndTheBestIsMarked) {
  test::TempDir dir("studio_model_validation");
  const auto data = make_tiny_dataset(dir);
  const auto out = (dir.path / "run").string();
  StudioOptions o = tiny_options(data, out);
  o.config.optim.max_steps = 4;
  o.config.run.checkpoint_every = 2;
  o.config.run.keep_every = 2;
  {
    StudioModel m(o, "");
    ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr && !m.dataset_checking(); }));
    m.start_or_resume_training();
    ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Finished; })) << m.run().error();
    auto all_scored = [&] {
      if (m.checkpoints().size() < 2) return false;
      for (int i = 0; i < static_cast<int>(m.checkpoints().size()); ++i)
        if (!m.validation(i)) return false;
      return true;
    };
    ASSERT_TRUE(poll_until(m, all_scored, 300)) << m.state_json()["validation"].dump();
    std::vector<std::optional<ValidationScore>> scores;
    for (int i = 0; i < static_cast<int>(m.checkpoints().size()); ++i) {
      const auto& v = m.validation(i);
      EXPECT_EQ(v->step, m.checkpoints()[i].step);
      EXPECT_GE(v->silhouette_iou, 0.0);
      EXPECT_LE(v->silhouette_iou, 1.0);
      EXPECT_GT(v->chamfer, 0.0) << "the val object has a point cloud";
      EXPECT_TRUE(fs::is_regular_file(validation_file(v->checkpoint))) << v->checkpoint;
      scores.push_back(v);
    }
    EXPECT_EQ(m.best_checkpoint(), best_validation(scores));
    const auto state = m.state_json()["validation"];
    EXPECT_EQ(state["best_step"].get<int64_t>(), m.checkpoints()[m.best_checkpoint()].step) << state.dump();
    EXPECT_EQ(m.error_count(), 0u) << m.messages().back().text;
  }
  {
    StudioModel reopened(o, "");  // the stored scores are read, not computed again
    reopened.poll();
    ASSERT_GE(reopened.checkpoints().size(), 2u);
    for (int i = 0; i < static_cast<int>(reopened.checkpoints().size()); ++i) EXPECT_TRUE(reopened.validation(i).has_value()) << i;
    EXPECT_FALSE(reopened.validating());
  }
  StudioOptions off = tiny_options(data, (dir.path / "off").string());
  off.config.optim.max_steps = 2;
  off.config.run.checkpoint_every = 2;
  off.validate_checkpoints = false;
  StudioModel m(off, "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr && !m.dataset_checking(); }));
  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] {
    EXPECT_FALSE(m.validating());
    return m.run_state() == RunState::Finished && !m.checkpoints().empty();
  })) << m.run().error();
  EXPECT_FALSE(m.validating());
  EXPECT_FALSE(m.validation(0).has_value());
  EXPECT_FALSE(fs::exists(validation_file(m.checkpoints()[0].path)));
}

// A picture as a user would drop it: `grey` rectangle on white (RGB, so the mask comes from the border), or an
// RGBA one whose alpha holds the object.
std::string write_picture(const fs::path& path, float grey, bool with_alpha) {
  auto rgb = torch::ones({80, 120, 3});
  rgb.slice(0, 20, 60).slice(1, 50, 90).fill_(grey);
  if (with_alpha) {
    auto alpha = torch::zeros({80, 120, 1});
    alpha.slice(0, 10, 70).slice(1, 10, 60).fill_(1);
    rgb = torch::cat({rgb, alpha}, 2);
  }
  write_png(path.string(), (rgb * 255).round().to(torch::kUInt8).contiguous());
  return path.string();
}

TEST_F(StudioModelTest, DroppedImagesAreReconstructedWithTheModelOnShow) {
  test::TempDir dir("studio_model_images");
  const auto data = make_tiny_dataset(dir);
  const auto out = (dir.path / "run").string();
  StudioModel m(tiny_options(data, out), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr && !m.dataset_checking(); }));

  // Before any checkpoint the pictures wait, and say for what.
  const std::string box = write_picture(dir.path / "box.png", 0.6f, false);
  m.on_drop({box});
  ASSERT_EQ(m.gallery().images().size(), 1u);
  EXPECT_NE(m.messages().back().text.find("wait for a model"), std::string::npos) << m.messages().back().text;
  EXPECT_NE(m.state_json()["images"]["waiting_for_model"].get<std::string>().find("no checkpoint"), std::string::npos);
  EXPECT_FALSE(m.viewing_image()) << "nothing to show before the picture is reconstructed";

  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.gallery().images()[0].done; })) << m.messages().back().text;
  ASSERT_TRUE(poll_until(m, [&] { return m.run().step() >= 5; })) << "two checkpoints for the scrub below";
  m.stop_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Stopped; }));
  // Live: the run's newest checkpoint is the model on show; the picture follows it once training stops.
  ASSERT_TRUE(poll_until(m, [&] {
    m.rescan_checkpoints();
    return m.gallery().model().step == m.run().step() && m.gallery().pending() == 0 && !m.gallery().busy();
  }));
  const GalleryImage& first = m.gallery().images()[0];
  ASSERT_TRUE(first.result.error.empty()) << first.result.error;
  EXPECT_EQ(first.model_step, m.run().step());
  EXPECT_EQ(first.result.mask_source.rfind("background #ffffff", 0), 0u) << first.result.mask_source;
  EXPECT_EQ(first.result.input.image.size(-1), 32) << "framed at the checkpoint's image size";
  ASSERT_TRUE(m.viewing_image());
  EXPECT_EQ(m.state_json()["view_subject"], "image");

  m.export_shown();
  const fs::path exported = fs::path(out) / "exports" / ("box_step" + std::to_string(first.model_step) + ".obj");
  ASSERT_TRUE(fs::is_regular_file(exported)) << m.messages().back().text;
  EXPECT_EQ(read_obj(exported.string()).vertices.size(0), 642);

  // A gallery: an RGBA picture, a broken file (named in its error) and the same name again (made unique).
  const std::string rgba = write_picture(dir.path / "cut_out.png", 0.2f, true);
  std::ofstream(dir.path / "broken.png") << "not a png";
  fs::create_directories(dir.path / "again");
  const std::string box_again = write_picture(dir.path / "again" / "box.png", 0.3f, false);
  const size_t errors_before = m.error_count();
  m.on_drop({rgba, (dir.path / "broken.png").string(), box_again});
  ASSERT_EQ(m.gallery().images().size(), 4u);
  EXPECT_EQ(m.gallery().selected(), 1) << "the first dropped picture is selected";
  EXPECT_EQ(m.gallery().images()[3].name, "box_2");
  ASSERT_TRUE(poll_until(m, [&] { return m.gallery().pending() == 0 && !m.gallery().busy(); }));
  const auto& images = m.gallery().images();
  EXPECT_EQ(images[1].result.mask_source, "alpha channel");
  EXPECT_NE(images[2].result.error.find("broken.png"), std::string::npos) << images[2].result.error;
  EXPECT_TRUE(images[3].result.error.empty()) << images[3].result.error;
  EXPECT_EQ(m.error_count(), errors_before + 1) << "the broken picture is reported once";

  // The threshold re-runs the pictures whose mask came from the background, and only those: the 0.6 grey box
  // differs from white by 0.4, so at 0.5 no object is found, and at 0.1 it is back.
  const int alpha_generation = images[1].generation, box_generation = images[0].generation;
  m.set_image_threshold(0.5);
  ASSERT_TRUE(poll_until(m, [&] { return m.gallery().pending() == 0 && !m.gallery().busy(); }));
  EXPECT_GT(m.gallery().images()[0].generation, box_generation);
  EXPECT_NE(m.gallery().images()[0].result.error.find("no object found"), std::string::npos) << m.gallery().images()[0].result.error;
  EXPECT_TRUE(m.gallery().images()[3].result.error.empty()) << "the 0.3 grey box differs by 0.7: still found";
  EXPECT_EQ(m.gallery().images()[1].generation, alpha_generation) << "an alpha mask does not depend on the threshold";
  m.set_image_threshold(0.1);
  ASSERT_TRUE(poll_until(m, [&] { return m.gallery().pending() == 0 && !m.gallery().busy(); }));
  EXPECT_TRUE(m.gallery().images()[0].result.error.empty()) << m.gallery().images()[0].result.error;

  // Scrubbing to an older checkpoint re-runs every picture with it.
  m.rescan_checkpoints();
  ASSERT_GE(m.checkpoints().size(), 2u);
  m.select_checkpoint(0);
  ASSERT_TRUE(poll_until(m, [&] { return m.gallery().pending() == 0 && !m.gallery().busy(); }));
  EXPECT_EQ(m.gallery().images()[3].model_step, m.checkpoints()[0].step);

  // Picking a preview object puts it back in the 3D view; dropping a folder still means a dataset.
  m.select_image(3);
  EXPECT_TRUE(m.viewing_image());
  m.select_object(0);
  EXPECT_FALSE(m.viewing_image());
  std::ofstream(dir.path / "notes.txt") << "hello";
  m.on_drop({(dir.path / "notes.txt").string()});
  EXPECT_NE(m.messages().back().text.find("neither a folder (a dataset) nor an image"), std::string::npos) << m.messages().back().text;
  m.on_drop({data});
  EXPECT_TRUE(m.dataset_checking());
  bool said = false;
  for (const auto& msg : m.messages()) said = said || msg.text.find("as a dataset (drop image files to reconstruct them)") != std::string::npos;
  EXPECT_TRUE(said);
  m.remove_image(2);
  EXPECT_EQ(m.gallery().images().size(), 3u);
  m.clear_images();
  EXPECT_TRUE(m.gallery().images().empty());
}

}  // namespace
}  // namespace dibr::studio

namespace dibr::studio {
namespace {

TEST_F(StudioModelTest, RunsOfOtherMethodsAreComparedSideBySide) {
  test::TempDir dir("studio_compare");
  const auto data = make_tiny_dataset(dir);
  // Another method's run, trained elsewhere (the CLI's run folder layout).
  TrainConfig other = TrainConfig::from_preset("nmr-quick");
  other.data.root = data;
  other.run.out_dir = (dir.path / "nmr-run").string();
  other.data.batch_objects = 2;
  other.optim.max_steps = 2;
  other.run.preview_count = 1;
  other.system.device = "cpu";
  other.system.num_threads = 1;
  {
    TrainingRun run;
    ASSERT_TRUE(run.start(other, open_dataset(data), false));
    run.wait();
    ASSERT_EQ(run.state(), RunState::Finished) << run.error();
  }
  auto options = tiny_options(data, (dir.path / "run").string());
  options.config.optim.max_steps = 2;
  StudioModel m(options, "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  m.start_compare();
  EXPECT_GT(m.error_count(), 0u) << "a comparison of nothing was started";
  const size_t errors = m.error_count();
  m.add_compare_run((dir.path / "nowhere").string());
  EXPECT_EQ(m.error_count(), errors + 1) << "a folder without a checkpoint was added";
  EXPECT_TRUE(m.compare_runs().empty());

  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Finished; })) << m.run().error();
  m.add_compare_run(other.run.out_dir);
  m.add_compare_run(other.run.out_dir);  // once only
  ASSERT_EQ(m.compare_runs().size(), 1u);
  m.start_compare();
  ASSERT_TRUE(poll_until(m, [&] { return m.compare_report().has_value() && !m.compare_job().running(); }, 300))
      << m.messages().back().text;
  const CompareReport& r = *m.compare_report();
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_EQ(r.runs[0].label, "dibr · run");
  EXPECT_EQ(r.runs[1].label, "nmr · nmr-run");
  EXPECT_EQ(r.runs[1].reference.objects.size(), 2u);
  EXPECT_TRUE(fs::is_regular_file(fs::path(m.compare_dir()) / "compare_grid.png"));
  EXPECT_EQ(m.state_json()["compare"]["report"]["runs"].size(), 2u);
  // Each compared run's predictions of the objects on show, side by side; the 3D view can take any of them.
  ASSERT_EQ(m.compare_previews().size(), 2u);
  EXPECT_EQ(m.compare_previews()[1].method, "nmr");
  EXPECT_EQ(m.compare_previews()[1].preview_ids, m.shown_preview().preview_ids);
  EXPECT_EQ(m.compare_previews()[1].silhouettes.sizes(), m.shown_preview().silhouettes.sizes());
  EXPECT_EQ(&m.viewport_preview(), &m.shown_preview());
  m.set_compare_view(1);
  EXPECT_EQ(m.viewport_preview().method, "nmr");
  m.set_compare_view(5);
  EXPECT_EQ(m.compare_view(), -1);
  m.remove_compare_run(0);
  EXPECT_TRUE(m.compare_runs().empty());
}

}  // namespace
}  // namespace dibr::studio

namespace dibr::studio {
namespace {

// A run that another process trains (dibr train, a distributed run's rank 0, another studio) is followed read-only:
// its curves grow as metrics.csv does, new checkpoints reach the views, Start is refused; when it ends the studio
// says so and has every row. "Another process": the run trains here, and its writer.json is then made to name a
// live process that is not this one (our parent), as `dibr train` in another terminal would.
TEST_F(StudioModelTest, ARunAnotherProcessWritesIsFollowedReadOnly) {
  test::TempDir dir("studio_model_follow");
  const auto data = make_tiny_dataset(dir);
  const auto run_dir = (dir.path / "cli_run").string();
  TrainConfig c = tiny_options(data, run_dir).config;
  c.optim.max_steps = 100000;
  c.run.checkpoint_every = 3;
  c.run.keep_every = 3;
  TrainingRun cli;
  ASSERT_TRUE(cli.start(c, open_dataset(data), false));
  const fs::path mark = fs::path(run_dir) / "writer.json";
  const auto wait_for = [](auto done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done();
  };
  ASSERT_TRUE(wait_for([&] { return cli.step() >= 1 && fs::is_regular_file(mark); })) << cli.error();
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  {
    std::ofstream out(mark);
    out << "{\"host\": \"" << host << "\", \"pid\": " << getppid() << ", \"world_size\": 2}\n";
  }

  StudioModel m(tiny_options(data, run_dir), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.followed_writer().has_value(); }));
  EXPECT_NE(m.state_json()["run"]["following"].get<std::string>().find("2 processes"), std::string::npos);
  const size_t first_rows = m.loss_history().size();
  ASSERT_TRUE(poll_until(m, [&] { return m.loss_history().size() >= first_rows + 3; })) << "the curves grow with metrics.csv";
  for (size_t i = 1; i < m.loss_history().size(); ++i)
    ASSERT_EQ(m.loss_history()[i].step, m.loss_history()[i - 1].step + 1) << "each row once, in order";
  const int64_t newest_before = m.checkpoints().empty() ? 0 : m.checkpoints().back().step;
  ASSERT_TRUE(poll_until(m, [&] {
    return !m.checkpoints().empty() && m.checkpoints().back().step > newest_before && !m.checkpoint_loading() &&
           m.shown_preview().from_checkpoint && m.shown_preview().step == m.checkpoints().back().step;
  })) << "a new checkpoint reaches the views";

  const size_t errors = m.error_count();
  m.start_or_resume_training();
  EXPECT_EQ(m.error_count(), errors + 1);
  EXPECT_NE(m.messages().back().text.find("being trained by dibr train (pid " + std::to_string(getppid())), std::string::npos)
      << m.messages().back().text;
  EXPECT_FALSE(m.training_active());

  cli.stop();
  cli.wait();
  fs::remove(mark);  // what the other process does when it ends
  ASSERT_TRUE(poll_until(m, [&] { return !m.followed_writer().has_value(); }));
  const auto rows = MetricsLog::read((fs::path(run_dir) / "metrics.csv").string());
  EXPECT_EQ(m.loss_history().size(), rows.size()) << "every row, once the run has ended";
  EXPECT_NE(m.messages().back().text.find("the followed run has ended"), std::string::npos) << m.messages().back().text;
}

}  // namespace
}  // namespace dibr::studio

namespace dibr::studio {
namespace {

TEST_F(StudioModelTest, ADvrRunShowsItsMeshAndFieldSlicesLiveAndFromACheckpoint) {
  test::TempDir dir("studio_dvr");
  const std::string data = make_tiny_dataset(dir);
  StudioOptions o = tiny_options(data, (dir.path / "run").string());
  o.config = o.config.with_preset("dvr-quick");
  o.config.data.root = data;
  o.config.data.image_size = 32;
  o.config.data.batch_objects = 2;
  o.config.run.out_dir = (dir.path / "run").string();
  o.config.optim.max_steps = 3;
  o.config.run.checkpoint_every = 3;
  o.config.run.snapshot_every = 1;
  o.config.run.preview_count = 1;
  o.config.dvr.rays = 32;
  o.config.dvr.preview_resolution = 8;
  o.config.dvr.mise_resolution = 8;
  o.config.dvr.mise_upsampling = 1;
  o.config.dvr.refine_steps = 1;
  o.config.system.num_threads = 1;
  StudioModel m(o, "");
  ASSERT_EQ(m.config().model.method, "dvr");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Finished; }, 300)) << m.state_json().dump();
  ASSERT_TRUE(poll_until(m, [&] { return m.shown_preview().count() == 1; }));
  const PreviewData& live = m.shown_preview();
  EXPECT_EQ(live.prediction.kind, PredictionKind::ImplicitField);
  ASSERT_TRUE(live.field_slices.defined());
  EXPECT_EQ(live.field_slices.sizes(), (std::vector<int64_t>{1, 3, kFieldSliceResolution, kFieldSliceResolution}));
  EXPECT_EQ(live.prediction.meshes.size(), 1u) << "the live preview carries the coarse mesh for the 3D view";
  const nlohmann::json state = m.state_json();
  EXPECT_EQ(state["prediction_kind"], "implicit field");
  EXPECT_EQ(state["field_slices"], true);

  EXPECT_THROW(m.set_field_slice_axis(3), std::invalid_argument);
  m.set_field_slice_axis(0);
  EXPECT_EQ(m.state_json()["field_slice_axis"], 0);
  const at::Tensor image = field_slice_image(live.field_slices[0][0]);
  EXPECT_EQ(image.sizes(), (std::vector<int64_t>{3, kFieldSliceResolution, kFieldSliceResolution}));
  EXPECT_TRUE(torch::allclose(field_slice_image(torch::full({2, 2}, 0.5)), torch::ones({3, 2, 2})));

  m.rescan_checkpoints();
  ASSERT_TRUE(poll_until(m, [&] { return !m.checkpoints().empty(); }));
  m.select_checkpoint(0);
  ASSERT_TRUE(poll_until(m, [&] { return !m.checkpoint_loading() && m.shown_preview().from_checkpoint; }, 300));
  EXPECT_TRUE(m.shown_preview().field_slices.defined());
  EXPECT_EQ(m.shown_preview().prediction.meshes.size(), 1u);
}

TEST_F(StudioModelTest, AnyValOrTestObjectIsShownFromTheCheckpoint) {
  test::TempDir dir("studio_any_object");
  StudioModel m(tiny_options(make_tiny_dataset(dir), (dir.path / "run").string()), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  const std::string test_object = std::string(kClass) + "/obj3";  // in the test split only
  m.show_object(test_object);
  EXPECT_NE(m.panel_error("object").find("no checkpoint"), std::string::npos) << m.panel_error("object");
  m.show_object("nope/obj");
  EXPECT_NE(m.panel_error("object").find("no object 'nope/obj'"), std::string::npos) << m.panel_error("object");

  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.checkpoints().size() >= 1; })) << m.run().error();
  m.stop_training();
  ASSERT_TRUE(poll_until(m, [&] { return !m.training_active(); }));
  m.show_object(test_object);
  ASSERT_TRUE(poll_until(m, [&] {
    const auto& ids = m.shown_preview().preview_ids;
    return m.showing_checkpoint() && ids.size() == 2 && m.selected_object() == 1;
  })) << m.panel_error("object");
  EXPECT_EQ(m.shown_preview().preview_ids[0], std::string(kClass) + "/obj2") << "the preview object stays first";
  EXPECT_EQ(m.shown_preview().preview_ids[1], test_object);
  EXPECT_EQ(m.shown_preview().gt_points.size(0), 2);
  EXPECT_EQ(m.shown_preview().prediction.vertices.size(0), 2);
  EXPECT_EQ(m.panel_error("object"), "");
  // Back to the preview object, then the test object again: already there, selected at once.
  m.show_object(std::string(kClass) + "/obj2");
  EXPECT_EQ(m.selected_object(), 0);
  m.show_object(test_object);
  EXPECT_EQ(m.selected_object(), 1);
}

// Issue 15 item 11: a control that cannot act is greyed with the reason as its tooltip; the reasons follow the run.
TEST_F(StudioModelTest, GreyedControlsSayWhyAndFollowTheRun) {
  test::TempDir dir("studio_unavailable");
  StudioModel m(tiny_options(make_tiny_dataset(dir), (dir.path / "run").string()), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  const auto why = [&](const char* control) { return why_unavailable(m, control); };
  const auto has = [](const std::string& text, const char* part) { return text.find(part) != std::string::npos; };

  EXPECT_EQ(why("training.start"), "");
  EXPECT_EQ(why("training.settings"), "");
  EXPECT_EQ(why("training.stop"), "nothing is training");
  EXPECT_EQ(why("training.pause"), "nothing is training");
  EXPECT_TRUE(has(why("export.obj"), "no prediction")) << why("export.obj");
  EXPECT_EQ(why("export.save_as"), why("export.obj"));
  EXPECT_TRUE(has(why("export.batch"), "no checkpoint in")) << why("export.batch");
  EXPECT_TRUE(has(why("export.chamfer"), "batch export first")) << why("export.chamfer");
  EXPECT_TRUE(has(why("compare.start"), "Add run")) << why("compare.start");
  EXPECT_TRUE(has(why("images.remove"), "no pictures")) << why("images.remove");
  EXPECT_EQ(why("loss.csv"), "no loss values yet");
  EXPECT_EQ(why("no.such.control"), "");
  const nlohmann::json idle = unavailable_json(m);
  EXPECT_FALSE(idle.contains("training.start"));
  EXPECT_EQ(idle.value("training.stop", ""), "nothing is training");
  for (const auto& [control, reason] : idle.items()) {
    EXPECT_NE(std::find(controls_with_rules().begin(), controls_with_rules().end(), control), controls_with_rules().end()) << control;
    EXPECT_FALSE(reason.get<std::string>().empty()) << control;
  }

  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Running && !m.loss_history().empty(); })) << m.run().error();
  EXPECT_EQ(why("training.start"), "training is running");
  EXPECT_TRUE(has(why("training.settings"), "stop it")) << why("training.settings");
  EXPECT_EQ(why("training.stop"), "");
  EXPECT_EQ(why("training.pause"), "");
  EXPECT_EQ(why("loss.csv"), "");

  m.toggle_pause();
  ASSERT_TRUE(poll_until(m, [&] { return m.run_state() == RunState::Paused; }));
  EXPECT_EQ(why("training.start"), "") << "Start is Resume now";
  EXPECT_TRUE(has(why("training.pause"), "Resume")) << why("training.pause");
  EXPECT_EQ(why("training.stop"), "");
  m.toggle_pause();

  ASSERT_TRUE(poll_until(m, [&] { return !m.checkpoints().empty() && m.shown_preview().count() > 0; })) << m.run().error();
  EXPECT_EQ(why("export.obj"), "");
  EXPECT_EQ(why("export.batch"), "");
  m.stop_training();
  ASSERT_TRUE(poll_until(m, [&] { return !m.training_active(); }));
  EXPECT_EQ(why("training.stop"), "nothing is training");
  EXPECT_EQ(why("training.settings"), "");
  EXPECT_EQ(why("training.start"), "");

  // The save dialog's subject: the automatic name Export uses without a typed path.
  const auto subject = m.export_subject();
  ASSERT_TRUE(subject.has_value());
  EXPECT_EQ(subject->kind, PredictionKind::Mesh);
  EXPECT_EQ(subject->automatic_name.rfind(std::string(kClass) + "_obj2_", 0), 0u) << subject->automatic_name;
  m.export_path() = (dir.path / "chosen" / "name").string();  // what the dialog sets on Save
  m.export_shown();
  EXPECT_EQ(m.last_export(), (dir.path / "chosen" / "name.obj").string()) << m.messages().back().text;
  m.add_compare_run((dir.path / "run").string());
  EXPECT_EQ(why("compare.start"), "");
}

TEST_F(StudioModelTest, ThePreviewSetShowsEveryClassUnlessACountWasChosen) {
  test::TempDir dir("studio_preview_classes");
  const auto root = dir.path / "nmr";
  for (const char* c : {"c1", "c2", "c3"}) {
    test::write_fake_object(root / c / "obj0", 0, 32);
    test::write_fake_object(root / c / "obj1", 1, 32);
    test::write_list(root / c / "softras_train.lst", {"obj0"});
    test::write_list(root / c / "softras_val.lst", {"obj0", "obj1"});
  }
  StudioModel m(tiny_options(root.string(), (dir.path / "run").string()), "");
  ASSERT_TRUE(poll_until(m, [&] { return m.dataset() != nullptr; }));
  EXPECT_EQ(m.config().run.preview_count, 1);
  EXPECT_EQ(m.preview_count(), 3) << "one preview object per class";
  m.set_class_enabled("c3", false);
  EXPECT_EQ(m.preview_count(), 2) << "per class in use";
  m.set_class_enabled("c3", true);
  m.start_or_resume_training();
  ASSERT_TRUE(poll_until(m, [&] { return m.shown_preview().count() == 3; })) << m.run().error();
  EXPECT_EQ(m.shown_preview().preview_ids, (std::vector<std::string>{"c1/obj0", "c2/obj0", "c3/obj0"}));
  m.stop_training();
  ASSERT_TRUE(poll_until(m, [&] { return !m.training_active(); }));
  EXPECT_EQ(m.set_field("run.preview_count", "2"), "");
  EXPECT_EQ(m.preview_count(), 2) << "a count set in the panel is kept";
}

}  // namespace
}  // namespace dibr::studio
