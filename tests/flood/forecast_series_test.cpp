// ForecastSeries: windows, interpolation across short gaps only, the grid, median and MAD, level crossings.
#include "flood/ForecastSeries.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "flood/forecast_testing.hpp"

namespace cityops::flood {
namespace {

using forecast_testing::hoursAfter;
using forecast_testing::kT0;

TEST(ForecastSeries, MedianAndRobustSigma) {
  EXPECT_TRUE(std::isnan(ForecastSeries::median({})));
  EXPECT_DOUBLE_EQ(ForecastSeries::median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(ForecastSeries::median({4, 1, 3, 2}), 2.5);
  // {1, 2, 3, 4, 100}: median 3, deviations {2, 1, 0, 1, 97} -> MAD 1 -> σ 1.4826 (the outlier does not count).
  EXPECT_DOUBLE_EQ(ForecastSeries::robustSigma({1, 2, 3, 4, 100}), 1.4826);
  EXPECT_DOUBLE_EQ(ForecastSeries::robustSigma({}), 0);
}

TEST(ForecastSeries, InterpolatesAcrossShortGapsOnly) {
  const TimeSeries s = {{hoursAfter(0), 1.0}, {hoursAfter(1), 2.0}, {hoursAfter(4), 5.0}};
  EXPECT_DOUBLE_EQ(*ForecastSeries::at(s, hoursAfter(0.25), kHourMs), 1.25);
  EXPECT_DOUBLE_EQ(*ForecastSeries::at(s, hoursAfter(1), kHourMs), 2.0);  // a reading: always
  EXPECT_FALSE(ForecastSeries::at(s, hoursAfter(2), kHourMs));           // a 3 h gap
  EXPECT_DOUBLE_EQ(*ForecastSeries::at(s, hoursAfter(2), 3 * kHourMs), 3.0);
  EXPECT_FALSE(ForecastSeries::at(s, hoursAfter(-1), kHourMs));  // before the first
  EXPECT_FALSE(ForecastSeries::at(s, hoursAfter(5), kHourMs));   // after the last

  const auto grid = ForecastSeries::resample(s, kT0, 30 * kMinuteMs, 6, kHourMs);
  ASSERT_EQ(grid.size(), 6u);
  EXPECT_DOUBLE_EQ(grid[0], 1.0);
  EXPECT_DOUBLE_EQ(grid[1], 1.5);
  EXPECT_DOUBLE_EQ(grid[2], 2.0);
  EXPECT_TRUE(std::isnan(grid[3]));
}

TEST(ForecastSeries, CleanedSortsDropsNonFiniteAndDuplicates) {
  const TimeSeries s = {{hoursAfter(2), 3.0}, {hoursAfter(0), 1.0}, {hoursAfter(1), NAN}, {hoursAfter(0), 1.5},
                        {hoursAfter(9), 9.0}};
  const auto c = ForecastSeries::cleaned(s, kT0, hoursAfter(3));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].tMs, kT0);
  EXPECT_DOUBLE_EQ(c[0].v, 1.5);  // the last one given at that time
  EXPECT_DOUBLE_EQ(c[1].v, 3.0);
  EXPECT_EQ(ForecastSeries::upTo(s, kT0 - 1).size(), 0u);
}

TEST(ForecastSeries, FirstCrossingIsInterpolated) {
  const TimeSeries s = {{hoursAfter(0), 1.0}, {hoursAfter(1), 1.5}, {hoursAfter(2), 2.5}, {hoursAfter(3), 1.0}};
  // 2.0 is reached halfway between 1 h (1.5) and 2 h (2.5).
  EXPECT_EQ(*ForecastSeries::firstCrossing(s, 2.0, kT0, kHourMs), hoursAfter(1.5));
  EXPECT_EQ(*ForecastSeries::firstCrossing(s, 1.0, kT0, kHourMs), kT0);  // already there
  EXPECT_FALSE(ForecastSeries::firstCrossing(s, 3.0, kT0, kHourMs));
  EXPECT_FALSE(ForecastSeries::firstCrossing(s, 2.0, hoursAfter(2.5), kHourMs));  // after the peak
}

}  // namespace
}  // namespace cityops::flood
