#include <gtest/gtest.h>

#include "app/loss_plot.h"

using namespace dibr::studio;

TEST(LossPlot, EmaWithoutSmoothingIsIdentityAndStartsAtFirstValue) {
  const std::vector<double> v{4, 2, 8, 1};
  EXPECT_EQ(ema_smooth(v, 0.0), v);
  const auto s = ema_smooth(v, 0.9);
  ASSERT_EQ(s.size(), v.size());
  EXPECT_DOUBLE_EQ(s[0], 4.0);  // bias corrected
  // Second value: (0.9*0.1*4 + 0.1*2) / (0.9*0.1 + 0.1)
  EXPECT_NEAR(s[1], (0.09 * 4 + 0.1 * 2) / 0.19, 1e-12);
  EXPECT_TRUE(ema_smooth({}, 0.5).empty());
}

TEST(LossPlot, EmaOfConstantIsConstant) {
  const auto s = ema_smooth(std::vector<double>(50, 0.25), 0.95);
  for (double x : s) EXPECT_NEAR(x, 0.25, 1e-12);
}

TEST(LossPlot, AppendKeepsOnlyNewRecordsAndRestartsOnNewRun) {
  auto record = [](int64_t step, double total) {
    dibr::LossRecord r;
    r.step = step;
    r.losses.total = total;
    r.losses.terms = {total / 4, total / 2};
    return r;
  };
  LossPlot plot;
  plot.set_term_names({"color", "iou"});
  plot.append({record(1, 1.0), record(2, 0.9)});
  plot.append({record(1, 1.0), record(2, 0.9), record(3, 0.8)});  // full history again: only step 3 is new
  ASSERT_EQ(plot.size(), 3u);
  EXPECT_EQ(plot.last_step(), 3);
  EXPECT_DOUBLE_EQ(plot.values(0)[2], 0.8);
  EXPECT_DOUBLE_EQ(plot.values(2)[2], 0.4);
  plot.append({record(0, 5.0)});  // older than what we have: a new run
  ASSERT_EQ(plot.size(), 1u);
  EXPECT_EQ(plot.last_step(), 0);
}

TEST(LossPlot, CurvesFollowTheMethodsTermNames) {
  dibr::LossTerms l;
  l.total = 1;
  l.terms = {2, 3, 4, 5};
  for (int t = 0; t < 5; ++t) EXPECT_DOUBLE_EQ(loss_term_value(l, t), t + 1.0);
  LossPlot plot;
  plot.set_term_names({"color", "iou", "laplacian", "flatten"});
  ASSERT_EQ(plot.curve_count(), 5);
  EXPECT_EQ(plot.curve_name(0), "total");
  EXPECT_EQ(plot.curve_name(2), "iou");
  dibr::LossRecord r;
  r.step = 1;
  r.losses = l;
  plot.append({r});
  EXPECT_DOUBLE_EQ(plot.values(4)[0], 5.0);
  plot.set_term_names({"iou", "smoothness"});  // another method: its own curves, the old values dropped
  EXPECT_EQ(plot.curve_count(), 3);
  EXPECT_EQ(plot.size(), 0u);
}

namespace {
dibr::LossRecord lr_record(int64_t step, double total, double lr) {
  dibr::LossRecord r;
  r.step = step;
  r.losses.total = total;
  r.losses.terms = {total};
  r.lr = lr;
  return r;
}
}  // namespace

TEST(LossPlot, CsvHoldsRawLearningRateAndSmoothedValues) {
  LossPlot plot;
  plot.set_term_names({"iou"});
  plot.smoothing = 0.5f;
  plot.append({lr_record(10, 2.0, 1e-4), lr_record(20, 1.0, 1e-5)});
  const std::string csv = plot.to_csv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "step,total,iou,lr,total_smoothed,iou_smoothed");
  // Second row: smoothed total = (0.5*0.5*2 + 0.5*1) / (0.5*0.5 + 0.5) = 1.3333...
  EXPECT_NE(csv.find("\n20,1,1,1e-05,1.33333333,1.33333333\n"), std::string::npos) << csv;
  EXPECT_EQ(plot.learning_rates(), (std::vector<double>{1e-4, 1e-5}));
}

TEST(LossPlot, TheValidationScoreIsALastCsvColumnAtItsCheckpointSteps) {
  LossPlot plot;
  plot.append({lr_record(10, 2.0, 1e-4), lr_record(20, 1.0, 1e-5), lr_record(30, 0.5, 1e-5)});
  plot.set_validation("val IoU", {10, 30}, {0.25, 0.75}, 1);
  const std::string csv = plot.to_csv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "step,total,lr,total_smoothed,val IoU");
  EXPECT_NE(csv.find("\n10,2,0.0001,2,0.25\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n20,1,1e-05,"), std::string::npos) << csv;
  EXPECT_EQ(csv.substr(csv.find("\n20,") + 1, csv.find('\n', csv.find("\n20,") + 1) - csv.find("\n20,") - 1).back(), ',')
      << "no checkpoint at step 20: an empty cell\n" << csv;
  EXPECT_NE(csv.find(",0.75\n"), std::string::npos) << csv;
  EXPECT_EQ(plot.validation_steps(), (std::vector<int64_t>{10, 30}));
  EXPECT_THROW(plot.set_validation("val IoU", {10}, {0.1, 0.2}, -1), std::invalid_argument);
}

TEST(LossPlot, OverlaysOfAnotherMethodMatchTermsByName) {
  LossPlot plot;
  plot.set_term_names({"color", "iou", "laplacian", "flatten"});  // DIB-R
  std::vector<dibr::LossRecord> other(3);
  for (int i = 0; i < 3; ++i) {
    other[i].step = i + 1;
    other[i].losses.total = 1.0 / (i + 1);
    other[i].losses.terms = {0.5, 0.01};
  }
  plot.add_overlay("nmr · run", other, {"iou", "smoothness"});
  ASSERT_EQ(plot.overlay_count(), 1u);
  EXPECT_EQ(plot.overlay_matches(0), (std::vector<std::string>{"total", "iou"}));
  plot.add_overlay("old", other);  // without names: the total only
  EXPECT_EQ(plot.overlay_matches(1), (std::vector<std::string>{"total"}));
  EXPECT_TRUE(plot.overlay_matches(7).empty());
}

TEST(LossPlot, TheStepRangeZoomsInsideTheRunAndOverlaysWidenIt) {
  LossPlot plot;
  plot.set_term_names({"iou"});
  std::vector<dibr::LossRecord> records;
  for (int s = 5; s <= 100; ++s) records.push_back(lr_record(s, 1.0 / (s + 1), 1e-4));
  plot.append(records);
  EXPECT_DOUBLE_EQ(plot.full_range().hi, 100);
  plot.set_view({20, 40});
  ASSERT_TRUE(plot.zoomed());
  EXPECT_DOUBLE_EQ(plot.view().lo, 20);
  EXPECT_DOUBLE_EQ(plot.view().hi, 40);
  plot.set_view({-50, 500});
  EXPECT_FALSE(plot.zoomed()) << "a range as wide as the run is no zoom";

  std::vector<dibr::LossRecord> other;
  for (int s = 0; s <= 300; s += 10) other.push_back(lr_record(s, 0.5, 1e-4));
  plot.add_overlay("run_b", other);
  plot.add_overlay("run_b", other);  // the same name replaces
  EXPECT_EQ(plot.overlay_count(), 1u);
  EXPECT_DOUBLE_EQ(plot.full_range().hi, 300) << "the overlay's steps are part of the range";
  plot.remove_overlay("run_b");
  EXPECT_EQ(plot.overlay_count(), 0u);
  plot.set_view({20, 40});
  ASSERT_TRUE(plot.zoomed());
  plot.append({lr_record(0, 3.0, 1e-4)});  // an older first step: a new run
  EXPECT_FALSE(plot.zoomed()) << "a new run shows whole";
}
