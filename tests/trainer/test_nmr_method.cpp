// The NMR method: neural_renderer's Adam (per-group lr multipliers, no update where the gradient is exactly 0,
// state that survives a checkpoint), and NMR's losses and optimiser groups. What every mesh method must do is
// in test_mesh_methods.cpp.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "mesh_method_fixture.h"
#include "trainer/method.h"
#include "trainer/methods/kato_adam.h"

namespace dibr {
namespace {

std::vector<torch::optim::OptimizerParamGroup> two_groups(const at::Tensor& a, const at::Tensor& b) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<at::Tensor>{a});
  groups.emplace_back(std::vector<at::Tensor>{b});
  return groups;
}

TEST(KatoAdam, ZeroGradientsLeaveElementsAndTheirStateAlone) {
  at::Tensor a = torch::ones({4}).requires_grad_(true);
  at::Tensor b = torch::ones({2}).requires_grad_(true);
  const double lr = 0.01;
  KatoAdam adam(two_groups(a, b), {1.0, 0.1}, torch::optim::AdamOptions(lr));
  for (int step = 0; step < 3; ++step) {
    adam.zero_grad();
    // Element 0 and 2 of a get gradient, 1 and 3 exactly none.
    (a * torch::tensor({1.0f, 0.0f, -2.0f, 0.0f})).sum().backward();
    (b * 3.0).sum().backward();
    adam.step();
  }
  // Chainer's Adam moves by about lr per step where the gradient keeps its sign: 3 steps.
  EXPECT_NEAR(a[0].item<double>(), 1 - 3 * lr, 1e-5);
  EXPECT_NEAR(a[2].item<double>(), 1 + 3 * lr, 1e-5);
  EXPECT_EQ(a[1].item<double>(), 1.0);
  EXPECT_EQ(a[3].item<double>(), 1.0);
  // The second group learns at 0.1 x the lr.
  EXPECT_NEAR(b[0].item<double>(), 1 - 3 * lr * 0.1, 1e-6);
  // Now the frozen elements get a gradient: their first update is a full first Adam step, as if fresh
  // (m and v stayed 0), with the bias correction of step 4.
  adam.zero_grad();
  (a * torch::tensor({0.0f, 1.0f, 0.0f, 0.0f})).sum().backward();
  adam.step();
  const double b1 = 0.9, b2 = 0.999, t = 4;
  const double m = (1 - b1) * 1.0, v = (1 - b2) * 1.0;
  const double expected = 1 - lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t)) * m / (std::sqrt(v) + 1e-8);
  EXPECT_NEAR(a[1].item<double>(), expected, 1e-6);
  EXPECT_NEAR(a[0].item<double>(), 1 - 3 * lr, 1e-5) << "element 0 had no gradient this time and must not move";
}

TEST(KatoAdam, StateSurvivesSerialisation) {
  torch::manual_seed(0);
  at::Tensor a = torch::randn({5}).requires_grad_(true), b = torch::randn({3}).requires_grad_(true);
  KatoAdam adam(two_groups(a, b), {1.0, 0.1}, torch::optim::AdamOptions(0.01));
  auto step = [&](KatoAdam& opt, at::Tensor& x, at::Tensor& y) {
    opt.zero_grad();
    (x.pow(2).sum() + y.pow(3).sum()).backward();
    opt.step();
  };
  step(adam, a, b);
  step(adam, a, b);
  std::stringstream archive;
  {
    torch::serialize::OutputArchive out;
    adam.save(out);
    out.save_to(archive);
  }
  at::Tensor a2 = a.detach().clone().requires_grad_(true), b2 = b.detach().clone().requires_grad_(true);
  KatoAdam restored(two_groups(a2, b2), {1.0, 0.1}, torch::optim::AdamOptions(0.01));
  {
    torch::serialize::InputArchive in;
    in.load_from(archive);
    restored.load(in);
  }
  step(adam, a, b);
  step(restored, a2, b2);
  EXPECT_TRUE(torch::equal(a, a2));
  EXPECT_TRUE(torch::equal(b, b2));
}

TEST(NmrMethod, LossesOptimiserGroupsAndNoBatchNorm) {
  test::MethodFixture f = test::make_method_fixture("nmr", "nmr-quick");
  EXPECT_EQ(find_method("nmr").loss_terms, (std::vector<std::string>{"iou", "smoothness"}));
  f.config.nmr.smoothness = 0.001;
  f.method = find_method("nmr").create(f.config);
  for (const auto& p : f.method->network().named_parameters())
    EXPECT_EQ(p.key().find("bn"), std::string::npos) << "Kato's encoder has no normalisation: " << p.key();
  const StepLosses l = f.method->step_losses(f.method->predict(f.batch.images), f.batch);
  ASSERT_EQ(l.terms.size(), 2u);
  EXPECT_GT(l.terms[0].item<double>(), 0.0);
  EXPECT_LT(l.terms[0].item<double>(), 1.0);
  EXPECT_GT(l.terms[1].item<double>(), 0.0);
  EXPECT_NEAR(l.total.item<double>(), l.terms[0].item<double>() + 0.001 * l.terms[1].item<double>(), 1e-6);
  l.total.backward();
  double encoder_grad = 0;
  for (const auto& p : f.method->network().named_parameters())
    if (p.key().rfind("encoder.", 0) == 0 && p.value().grad().defined())
      encoder_grad += p.value().grad().abs().sum().item<double>();
  EXPECT_GT(encoder_grad, 0.0) << "NMR's approximate gradient does not reach the encoder";

  auto adam = f.method->make_optimizer(1e-4);
  ASSERT_EQ(adam->param_groups().size(), 2u);
  ASSERT_EQ(adam->param_groups()[1].params().size(), 2u);  // fc_centroid weight and bias
  EXPECT_EQ(adam->param_groups()[1].params()[0].size(0), 3);
  EXPECT_NE(dynamic_cast<KatoAdam*>(adam.get()), nullptr);
}

}  // namespace
}  // namespace dibr
