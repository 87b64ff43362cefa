#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "nmr_fixture.h"
#include "trainer/checkpoint.h"
#include "trainer/config.h"
#include "trainer/inference.h"

namespace dibr {
namespace {

struct TinyNet : torch::nn::Module {
  TinyNet() {
    fc = register_module("fc", torch::nn::Linear(4, 3));
    bn = register_module("bn", torch::nn::BatchNorm1d(3));
  }
  at::Tensor forward(const at::Tensor& x) { return bn(fc(x)); }
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};

void train_step(TinyNet& net, torch::optim::Adam& adam, const at::Tensor& x) {
  adam.zero_grad();
  net.forward(x).pow(2).sum().backward();
  adam.step();
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

CheckpointMeta meta_at(int64_t step, double loss) {
  CheckpointMeta meta;
  meta.step = step;
  meta.loss = loss;
  meta.batches_drawn = step;
  meta.config_json = TrainConfig::from_preset("quick").to_json();
  capture_rng_state(meta);
  return meta;
}

TEST(Checkpoint, RoundTripRestoresModelOptimiserAndMetadata) {
  test::TempDir dir("ckpt_roundtrip");
  const std::string path = (dir.path / "a.pt").string();
  torch::manual_seed(0);
  const auto x = torch::randn({8, 4});
  TinyNet a;
  torch::optim::Adam adam_a(a.parameters(), torch::optim::AdamOptions(1e-2));
  train_step(a, adam_a, x);
  save_checkpoint(path, a, &adam_a, meta_at(7, 0.25));

  torch::manual_seed(99);
  TinyNet b;
  torch::optim::Adam adam_b(b.parameters(), torch::optim::AdamOptions(1e-2));
  const auto meta = load_checkpoint(path, &b, &adam_b);
  EXPECT_EQ(meta.step, 7);
  EXPECT_DOUBLE_EQ(meta.loss, 0.25);
  EXPECT_EQ(meta.batches_drawn, 7);
  EXPECT_EQ(meta.config_json, TrainConfig::from_preset("quick").to_json());
  ASSERT_TRUE(meta.cpu_rng_state.defined());

  // Same state: one more step on each gives identical parameters (Adam moments restored too).
  train_step(a, adam_a, x);
  train_step(b, adam_b, x);
  EXPECT_TRUE(torch::equal(a.fc->weight, b.fc->weight));
  EXPECT_TRUE(torch::equal(a.fc->bias, b.fc->bias));
  EXPECT_TRUE(torch::equal(a.bn->running_mean, b.bn->running_mean));
}

struct WiderNet : torch::nn::Module {
  WiderNet() {
    fc = register_module("fc", torch::nn::Linear(4, 5));
    bn = register_module("bn", torch::nn::BatchNorm1d(5));
  }
  torch::nn::Linear fc{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};

TEST(Checkpoint, ADifferentNetworkIsRefusedNamingTheTensor) {
  test::TempDir dir("ckpt_shape");
  const std::string path = (dir.path / "a.pt").string();
  TinyNet a;
  save_checkpoint(path, a, nullptr, meta_at(1, 0.5));
  WiderNet wider;
  try {
    load_checkpoint(path, &wider, nullptr);
    FAIL() << "loading a checkpoint of another network must throw";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("fc.weight"), std::string::npos) << message;
    EXPECT_NE(message.find("different network"), std::string::npos) << message;
  }
}

TEST(Checkpoint, RngStateRestoresTheRandomStream) {
  CheckpointMeta meta;
  capture_rng_state(meta);
  auto first = torch::rand({5});
  restore_rng_state(meta);
  EXPECT_TRUE(torch::equal(first, torch::rand({5})));
}

TEST(Checkpoint, FailedWriteLeavesThePreviousFileIntact) {
  test::TempDir dir("ckpt_atomic");
  const std::string path = (dir.path / "latest.pt").string();
  TinyNet net;
  save_checkpoint(path, net, nullptr, meta_at(3, 1.0));
  const std::string before = read_bytes(path);

  // A directory where the temporary file should go makes the write fail.
  std::filesystem::create_directories(path + ".tmp");
  {
    torch::NoGradGuard no_grad;
    net.fc->weight.add_(1.0);
  }
  EXPECT_THROW(save_checkpoint(path, net, nullptr, meta_at(4, 0.5)), std::runtime_error);
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_EQ(load_checkpoint(path, nullptr, nullptr).step, 3);
}

TEST(Checkpoint, MissingOrForeignFilesGiveAClearError) {
  test::TempDir dir("ckpt_missing");
  const std::string missing = (dir.path / "nope.pt").string();
  try {
    load_checkpoint(missing, nullptr, nullptr);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.pt"), std::string::npos) << e.what();
  }
  const std::string foreign = (dir.path / "foreign.pt").string();
  std::ofstream(foreign) << "not an archive";
  EXPECT_THROW(load_checkpoint(foreign, nullptr, nullptr), std::runtime_error);
  EXPECT_THROW(InferenceModel(foreign, "cpu"), std::runtime_error);
}

TEST(Checkpoint, ListingIsSortedByStepWithOrWithoutSidecars) {
  test::TempDir dir("ckpt_list");
  TinyNet net;
  save_checkpoint((dir.path / "step_20.pt").string(), net, nullptr, meta_at(20, 0.2));
  save_checkpoint((dir.path / "step_10.pt").string(), net, nullptr, meta_at(10, 0.1));
  save_checkpoint((dir.path / "latest.pt").string(), net, nullptr, meta_at(25, 0.05));
  std::ofstream(dir.path / "notes.txt") << "ignored";
  std::filesystem::remove(dir.path / "step_20.pt.json");  // falls back to reading the archive

  const auto list = list_checkpoints(dir.str());
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].step, 10);
  EXPECT_NEAR(list[0].loss, 0.1, 1e-12);
  EXPECT_EQ(list[1].step, 20);
  EXPECT_NEAR(list[1].loss, 0.2, 1e-12);
  EXPECT_EQ(list[2].step, 25);
  EXPECT_EQ(std::filesystem::path(list[2].path).filename(), "latest.pt");
  EXPECT_TRUE(list_checkpoints((dir.path / "absent").string()).empty());
}

}  // namespace
}  // namespace dibr
