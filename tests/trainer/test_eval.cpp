// run_eval on a tiny fake NMR dataset with an untrained (step-0) checkpoint.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "nmr_fixture.h"
#include "trainer/eval.h"
#include "trainer/image_io.h"
#include "trainer/obj_io.h"
#include "trainer/training_run.h"

namespace dibr {
namespace {

namespace fs = std::filesystem;

constexpr const char* kGoodClass = "02691156";
constexpr const char* kBadClass = "02958343";
constexpr int kSize = 32;

class EvalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir("eval");
    const fs::path data = dir_->path / "data";
    // A class with two good test objects (and one train object for the Trainer).
    const fs::path good = data / kGoodClass;
    for (const char* id : {"train_a", "test_a", "test_b"}) test::write_fake_object(good / id, id[5] == 'a' ? 1 : 2);
    test::write_list(good / "softras_train.lst", {"train_a"});
    test::write_list(good / "softras_val.lst", {});
    test::write_list(good / "softras_test.lst", {"test_a", "test_b"});
    // A class with one object whose view 0 is not a PNG and one listed object that does not exist.
    const fs::path bad = data / kBadClass;
    test::write_fake_object(bad / "broken", 3);
    std::ofstream(bad / "broken" / "image" / "0000.png") << "not a png";
    test::write_list(bad / "softras_train.lst", {});
    test::write_list(bad / "softras_test.lst", {"broken", "missing_object"});

    TrainConfig config = TrainConfig::from_preset("quick");
    config.data.root = data.string();
    config.data.classes = {kGoodClass};
    config.run.out_dir = (dir_->path / "run").string();
    config.system.device = "cpu";
    config.data.image_size = kSize;
    config.data.batch_objects = 1;
    config.data.views_per_object = 1;
    config.optim.max_steps = 0;
    config.run.preview_count = 0;
    config.system.loader_workers = 1;
    TrainingRun run;
    run.start(config, open_dataset(config.data.root), false);
    run.wait();
    EXPECT_EQ(run.state(), RunState::Finished) << run.error();
    checkpoint_ = new std::string(run.latest_checkpoint_path());
  }
  static void TearDownTestSuite() {
    delete checkpoint_;
    delete dir_;
  }

  static EvalOptions options(const std::string& out_name) {
    EvalOptions o;
    o.checkpoint = *checkpoint_;
    o.dataset = open_dataset((dir_->path / "data").string());
    o.out_dir = (dir_->path / out_name).string();
    return o;
  }

  static test::TempDir* dir_;
  static std::string* checkpoint_;
};
test::TempDir* EvalTest::dir_ = nullptr;
std::string* EvalTest::checkpoint_ = nullptr;

TEST_F(EvalTest, StepZeroCheckpointExists) {
  ASSERT_TRUE(fs::is_regular_file(*checkpoint_)) << *checkpoint_;
}

TEST_F(EvalTest, WritesObjAndPreviewForEveryTestObject) {
  EvalOptions o = options("eval_good");
  o.classes = {kGoodClass};
  int last_done = -1, last_total = -1;
  o.progress = [&](int done, int total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  const EvalSummary summary = run_eval(o);
  EXPECT_EQ(summary.written, 2);
  EXPECT_EQ(summary.total, 2);
  EXPECT_FALSE(summary.cancelled);
  EXPECT_TRUE(summary.problems.empty()) << summary.problems.front();
  EXPECT_EQ(last_done, 2);
  EXPECT_EQ(last_total, 2);

  for (const char* id : {"test_a", "test_b"}) {
    const fs::path stem = fs::path(o.out_dir) / kGoodClass / (std::string(id) + "_0");
    const ObjMesh mesh = read_obj(stem.string() + ".obj");
    EXPECT_EQ(mesh.vertices.size(0), 642);
    EXPECT_EQ(mesh.faces.size(0), 1280);
    ASSERT_TRUE(mesh.colors.defined()) << "vertex colours missing in " << stem;
    EXPECT_EQ(mesh.colors.size(0), 642);
    EXPECT_GE(mesh.faces.min().item<int64_t>(), 0);
    EXPECT_LT(mesh.faces.max().item<int64_t>(), 642);
    EXPECT_TRUE(torch::isfinite(mesh.vertices).all().item<bool>());

    const at::Tensor png = read_png(stem.string() + ".png");
    ASSERT_EQ(png.dim(), 3);
    EXPECT_EQ(png.size(0), kSize);
    EXPECT_EQ(png.size(1), 3 * kSize);  // input | render | silhouette
    EXPECT_EQ(png.size(2), 3);
  }
  // The left panel is the input view: test_a is fake object 1, whose view 0 is a uniform grey of level 24.
  const at::Tensor input = read_png((fs::path(o.out_dir) / kGoodClass / "test_a_0.png").string()).narrow(1, 0, kSize);
  EXPECT_LE((input.to(torch::kInt) - 24).abs().max().item<int>(), 1);
  EXPECT_TRUE(fs::is_regular_file(fs::path(o.out_dir) / "eval.json"));
  EXPECT_FALSE(fs::exists(fs::path(o.out_dir) / "problems.txt"));
}

TEST_F(EvalTest, BadObjectsAreReportedByNameAndTheRestIsWritten) {
  EvalOptions o = options("eval_all");
  o.batch = 1;
  o.write_png = false;
  const EvalSummary summary = run_eval(o);
  EXPECT_EQ(summary.written, 2);
  bool broken_named = false, missing_named = false;
  for (const auto& p : summary.problems) {
    broken_named = broken_named || p.find("broken") != std::string::npos;
    missing_named = missing_named || p.find("missing_object") != std::string::npos;
  }
  EXPECT_TRUE(broken_named) << "the unreadable view 0 of 'broken' is not reported";
  EXPECT_TRUE(missing_named) << "the missing folder 'missing_object' is not reported";
  EXPECT_FALSE(fs::exists(fs::path(o.out_dir) / kBadClass / "broken_0.obj"));
  EXPECT_FALSE(fs::exists(fs::path(o.out_dir) / kGoodClass / "test_a_0.png"));
  EXPECT_TRUE(fs::is_regular_file(fs::path(o.out_dir) / "problems.txt"));
}

TEST_F(EvalTest, CancelStopsBeforeWriting) {
  EvalOptions o = options("eval_cancel");
  std::atomic<bool> cancel{true};
  o.cancel = &cancel;
  const EvalSummary summary = run_eval(o);
  EXPECT_TRUE(summary.cancelled);
  EXPECT_EQ(summary.written, 0);
}

TEST_F(EvalTest, MissingCheckpointThrowsNamingIt) {
  EvalOptions o = options("eval_missing");
  o.checkpoint = (dir_->path / "no_such_checkpoint.pt").string();
  try {
    run_eval(o);
    FAIL() << "run_eval accepted a missing checkpoint";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_checkpoint.pt"), std::string::npos) << e.what();
  }
}

TEST_F(EvalTest, MissingDataFolderThrows) {
  EXPECT_THROW(open_dataset((dir_->path / "no_such_data").string()), std::runtime_error);
  EvalOptions o = options("eval_nodata");
  o.dataset = nullptr;
  EXPECT_THROW(run_eval(o), std::runtime_error);
}

}  // namespace
}  // namespace dibr
