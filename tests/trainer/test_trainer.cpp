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
  c.data_root = data_root;
  c.out_dir = out_dir;
  c.device = "cpu";
  c.image_size = 32;
  c.batch_objects = 2;
  c.views_per_object = 2;
  c.max_steps = 4;
  c.checkpoint_every = 1000;
  c.keep_every = 0;
  c.snapshot_every = 1000;
  c.preview_count = 1;
  c.loader_workers = 1;
  c.num_threads = 1;
  c.seed = 3;
  return c;
}

// Parameters and buffers of the model stored in a checkpoint.
std::vector<std::pair<std::string, at::Tensor>> stored_state(const std::string& checkpoint) {
  ReconstructionNet net(make_icosphere(3, 0.5), Trainer::config_from_checkpoint(checkpoint).decoder_hidden);
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
  straight.max_steps = 4;
  {
    Trainer t(straight);
    t.run();
    EXPECT_EQ(t.step(), 4);
    EXPECT_EQ(t.state(), TrainerState::Finished);
  }

  auto split = tiny_config(root, (dir.path / "split").string());
  split.max_steps = 2;
  {
    Trainer t(split);
    t.run();
    EXPECT_EQ(t.step(), 2);
  }
  split.max_steps = 4;
  {
    Trainer t(split, /*resume=*/true);
    EXPECT_EQ(t.step(), 2);
    ASSERT_EQ(t.loss_history().size(), 2u) << "metrics.csv rows of the first part are kept";
    t.run();
    EXPECT_EQ(t.step(), 4);
    EXPECT_EQ(t.loss_history().size(), 4u);
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
  c.max_steps = 10;
  c.checkpoint_every = 2;
  Trainer t(c);
  t.set_batch_hook([](int64_t step, Batch& batch) {
    if (step == 3) batch.images[0][0][0][0] = std::numeric_limits<float>::quiet_NaN();
  });
  try {
    t.run();
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("NaN at step 4"), std::string::npos) << e.what();
  }
  EXPECT_EQ(t.state(), TrainerState::Failed);
  EXPECT_NE(t.error().find("NaN at step 4"), std::string::npos) << t.error();
  EXPECT_NE(t.error().find("color="), std::string::npos) << t.error();
  EXPECT_EQ(t.step(), 3);
  const auto meta = load_checkpoint(t.latest_checkpoint_path(), nullptr, nullptr);
  EXPECT_EQ(meta.step, 2);
  EXPECT_TRUE(std::isfinite(meta.loss));
  EXPECT_THROW(t.start(), std::logic_error);
}

TEST(Trainer, PauseResumeAndStopFromAnotherThread) {
  test::TempDir dir("trainer_threads");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.max_steps = 100000;
  c.snapshot_every = 1;
  Trainer t(c);
  EXPECT_EQ(t.state(), TrainerState::Idle);
  t.start();
  ASSERT_TRUE(wait_until([&] { return t.step() >= 1; }));
  EXPECT_EQ(t.state(), TrainerState::Running);

  t.pause();
  EXPECT_EQ(t.state(), TrainerState::Paused);
  const int64_t paused_at = t.step();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(t.step(), paused_at) << "the step advanced while paused";

  t.resume();
  EXPECT_EQ(t.state(), TrainerState::Running);
  ASSERT_TRUE(wait_until([&] { return t.step() > paused_at; }));

  t.stop();
  EXPECT_EQ(t.state(), TrainerState::Idle);
  const int64_t stopped_at = t.step();
  EXPECT_EQ(load_checkpoint(t.latest_checkpoint_path(), nullptr, nullptr).step, stopped_at);
  EXPECT_EQ(static_cast<int64_t>(t.loss_history().size()), stopped_at);

  auto snapshot = t.latest_snapshot();
  ASSERT_TRUE(snapshot);
  EXPECT_GE(snapshot->step, 1);
  EXPECT_EQ(snapshot->preview_ids, (std::vector<std::string>{std::string(kClass) + "/obj2"}));
  EXPECT_EQ(snapshot->images.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_EQ(snapshot->gt_masks.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_EQ(snapshot->silhouettes.sizes(), (std::vector<int64_t>{1, 32, 32}));
  EXPECT_EQ(snapshot->renders.sizes(), (std::vector<int64_t>{1, 3, 32, 32}));
  EXPECT_EQ(snapshot->vertices.sizes(), (std::vector<int64_t>{1, 642, 3}));
  EXPECT_EQ(snapshot->faces.sizes(), (std::vector<int64_t>{1280, 3}));
  EXPECT_EQ(snapshot->gt_points.sizes(), (std::vector<int64_t>{1, 2048, 3}));

  // Stopped (not finished): it can be started again and continues from where it was.
  t.start();
  ASSERT_TRUE(wait_until([&] { return t.step() > stopped_at; }));
  t.stop();
  EXPECT_GT(t.step(), stopped_at);
}

TEST(Trainer, WritesMetricsAndKeepsCheckpointsReadableByInference) {
  test::TempDir dir("trainer_outputs");
  auto c = tiny_config(make_tiny_dataset(dir), (dir.path / "run").string());
  c.max_steps = 4;
  c.keep_every = 2;
  c.checkpoint_every = 2;
  Trainer t(c);
  int calls = 0;
  t.run([&](const TrainerProgress& p) {
    ++calls;
    EXPECT_EQ(p.step, calls);
    EXPECT_EQ(p.max_steps, 4);
    EXPECT_TRUE(std::isfinite(p.losses.total));
    EXPECT_NEAR(p.losses.total,
                3 * p.losses.color + p.losses.iou + 0.01 * p.losses.laplacian + 0.001 * p.losses.flatten, 1e-5);
  });
  EXPECT_EQ(calls, 4);

  std::ifstream csv(dir.path / "run" / "metrics.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header, "step,seconds,total,color,iou,laplacian,flatten,lr");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 4);

  const auto list = t.checkpoints();
  ASSERT_EQ(list.size(), 3u);  // step_2, step_4, latest (4)
  EXPECT_EQ(list[0].step, 2);
  EXPECT_EQ(list[1].step, 4);
  EXPECT_EQ(list[2].step, 4);

  InferenceModel model(t.latest_checkpoint_path(), "cpu");
  EXPECT_EQ(model.step(), 4);
  EXPECT_EQ(model.config().to_json(), c.to_json());
  auto images = torch::rand({2, 3, 32, 32});
  auto plain = model.predict(images);
  EXPECT_EQ(plain.vertices.sizes(), (std::vector<int64_t>{2, 642, 3}));
  EXPECT_FALSE(plain.silhouettes.defined());
  auto mats = torch::cat({nmr_world_mat(0.0), nmr_world_mat(90.0)});
  auto with_cameras = model.predict(images, mats, torch::full({2}, focal_from_fovy(kNmrFovyDegrees)));
  EXPECT_EQ(with_cameras.silhouettes.sizes(), (std::vector<int64_t>{2, 32, 32}));
  EXPECT_EQ(with_cameras.renders.sizes(), (std::vector<int64_t>{2, 3, 32, 32}));
  EXPECT_GT(with_cameras.silhouettes.sum().item<double>(), 10.0) << "the predicted mesh is not visible";
  EXPECT_TRUE(torch::equal(plain.vertices, with_cameras.vertices));
}

TEST(Trainer, RejectsBadConfigurationsClearly) {
  test::TempDir dir("trainer_config");
  const auto root = make_tiny_dataset(dir);
  auto c = tiny_config(root, (dir.path / "run").string());
  c.device = "tpu";
  EXPECT_THROW(Trainer{c}, std::invalid_argument);
  c = tiny_config(root, (dir.path / "run").string());
  c.image_size = 8;
  EXPECT_THROW(Trainer{c}, std::invalid_argument);
  c = tiny_config(root, (dir.path / "run").string());
  c.pretrained_encoder = (dir.path / "missing_r18.pt").string();
  EXPECT_THROW(Trainer{c}, std::runtime_error);
}

}  // namespace
}  // namespace dibr
