#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <thread>

#include "nmr_fixture.h"
#include "render/icosphere.h"
#include "trainer/checkpoint.h"
#include "trainer/inference.h"
#include "trainer/reconstruction_model.h"
#include "trainer/trainer.h"
#include "trainer/training_run.h"

namespace dibr {
namespace {

constexpr const char* kClass = "02691156";

// Three fake objects: two for training, one for the preview (val).
std::string make_tiny_dataset(const test::TempDir& dir) {
  const auto root = dir.path / "nmr";
  const auto class_dir = root / kClass;
  torch::manual_seed(5);
  for (int i = 0; i < 3; ++i) test::write_fake_object(class_dir / ("obj" + std::to_string(i)), i, 32);
  test::write_list(class_dir / "softras_train.lst", {"obj0", "obj1"});
  test::write_list(class_dir / "softras_val.lst", {"obj2"});
  test::write_list(class_dir / "softras_test.lst", {"obj2"});
  return root.string();
}

TrainConfig tiny_config(const std::string& data_root, const std::string& out_dir) {
  TrainConfig c = TrainConfig::from_preset("quick");
  c.data.root = data_root;
  c.run.out_dir = out_dir;
  c.system.device = "cpu";
  c.data.image_size = 32;
  c.data.batch_objects = 2;
  c.data.views_per_object = 2;
  c.optim.max_steps = 4;
  c.run.checkpoint_every = 1000;
  c.run.keep_every = 0;
  c.run.snapshot_every = 1000;
  c.run.preview_count = 1;
  c.system.loader_workers = 1;
  c.system.num_threads = 1;
  c.system.seed = 3;
  return c;
}

std::shared_ptr<const Dataset> data_of(const TrainConfig& c) { return open_dataset(c.data.root); }

// Starts a run and waits for it to end; returns its final state.
RunState run_to_end(TrainingRun& run, const TrainConfig& c, bool resume = false) {
  EXPECT_TRUE(run.start(c, data_of(c), resume));
  run.wait();
  return run.state();
}

// Parameters and buffers of the model stored in a checkpoint.
std::vector<std::pair<std::string, at::Tensor>> stored_state(const std::string& checkpoint) {
  ReconstructionNet net(make_icosphere(3, 0.5), Trainer::config_from_checkpoint(checkpoint).model.decoder_hidden);
  load_checkpoint(checkpoint, net.get(), nullptr);
  std::vector<std::pair<std::string, at::Tensor>> state;
  for (const auto& p : net->named_parameters()) state.emplace_back(p.key(), p.value().clone());
  for (const auto& b : net->named_buffers()) state.emplace_back(b.key(), b.value().clone());
  return state;
}

template <typename Pred>
bool wait_until(Pred pred, double seconds = 60) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(Trainer, ResumeContinuesExactly) {
  test::TempDir dir("trainer_resume");
  const auto root = make_tiny_dataset(dir);

  auto straight = tiny_config(root, (dir.path / "straight").string());
  straight.optim.max_steps = 4;
  {
    TrainingRun run;
    EXPECT_EQ(run_to_end(run, straight), RunState::Finished) << run.error();
    EXPECT_EQ(run.step(), 4);
  }

  auto split = tiny_config(root, (dir.path / "split").string());
  split.optim.max_steps = 2;
  {
    TrainingRun run;
    EXPECT_EQ(run_to_end(run, split), RunState::Finished) << run.error();
    EXPECT_EQ(run.step(), 2);
  }
  split.optim.max_steps = 4;
  {
    Trainer t(split, data_of(split), /*resume=*/true);
    EXPECT_TRUE(t.resumed());
    EXPECT_EQ(t.step(), 2);
  }
  {
    TrainingRun run;
    EXPECT_EQ(run_to_end(run, split, /*resume=*/true), RunState::Finished) << run.error();
    EXPECT_TRUE(run.resumed());
    EXPECT_EQ(run.step(), 4);
    EXPECT_EQ(run.loss_history().size(), 4u) << "metrics.csv rows of the first part are kept";
  }

  const auto a = stored_state((dir.path / "straight" / "latest.pt").string());
  const auto b = stored_state((dir.path / "split" / "latest.pt").string());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].first, b[i].first);
    const double diff = (a[i].second.to(torch::kFloat64) - b[i].second.to(torch::kFloat64)).abs().max().item<double>();
    EXPECT_LE(diff, 1e-6) << a[i].first;
  }
  // Training did change the model (otherwise the comparison above proves little): alpha left 0.
  bool found_alpha = false;
  for (const auto& [name, value] : a) {
    if (name != "alpha") continue;
    found_alpha = true;
    EXPECT_NE(value.item<double>(), 0.0);
  }
  EXPECT_TRUE(found_alpha);
}

TEST(Trainer, NanLossStopsAndKeepsTheLastGoodCheckpoint) {
  test::TempDir dir("trainer_nan");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.optim.max_steps = 10;
  c.run.checkpoint_every = 2;
  TrainingRun run;
  run.set_batch_hook([](int64_t step, Batch& batch) {
    if (step == 3) batch.images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  });
  EXPECT_EQ(run_to_end(run, c), RunState::Failed);
  EXPECT_NE(run.error().find("NaN at step 4"), std::string::npos) << run.error();
  EXPECT_NE(run.error().find("color="), std::string::npos) << run.error();
  EXPECT_NE(run.error().find("the last good checkpoint is"), std::string::npos) << run.error();
  EXPECT_EQ(run.step(), 3);
  const auto meta = load_checkpoint(run.latest_checkpoint_path(), nullptr, nullptr);
  EXPECT_EQ(meta.step, 2);
  EXPECT_TRUE(std::isfinite(meta.loss));
}

TEST(Trainer, ANanBeforeTheFirstCheckpointNamesNone) {
  test::TempDir dir("trainer_nan_first");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.optim.max_steps = 10;
  c.run.checkpoint_every = 5;
  TrainingRun run;
  run.set_batch_hook([](int64_t step, Batch& batch) {
    if (step == 1) batch.images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  });
  EXPECT_EQ(run_to_end(run, c), RunState::Failed);
  EXPECT_NE(run.error().find("no checkpoint was written before it"), std::string::npos) << run.error();
  EXPECT_FALSE(std::filesystem::exists(run.latest_checkpoint_path()));
}

TEST(Trainer, DivergedWeightsAreNeverSaved) {
  test::TempDir dir("trainer_diverged");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  Trainer t(c, data_of(c), false);
  t.train_step();
  std::filesystem::create_directories(dir.path / "run");
  const auto good = (dir.path / "run" / "good.pt").string();
  t.save(good);
  EXPECT_TRUE(std::filesystem::exists(good));
  // A finite loss can be followed by a step that overflows the weights: the next save must refuse them.
  {
    torch::NoGradGuard no_grad;
    t.network().parameters()[0].view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
  }
  const auto bad = (dir.path / "run" / "bad.pt").string();
  EXPECT_THROW(t.save(bad), NonFiniteLoss);
  EXPECT_FALSE(std::filesystem::exists(bad));
  EXPECT_FALSE(std::filesystem::exists(bad + ".tmp"));
  // Such a file written by other means is refused by eval and the studio (InferenceModel).
  CheckpointMeta meta = load_checkpoint(good, nullptr, nullptr);
  save_checkpoint(bad, t.network(), nullptr, meta);
  try {
    InferenceModel model(bad, "cpu");
    FAIL() << "a checkpoint with NaN weights was loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("non-finite weights"), std::string::npos) << e.what();
  }
}

TEST(TrainingRun, PauseResumeAndStopFromAnotherThread) {
  test::TempDir dir("trainer_threads");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.optim.max_steps = 100000;
  c.run.snapshot_every = 1;
  TrainingRun t;
  EXPECT_EQ(t.state(), RunState::Idle);
  ASSERT_TRUE(t.start(c, data_of(c), false));
  EXPECT_FALSE(t.start(c, data_of(c), false)) << "a second start while running is ignored";
  ASSERT_TRUE(wait_until([&] { return t.step() >= 1; }));
  EXPECT_EQ(t.state(), RunState::Running);

  t.pause();
  EXPECT_EQ(t.state(), RunState::Paused);
  const int64_t paused_at = t.step();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(t.step(), paused_at) << "the step advanced while paused";

  t.resume();
  EXPECT_EQ(t.state(), RunState::Running);
  ASSERT_TRUE(wait_until([&] { return t.step() > paused_at; }));

  t.stop();
  t.wait();
  EXPECT_EQ(t.state(), RunState::Stopped);
  const int64_t stopped_at = t.step();
  EXPECT_EQ(load_checkpoint(t.latest_checkpoint_path(), nullptr, nullptr).step, stopped_at);
  EXPECT_EQ(static_cast<int64_t>(t.loss_history().size()), stopped_at);
  EXPECT_EQ(t.loss_history_since(static_cast<size_t>(stopped_at) - 1).size(), 1u);

  auto snapshot = t.latest_snapshot();
  ASSERT_TRUE(snapshot);
  EXPECT_GE(snapshot->step, 1);
  EXPECT_EQ(snapshot->method, "dibr");
  EXPECT_EQ(snapshot->preview_ids, (std::vector<std::string>{std::string(kClass) + "/obj2"}));
  EXPECT_EQ(snapshot->images.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_EQ(snapshot->gt_masks.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_EQ(snapshot->silhouettes.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_EQ(snapshot->renders.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_EQ(snapshot->prediction.kind, PredictionKind::Mesh);
  EXPECT_EQ(snapshot->prediction.vertices.sizes(), (std::vector<int64_t>{1, 642, 3}));
  EXPECT_EQ(snapshot->prediction.faces.sizes(), (std::vector<int64_t>{1280, 3}));
  EXPECT_EQ(snapshot->gt_points.sizes(), (std::vector<int64_t>{1, 2048, 3}));

  // Stopped (not finished): it can be started again and continues from where it was.
  ASSERT_TRUE(t.start(c, data_of(c), true));
  ASSERT_TRUE(wait_until([&] { return t.step() > stopped_at; }));
  t.stop();
  t.wait();
  EXPECT_GT(t.step(), stopped_at);
}

TEST(TrainingRun, ConstructionHappensOnTheBackgroundThread) {
  test::TempDir dir("trainer_async");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.model.pretrained_encoder = (dir.path / "missing_r18.pt").string();
  TrainingRun run;
  ASSERT_TRUE(run.start(c, data_of(c), false)) << "start returns before the trainer is built";
  run.wait();
  EXPECT_EQ(run.state(), RunState::Failed);
  EXPECT_NE(run.error().find("could not start training"), std::string::npos) << run.error();
}

TEST(Trainer, WritesMetricsAndKeepsCheckpointsReadableByInference) {
  test::TempDir dir("trainer_outputs");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.optim.max_steps = 4;
  c.run.keep_every = 2;
  c.run.checkpoint_every = 2;
  TrainingRun run;
  int calls = 0;
  run.set_progress_callback([&](const TrainerProgress& p) {
    ++calls;
    EXPECT_EQ(p.step, calls);
    EXPECT_EQ(p.max_steps, 4);
    EXPECT_TRUE(std::isfinite(p.losses.total));
    ASSERT_EQ(p.losses.terms.size(), 4u);
    EXPECT_NEAR(p.losses.total, 3 * p.losses.term(0) + p.losses.term(1) + 0.01 * p.losses.term(2) + 0.001 * p.losses.term(3),
                1e-5);
  });
  EXPECT_EQ(run_to_end(run, c), RunState::Finished) << run.error();
  EXPECT_EQ(calls, 4);

  std::ifstream csv(dir.path / "run" / "metrics.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,seconds,total,color,iou,laplacian,flatten,lr");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 4);

  const auto list = list_checkpoints(c.run.out_dir);
  ASSERT_EQ(list.size(), 3u);  // step_2, step_4, latest (4)
  EXPECT_EQ(list[0].step, 2);
  EXPECT_EQ(list[1].step, 4);
  EXPECT_EQ(list[2].step, 4);
  EXPECT_EQ(list[0].method, "dibr");

  InferenceModel model(run.latest_checkpoint_path(), "cpu");
  EXPECT_EQ(model.step(), 4);
  EXPECT_EQ(model.method().name, "dibr");
  EXPECT_EQ(model.config().to_json(), c.to_json());
  auto images = torch::rand({2, 3, 32, 32});
  auto plain = model.predict(images);
  EXPECT_EQ(plain.prediction.vertices.sizes(), (std::vector<int64_t>{2, 642, 3}));
  EXPECT_FALSE(plain.silhouettes.defined());
  auto mats = torch::cat({nmr_world_mat(0.0), nmr_world_mat(90.0)});
  auto with_cameras = model.predict(images, mats, torch::full({2}, focal_from_fovy(kNmrFovyDegrees)));
  EXPECT_EQ(with_cameras.silhouettes.sizes(), (std::vector<int64_t>{2, 32, 32}));
  EXPECT_EQ(with_cameras.renders.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
  EXPECT_GT(with_cameras.silhouettes.sum().item<double>(), 10.0) << "the predicted mesh is not visible";
  EXPECT_TRUE(torch::equal(plain.prediction.vertices, with_cameras.prediction.vertices));
}

TEST(Trainer, ResumeFallsBackToTheNewestStepCheckpoint) {
  test::TempDir dir("trainer_fallback");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.optim.max_steps = 4;
  c.run.keep_every = 2;
  c.run.checkpoint_every = 2;
  {
    TrainingRun run;
    EXPECT_EQ(run_to_end(run, c), RunState::Finished);
  }
  std::filesystem::remove(dir.path / "run" / "latest.pt");
  std::filesystem::remove(dir.path / "run" / "step_4.pt");
  Trainer t(c, data_of(c), /*resume=*/true);
  EXPECT_TRUE(t.resumed());
  EXPECT_EQ(t.step(), 2) << "latest.pt is gone: step_2.pt is the newest checkpoint";
}

TEST(Trainer, RefusesACheckpointOfAnotherMethod) {
  test::TempDir dir("trainer_method");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.optim.max_steps = 1;
  {
    TrainingRun run;
    EXPECT_EQ(run_to_end(run, c), RunState::Finished);
  }
  // Rewrite the checkpoint as if another method had written it.
  const auto latest = (dir.path / "run" / "latest.pt").string();
  ReconstructionNet net(make_icosphere(3, 0.5), c.model.decoder_hidden);
  CheckpointMeta meta = load_checkpoint(latest, net.get(), nullptr);
  meta.method = "pixel2mesh";
  save_checkpoint(latest, *net, nullptr, meta);
  try {
    Trainer t(c, data_of(c), /*resume=*/true);
    FAIL() << "resumed a checkpoint of another method";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'pixel2mesh' network"), std::string::npos) << e.what();
  }
  try {
    InferenceModel model(latest, "cpu");
    FAIL() << "loaded a checkpoint of an unknown method";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown method 'pixel2mesh'"), std::string::npos) << e.what();
  }
}

TEST(Trainer, RejectsBadConfigurationsClearly) {
  test::TempDir dir("trainer_config");
  const auto root = make_tiny_dataset(dir);
  auto c = tiny_config(root, (dir.path / "run").string());
  c.system.device = "tpu";
  EXPECT_THROW(Trainer(c, data_of(c), false), std::invalid_argument);
  c = tiny_config(root, (dir.path / "run").string());
  c.data.image_size = 8;
  EXPECT_THROW(Trainer(c, data_of(c), false), std::invalid_argument);
  c = tiny_config(root, (dir.path / "run").string());
  c.model.pretrained_encoder = (dir.path / "missing_r18.pt").string();
  EXPECT_THROW(Trainer(c, data_of(c), false), std::runtime_error);
  c = tiny_config(root, (dir.path / "run").string());
  c.data.classes = {"no_such_class"};
  EXPECT_THROW(Trainer(c, data_of(c), false), std::runtime_error);
}

}  // namespace
}  // namespace dibr
