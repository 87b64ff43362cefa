// The SoftRas method: Kato's encoder and template decoder (frozen coordinates reproduced or fixed), its losses
// and its sigma schedule. What every mesh method must do is in test_mesh_methods.cpp.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>

#include "mesh_method_fixture.h"
#include "render/camera.h"
#include "render/icosphere.h"
#include "render/mesh_ops.h"
#include "trainer/inference.h"
#include "trainer/method.h"
#include "trainer/methods/kato_networks.h"
#include "trainer/training_run.h"

namespace dibr {
namespace {

TEST(KatoNetworks, EncoderIsBuiltForOneImageSize) {
  KatoEncoder enc(3, 32, /*batch_norm=*/true);
  EXPECT_EQ(enc->forward(torch::rand({2, 3, 32, 32})).sizes(), (std::vector<int64_t>{2, 512}));
  EXPECT_EQ(enc->fc1->weight.size(1), 256 * 4 * 4);
  KatoEncoder odd(4, 36, /*batch_norm=*/false);  // ceil(36/8) = 5
  EXPECT_EQ(odd->fc1->weight.size(1), 256 * 5 * 5);
  EXPECT_TRUE(odd->bn1.is_empty());
  EXPECT_EQ(odd->forward(torch::rand({1, 4, 36, 36})).sizes(), (std::vector<int64_t>{1, 512}));
  try {
    enc->forward(torch::rand({2, 3, 64, 64}));
    ADD_FAILURE() << "a 64^2 image went through a 32^2 encoder";
  } catch (const c10::Error& e) {
    EXPECT_NE(std::string(e.what_without_backtrace()).find("built for 32^2"), std::string::npos)
        << e.what_without_backtrace();
  }
}

// Gradient of sum(vertices * w) w.r.t. the bias layer's output, per template coordinate (V,3).
at::Tensor bias_gradient(KatoMeshDecoder& dec) {
  const at::Tensor code = torch::rand({2, 512});
  const at::Tensor v = dec->forward(code);
  const at::Tensor w = torch::randn_like(v);
  dec->zero_grad();
  (v * w).sum().backward();
  // fc_bias's bias receives exactly d loss / d bias summed over the batch.
  return dec->fc_bias->bias.grad().view({-1, 3});
}

TEST(KatoNetworks, FrozenZeroCoordinatesAreReproducedOrFixed) {
  const TriangleMesh sphere = make_icosphere(3, 1.0);
  const int64_t zeros = (sphere.vertices == 0).sum().item<int64_t>();
  ASSERT_GT(zeros, 0) << "the template has no zero coordinate: the case tests nothing";
  torch::manual_seed(1);
  KatoMeshDecoder as_released(sphere.vertices, FrozenCoordinates::Reproduce);
  EXPECT_EQ(as_released->frozen_count(), zeros);
  const at::Tensor g = bias_gradient(as_released);
  const at::Tensor frozen = sphere.vertices == 0;
  EXPECT_EQ(g.masked_select(frozen).abs().max().item<double>(), 0.0);
  EXPECT_GT(g.masked_select(~frozen).abs().min().item<double>(), 0.0);
  EXPECT_TRUE(torch::isfinite(g).all().item<bool>());

  torch::manual_seed(1);
  KatoMeshDecoder fixed(sphere.vertices, FrozenCoordinates::Fix);
  EXPECT_EQ(fixed->frozen_count(), 0);
  EXPECT_GT(bias_gradient(fixed).masked_select(frozen).abs().min().item<double>(), 0.0);
  EXPECT_THROW(frozen_coordinates_from("thaw"), std::invalid_argument);
}

TEST(KatoNetworks, DecoderStaysInsideTheHalfCube) {
  const TriangleMesh sphere = make_icosphere(3, 1.0);
  KatoMeshDecoder dec(sphere.vertices, FrozenCoordinates::Reproduce);
  const at::Tensor v = dec->forward(torch::rand({3, 512}) * 50);
  EXPECT_EQ(v.sizes(), (std::vector<int64_t>{3, 642, 3}));
  EXPECT_LE(v.abs().max().item<double>(), 0.5);
}

TEST(SoftRasMethod, LossesAreSoftRasTerms) {
  test::MethodFixture f = test::make_method_fixture("softras", "softras-quick");
  const MethodInfo& info = find_method("softras");
  EXPECT_EQ(info.loss_terms, (std::vector<std::string>{"iou", "laplacian", "flatten"}));
  f.method->begin_step(0, f.config.optim.learning_rate);
  const Prediction p = f.method->predict(f.batch.images);
  EXPECT_EQ(p.vertices.sizes(), (std::vector<int64_t>{4, 642, 3}));
  EXPECT_FALSE(p.colors.defined());
  const StepLosses l = f.method->step_losses(p, f.batch);
  ASSERT_EQ(l.terms.size(), 3u);
  for (const auto& t : l.terms) EXPECT_TRUE(std::isfinite(t.item<double>()));
  EXPECT_GT(l.terms[0].item<double>(), 0.0);
  EXPECT_LT(l.terms[0].item<double>(), 1.0);
  // SoftRas's Laplacian: |Lx|^2 summed over each mesh's vertices, averaged over meshes.
  const at::Tensor L = uniform_laplacian(642, p.faces);
  const double lap = torch::matmul(L, p.vertices.detach()).pow(2).sum().item<double>() / 4;
  EXPECT_NEAR(l.terms[1].item<double>(), lap, 1e-5 * lap);
  const SoftRasConfig& w = f.config.softras;
  EXPECT_NEAR(l.total.item<double>(),
              l.terms[0].item<double>() + w.laplacian * l.terms[1].item<double>() + w.flatten * l.terms[2].item<double>(),
              1e-6);
  l.total.backward();
  double encoder_grad = 0;
  for (const auto& param : f.method->network().named_parameters())
    if (param.key().rfind("encoder.", 0) == 0 && param.value().grad().defined())
      encoder_grad += param.value().grad().abs().sum().item<double>();
  EXPECT_GT(encoder_grad, 0.0) << "the IoU gradient does not reach the encoder";
}

TEST(SoftRasMethod, SigmaFollowsTheLearningRate) {
  test::MethodFixture f = test::make_method_fixture("softras", "softras-quick");
  torch::NoGradGuard no_grad;
  // A smooth known mesh (the template at radius 0.4), so that only sigma changes the soft border.
  const TriangleMesh sphere = make_icosphere(3, 0.4);
  Prediction p;
  p.vertices = sphere.vertices.unsqueeze(0).repeat({4, 1, 1});
  p.faces = sphere.faces;
  auto soft_pixels = [&](double lr) {
    f.method->begin_step(0, lr);
    const at::Tensor s = f.method->render(p, f.batch.world_mats, f.batch.focals, 32).silhouettes;
    return ((s > 0.02) & (s < 0.98)).sum().item<int64_t>();
  };
  const int64_t wide = soft_pixels(f.config.optim.learning_rate);
  const int64_t sharp = soft_pixels(f.config.optim.learning_rate * 0.01);
  EXPECT_GT(wide, sharp) << "sigma did not shrink with the learning rate";
}

}  // namespace
}  // namespace dibr
