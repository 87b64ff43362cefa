// Checkpoint validation scores (trainer/checkpoint_validation.h) on a tiny fake dataset: what they measure, against
// an independent path (dibr eval + dibr chamfer, and silhouettes counted pixel by pixel), where they are stored, and
// which checkpoint is best.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "nmr_fixture.h"
#include "tiny_run.h"
#include "trainer/chamfer_report.h"
#include "trainer/checkpoint.h"
#include "trainer/checkpoint_validation.h"
#include "trainer/eval.h"
#include "trainer/inference.h"

namespace dibr {
namespace {

namespace fs = std::filesystem;
constexpr const char* kClass = "02691156";

class ValidationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("validation");
    test::write_tiny_dataset(data(), kClass, 6, {0, 1, 2, 3}, {4, 5}, {});
    TrainConfig c = test::tiny_run_config("quick", data(), dir_->path / "run", 40);
    c.data.image_size = 32;
    c.run.checkpoint_every = 20;
    c.run.keep_every = 20;
    ASSERT_TRUE(test::train_to_end(c));
    TrainConfig zero = test::tiny_run_config("quick", data(), dir_->path / "run0", 0);
    zero.data.image_size = 32;
    ASSERT_TRUE(test::train_to_end(zero));
  }
  static void TearDownTestSuite() { delete dir_; }
  static fs::path data() { return dir_->path / "data"; }
  static std::string trained() { return (dir_->path / "run" / "step_40.pt").string(); }
  static std::string untrained() { return (dir_->path / "run0" / "latest.pt").string(); }
  static ValidationOptions options() {
    ValidationOptions o;
    o.dataset = open_dataset(data().string());
    o.views = 4;
    return o;
  }
  static test::TempDir* dir_;
};
test::TempDir* ValidationTest::dir_ = nullptr;

TEST_F(ValidationTest, TheIouIsThatOfThePredictedSilhouettesOnTheValViewsCountedPixelByPixel) {
  const ValidationScore score = validate_checkpoint(trained(), options());
  EXPECT_EQ(score.step, 40);
  EXPECT_EQ(score.objects, 2);
  EXPECT_EQ(score.views, 4);
  EXPECT_TRUE(score.problems.empty()) << score.problems.front();

  InferenceModel model(trained());
  const auto val = open_dataset(data().string())->val.objects;
  double sum = 0;
  for (const auto& object : val) {
    const at::Tensor input = load_view(object, 0, 32).image.unsqueeze(0);
    const Prediction p = model.predict(input).prediction;
    for (int v : {0, 6, 12, 18}) {
      const ViewData view = load_view(object, v, 32);
      const at::Tensor sil = model.render(p, view.world_mat.unsqueeze(0), view.camera_mat[0][0].reshape({1}), 32).silhouettes[0];
      const auto s = sil.accessor<float, 2>();
      const auto g = view.mask.accessor<float, 3>();
      int inter = 0, uni = 0;
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const bool a = s[y][x] > 0.5f, b = g[0][y][x] > 0.5f;
          inter += a && b;
          uni += a || b;
        }
      sum += uni == 0 ? 1.0 : static_cast<double>(inter) / uni;
    }
  }
  EXPECT_NEAR(score.silhouette_iou, sum / 8, 1e-6);
  EXPECT_GT(score.silhouette_iou, 0.0);
  EXPECT_LE(score.silhouette_iou, 1.0);
}

TEST_F(ValidationTest, TheChamferIsWhatEvalAndTheChamferReportGiveOnTheValSplit) {
  const ValidationScore score = validate_checkpoint(trained(), options());
  EvalOptions eval;
  eval.checkpoint = trained();
  eval.dataset = open_dataset(data().string());
  eval.split = "val";
  eval.out_dir = (dir_->path / "eval_val").string();
  eval.write_png = false;
  ASSERT_EQ(run_eval(eval).written, 2);
  ChamferReportOptions report;
  report.predictions_dir = eval.out_dir;
  report.dataset = eval.dataset;
  report.split = "val";
  const ChamferReport r = run_chamfer_report(report);
  ASSERT_EQ(r.objects.size(), 2u);
  EXPECT_EQ(score.chamfer_objects, 2);
  // The same objects, points and seeds; only the OBJ file's printed precision differs.
  EXPECT_NEAR(score.chamfer, r.mean_of_class_means, 1e-4 * r.mean_of_class_means);
}

TEST_F(ValidationTest, FortyStepsOfTrainingScoreBetterThanTheUntrainedNetwork) {
  const ValidationScore before = validate_checkpoint(untrained(), options());
  const ValidationScore after = validate_checkpoint(trained(), options());
  EXPECT_EQ(before.step, 0);
  EXPECT_GT(after.silhouette_iou, before.silhouette_iou + 0.02)
      << "val IoU " << before.silhouette_iou << " at step 0, " << after.silhouette_iou << " at step 40";
}

TEST_F(ValidationTest, AScoreIsStoredBesideItsCheckpointAndOnlyTrustedForItsStep) {
  test::TempDir dir("validation_store");
  const std::string step_file = (dir.path / "step_40.pt").string(), latest = (dir.path / "latest.pt").string();
  fs::copy_file(trained(), step_file);
  fs::copy_file(trained(), latest);
  ValidationScore score = validate_checkpoint(step_file, options());
  save_validation(score);
  ASSERT_TRUE(fs::is_regular_file(validation_file(step_file)));
  const auto loaded = load_validation({step_file, 40, 0.0, "dibr"});
  ASSERT_TRUE(loaded.has_value());
  EXPECT_DOUBLE_EQ(loaded->silhouette_iou, score.silhouette_iou);
  EXPECT_DOUBLE_EQ(loaded->chamfer, score.chamfer);
  EXPECT_EQ(loaded->views, 4);
  EXPECT_TRUE(same_validation_settings(*loaded, options()));
  ValidationOptions more = options();
  more.views = 8;
  EXPECT_FALSE(same_validation_settings(*loaded, more));

  EXPECT_FALSE(load_validation({step_file, 41, 0.0, "dibr"}).has_value()) << "a score of another step is stale";
  const auto via_step_file = load_validation({latest, 40, 0.0, "dibr"});
  ASSERT_TRUE(via_step_file.has_value()) << "latest.pt at step 40 shares step_40.pt's score";
  EXPECT_EQ(via_step_file->checkpoint, step_file);
  EXPECT_FALSE(load_validation({latest, 60, 0.0, "dibr"}).has_value()) << "latest.pt rewritten at step 60";

  std::ofstream(validation_file(step_file)) << "{ not json";
  EXPECT_FALSE(load_validation({step_file, 40, 0.0, "dibr"}).has_value());
}

TEST_F(ValidationTest, TheBestIsTheLowestChamferElseTheHighestIou) {
  auto score = [](double iou, double chamfer) {
    ValidationScore s;
    s.silhouette_iou = iou;
    s.chamfer = chamfer;
    return std::optional<ValidationScore>(s);
  };
  EXPECT_EQ(best_validation({}), -1);
  EXPECT_EQ(best_validation({std::nullopt, std::nullopt}), -1);
  EXPECT_EQ(best_validation({score(0.5, 0.05), score(0.6, 0.07), std::nullopt, score(0.4, 0.04)}), 3);
  EXPECT_EQ(best_validation({score(0.5, -1), score(0.7, -1), score(0.6, -1)}), 1);
  EXPECT_EQ(best_validation({score(0.5, 0.05), score(0.7, -1)}), 1) << "not every score has a chamfer: by IoU";
}

TEST_F(ValidationTest, RowsAreOnePerStepAndTheTableMarksTheBest) {
  const auto rows = checkpoint_steps((dir_->path / "run").string());
  ASSERT_EQ(rows.size(), 2u);  // step_20.pt, step_40.pt (latest.pt at 40 is its copy)
  EXPECT_EQ(fs::path(rows[1].path).filename(), "step_40.pt");
  std::vector<ValidationRow> table;
  for (const auto& r : rows) table.push_back({r, validate_checkpoint(r.path, options())});
  const int best = best_validation({table[0].score, table[1].score});
  const std::string md = validation_table(table);
  const std::string best_line = "| " + std::to_string(table[best].checkpoint.step) + " |";
  const size_t at = md.find(best_line);
  ASSERT_NE(at, std::string::npos) << md;
  EXPECT_NE(md.substr(at, md.find('\n', at) - at).find("**best**"), std::string::npos) << md;
  EXPECT_EQ(md.find("**best**"), md.rfind("**best**")) << "one best row\n" << md;
  const std::string csv = validation_csv(table);
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "step,file,train_loss,val_iou,val_chamfer,best");
}

TEST_F(ValidationTest, ASplitWithoutObjectsIsAClearError) {
  ValidationOptions o = options();
  o.split = "test";
  try {
    validate_checkpoint(trained(), o);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("holds no object"), std::string::npos) << e.what();
  }
}

TEST_F(ValidationTest, ACancelReturnsWhatWasScoredAndSaysSo) {
  ValidationOptions o = options();
  std::atomic<bool> cancel{false};
  o.cancel = &cancel;
  o.progress = [&](int done, int) {
    if (done == 1) cancel = true;
  };
  const ValidationScore s = validate_checkpoint(trained(), o);
  EXPECT_EQ(s.objects, 1);
  ASSERT_FALSE(s.problems.empty());
  EXPECT_NE(s.problems.back().find("cancelled after 1 of 2"), std::string::npos) << s.problems.back();
}

}  // namespace
}  // namespace dibr
