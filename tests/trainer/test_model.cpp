#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include <unistd.h>

#include "render/icosphere.h"
#include "trainer/reconstruction_model.h"

namespace dibr {
namespace {

void expect_normalized(const at::Tensor& vertices) {
  auto hi = std::get<0>(vertices.max(1));
  auto lo = std::get<0>(vertices.min(1));
  EXPECT_LT(((hi + lo) * 0.5).abs().max().item<double>(), 1e-5) << "bounding-box centre not at the origin";
  auto half_extent = std::get<0>(((hi - lo) * 0.5).max(1));
  EXPECT_LT((half_extent - 0.5).abs().max().item<double>(), 1e-5) << "half-extent is not 0.5";
}

class ModelShapes : public ::testing::TestWithParam<int> {};

TEST_P(ModelShapes, OutputsOneMeshPerImage) {
  torch::manual_seed(0);
  ReconstructionNet net(make_icosphere(3, 0.5));
  const int size = GetParam();
  auto prediction = net->forward(torch::rand({2, 3, size, size}));
  EXPECT_EQ(prediction.vertices.sizes(), (std::vector<int64_t>{2, 642, 3}));
  EXPECT_EQ(prediction.colors.sizes(), (std::vector<int64_t>{2, 642, 3}));
  EXPECT_EQ(net->faces().sizes(), (std::vector<int64_t>{1280, 3}));
  EXPECT_GT(prediction.colors.min().item<double>(), 0.0);
  EXPECT_LT(prediction.colors.max().item<double>(), 1.0);
}

INSTANTIATE_TEST_SUITE_P(Sizes, ModelShapes, ::testing::Values(32, 64));

TEST(Model, StartsFromTheNormalisedSphere) {
  torch::manual_seed(0);
  const auto sphere = make_icosphere(3, 0.5);
  ReconstructionNet net(sphere);
  EXPECT_EQ(net->alpha.item<double>(), 0.0);
  auto vertices = net->forward(torch::rand({2, 3, 32, 32})).vertices;
  expect_normalized(vertices);
  // Every vertex on one sphere, and both images give the same mesh (the template).
  auto radius = vertices.norm(2, 2);
  EXPECT_LT((radius - radius.mean()).abs().max().item<double>(), 1e-5);
  EXPECT_TRUE(torch::allclose(vertices[0], vertices[1]));
  EXPECT_TRUE(torch::allclose(vertices[0], normalize_mesh(sphere.vertices.unsqueeze(0))[0], 1e-5, 1e-6));
}

TEST(Model, NormalizationIsCentredUnitHalfExtentAndInvariantToSimilarity) {
  torch::manual_seed(2);
  auto v = torch::rand({3, 50, 3}) * torch::tensor({1.0f, 3.0f, 0.5f});
  auto n = normalize_mesh(v);
  expect_normalized(n);
  auto moved = normalize_mesh(v * 2.5 + torch::tensor({1.0f, -4.0f, 0.3f}));
  EXPECT_TRUE(torch::allclose(n, moved, 1e-4, 1e-5));
  EXPECT_TRUE(torch::allclose(normalize_mesh(n), n, 1e-5, 1e-6)) << "normalising twice changes the mesh";
}

TEST(Model, GradientsReachAlphaDecoderAndEncoder) {
  torch::manual_seed(0);
  ReconstructionNet net(make_icosphere(3, 0.5));
  auto loss = [&] {
    net->zero_grad();
    auto prediction = net->forward(torch::rand({2, 3, 32, 32}));
    ((prediction.vertices - 0.3).pow(2).mean() + prediction.colors.mean()).backward();
  };
  loss();
  ASSERT_TRUE(net->alpha.grad().defined());
  EXPECT_NE(net->alpha.grad().item<double>(), 0.0);
  EXPECT_GT(net->decoder->fc_out->weight.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(net->decoder->bn->beta->weight.grad().abs().sum().item<double>(), 0.0);
  // The conditional batch norms start independent of the code (as in occupancy networks), so the
  // encoder receives gradient once they have moved.
  {
    torch::NoGradGuard no_grad;
    net->decoder->bn->beta->weight.normal_(0, 0.01);
  }
  loss();
  EXPECT_GT(net->encoder->conv1->weight.grad().abs().sum().item<double>(), 0.0);
}

TEST(Model, EncoderWeightsLoadFromATorchSaveFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("dibr_test_encoder_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "r18.pt").string(), bad = (dir / "linear.pt").string();

  torch::manual_seed(3);
  ResNet18Encoder source;
  torch::save(source, good);
  torch::manual_seed(4);
  ResNet18Encoder target;
  load_pretrained_encoder(target, good);
  EXPECT_TRUE(torch::equal(source->conv1->weight, target->conv1->weight));
  auto src_params = source->named_parameters();
  for (const auto& p : target->named_parameters()) EXPECT_TRUE(torch::equal(p.value(), src_params[p.key()])) << p.key();

  torch::save(torch::nn::Linear(3, 4), bad);
  EXPECT_THROW(load_pretrained_encoder(target, bad), std::runtime_error);
  try {
    load_pretrained_encoder(target, (dir / "missing.pt").string());
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pt"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dibr
