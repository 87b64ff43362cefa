#include <gtest/gtest.h>

#include "app/plot_axes.h"

using namespace dibr::studio;

void expect_near_all(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << i;
}

TEST(PlotAxes, NiceTicksAreRoundAndInside) {
  expect_near_all(nice_ticks(0, 1000, 5), {0, 200, 400, 600, 800, 1000});
  expect_near_all(nice_ticks(0.13, 0.61, 4), {0.2, 0.4, 0.6});
  expect_near_all(nice_ticks(-5, 5, 2), {-5, 0, 5});
  EXPECT_TRUE(nice_ticks(3, 3, 5).empty());
}

TEST(PlotAxes, LogTicksAreDecades) {
  EXPECT_EQ(log_ticks(-3.2, 0.4, 6), (std::vector<double>{-3, -2, -1, 0}));
  EXPECT_EQ(log_ticks(-8, 0, 3), (std::vector<double>{-8, -5, -2})) << "at most about 3: every third decade";
  EXPECT_EQ(log_ticks(0.1, 0.5, 4), nice_ticks(0.1, 0.5, 4)) << "less than a decade: linear ticks of the log value";
}

TEST(PlotAxes, TickLabelsAreShort) {
  EXPECT_EQ(tick_label(0), "0");
  EXPECT_EQ(tick_label(0.25), "0.25");
  EXPECT_EQ(tick_label(12000), "12k");
  EXPECT_EQ(tick_label(1500000), "1.5M");
  EXPECT_EQ(tick_label(0.0001), "1e-04");
}

TEST(PlotAxes, ZoomKeepsTheAnchorAndStaysInside) {
  const StepRange full{0, 1000};
  const StepRange in = zoom(full, 250, 0.5, full);
  EXPECT_DOUBLE_EQ(in.lo, 125);
  EXPECT_DOUBLE_EQ(in.hi, 625) << "the step under the cursor stays under the cursor";
  const StepRange out = zoom(in, 600, 4, full);
  EXPECT_DOUBLE_EQ(out.lo, 0);
  EXPECT_DOUBLE_EQ(out.hi, 1000) << "never wider than the run";
  const StepRange tiny = zoom({10, 12}, 11, 0.01, full);
  EXPECT_DOUBLE_EQ(tiny.width(), 2) << "never narrower than two steps";
}

TEST(PlotAxes, PanStopsAtTheEnds) {
  const StepRange full{0, 1000};
  EXPECT_DOUBLE_EQ(pan({100, 200}, 50, full).lo, 150);
  const StepRange end = pan({800, 950}, 500, full);
  EXPECT_DOUBLE_EQ(end.lo, 850);
  EXPECT_DOUBLE_EQ(end.hi, 1000);
}
