// Calibration (image -> ground), speeds from ground displacement (TrackKinematics), classes from ground area and the
// level of service from speed.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include <cmath>
#include <random>

#include "traffic/Calibration.hpp"
#include "traffic/LevelOfService.hpp"
#include "traffic/TrackKinematics.hpp"
#include "traffic/VehicleClass.hpp"

namespace cityops::traffic {
namespace {

/// Applies a homography.
cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}

TEST(Calibration, HomographyMapsTheFourPointsExactly) {
  CalibrationSpec spec;
  spec.imagePoints = {{420, 310}, {860, 310}, {1180, 700}, {100, 700}};  // a road seen in perspective
  spec.worldPointsM = {{0, 40}, {10, 40}, {10, 0}, {0, 0}};
  auto cal = Calibration::create(spec);
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  for (size_t i = 0; i < 4; ++i) {
    const cv::Point2d g = cal->toGround({spec.imagePoints[i].x, spec.imagePoints[i].y});
    EXPECT_NEAR(g.x, spec.worldPointsM[i].x, 1e-3) << i;
    EXPECT_NEAR(g.y, spec.worldPointsM[i].y, 1e-3) << i;
  }
  // The distance between two calibrated corners is their ground distance.
  EXPECT_NEAR(cal->distance({100, 700}, {420, 310}), 40.0, 1e-3);
  EXPECT_NEAR(cal->distance({100, 700}, {1180, 700}), 10.0, 1e-3);
}

TEST(Calibration, HomographyAgreesWithAKnownPlaneMapping) {
  // A known homography ground <- image; the spec's image points are the images of four ground points.
  const cv::Matx33d truth(0.02, 0.004, -3.0, 0.001, 0.05, -2.0, 0.00001, 0.0008, 1.0);
  const cv::Matx33d inverse = truth.inv();
  CalibrationSpec spec;
  for (cv::Point2d w : {cv::Point2d(0, 0), cv::Point2d(12, 0), cv::Point2d(12, 30), cv::Point2d(0, 30)}) {
    const cv::Point2d img = apply(inverse, w);
    spec.imagePoints.push_back({img.x, img.y});
    spec.worldPointsM.push_back({w.x, w.y});
  }
  auto cal = Calibration::create(spec);
  ASSERT_TRUE(cal.ok()) << cal.error().message;
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> gx(0, 12), gy(0, 30);
  for (int i = 0; i < 50; ++i) {
    const cv::Point2d w(gx(rng), gy(rng));
    const cv::Point2d g = cal->toGround(apply(inverse, w));
    EXPECT_NEAR(g.x, w.x, 2e-3 * std::max(1.0, w.x));
    EXPECT_NEAR(g.y, w.y, 2e-3 * std::max(1.0, w.y));
  }
}

TEST(Calibration, DegeneratePointsAreRefused) {
  CalibrationSpec spec;
  spec.imagePoints = {{0, 0}, {100, 0}, {200, 0}, {0, 100}};  // three on one line
  spec.worldPointsM = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
  auto cal = Calibration::create(spec);
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.error().code, "bad_request");
  CalibrationSpec none;
  EXPECT_FALSE(Calibration::create(none).ok());  // neither scale nor points
}

TEST(Calibration, MetersPerPixel) {
  CalibrationSpec spec;
  spec.metersPerPixel = 0.05;
  auto cal = Calibration::create(spec);
  ASSERT_TRUE(cal.ok());
  const cv::Point2d g = cal->toGround({200, 100});
  EXPECT_DOUBLE_EQ(g.x, 10.0);
  EXPECT_DOUBLE_EQ(g.y, 5.0);
  EXPECT_DOUBLE_EQ(cal->distance({0, 0}, {300, 400}), 25.0);
  EXPECT_NEAR(cal->area({10, 10, 80, 40}), 8.0, 1e-12);  // 4 m x 2 m
  EXPECT_EQ(footPoint({10, 10, 80, 40}), cv::Point2d(50, 50));
}

TEST(TrackKinematics, SpeedFromMetersPerPixel) {
  // 6 px per frame at 20 fps with 0.05 m/px: 120 px/s = 6 m/s = 21.6 km/h.
  const auto cal = Calibration::scale(0.05);
  TrackKinematics k(1.0);
  EXPECT_FALSE(k.speedMps());
  for (int f = 0; f < 60; ++f) {
    const cv::Point2d foot(30 + 6.0 * f, 200);
    k.add(f * 50, cal.toGround(foot), 8.0, false);
    if (f < 10) {
      EXPECT_FALSE(k.speedMps()) << "frame " << f;  // not half a window yet
    }
  }
  ASSERT_TRUE(k.speedMps());
  EXPECT_NEAR(*k.speedMps() * 3.6, 21.6, 1e-9);
  EXPECT_NEAR(*k.meanSpeedMps() * 3.6, 21.6, 1e-9);
  EXPECT_NEAR(*k.maxSpeedMps() * 3.6, 21.6, 1e-9);
  EXPECT_NEAR(k.distanceM(), 6.0 * 59 * 0.05, 6.0 * 0.05 * 10);  // within half a window of the end
}

TEST(TrackKinematics, JitterIsSmoothedByTheWindow) {
  const auto cal = Calibration::scale(0.05);
  TrackKinematics k(1.0);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> jitter(-1.5, 1.5);
  for (int f = 0; f < 80; ++f) k.add(f * 50, cal.toGround({40 + 4.0 * f + jitter(rng), 100 + jitter(rng)}), 2, false);
  // 4 px per frame = 80 px/s = 4 m/s = 14.4 km/h, within 10 %.
  EXPECT_NEAR(*k.speedMps() * 3.6, 14.4, 1.44);
  EXPECT_NEAR(*k.meanSpeedMps() * 3.6, 14.4, 1.44);
}

TEST(TrackKinematics, ClippedBoxesDoNotCountForSpeedOrClass) {
  const auto cal = Calibration::scale(0.05);
  TrackKinematics k(1.0);
  // Entering: the box grows from the edge, its foot moving at half speed and its area too small.
  for (int f = 0; f < 10; ++f) k.add(f * 50, cal.toGround({3.0 * f, 100}), 0.5 + f * 0.5, true);
  EXPECT_FALSE(k.speedMps());
  EXPECT_DOUBLE_EQ(k.areaM2(), 3.0);  // only clipped ones so far: their median
  for (int f = 10; f < 40; ++f) k.add(f * 50, cal.toGround({6.0 * f, 100}), 8.0, false);
  EXPECT_NEAR(*k.speedMps() * 3.6, 21.6, 1e-9);
  EXPECT_DOUBLE_EQ(k.areaM2(), 8.0);
  EXPECT_EQ(k.classify(Classes::Vehicles, ClassSizes{}), VehicleClass::Car);
}

TEST(VehicleClass, FromGroundArea) {
  const ClassSizes sizes{4.0, 15.0};
  EXPECT_EQ(classify(1.5, Classes::Vehicles, sizes), VehicleClass::TwoWheeler);
  EXPECT_EQ(classify(4.0, Classes::Vehicles, sizes), VehicleClass::TwoWheeler);
  EXPECT_EQ(classify(8.0, Classes::Vehicles, sizes), VehicleClass::Car);
  EXPECT_EQ(classify(35.0, Classes::Vehicles, sizes), VehicleClass::BusTruck);
  EXPECT_EQ(classify(35.0, Classes::People, sizes), VehicleClass::Person);
  EXPECT_EQ(classFromLabel("truck"), VehicleClass::BusTruck);
  EXPECT_EQ(classFromLabel("motorcycle"), VehicleClass::TwoWheeler);
  EXPECT_FALSE(classFromLabel("traffic light"));
  for (auto c : kAllClasses) EXPECT_EQ(parseClassName(className(c)), c);
}

TEST(LevelOfService, HcmThresholdsOnTheShareOfFreeFlowSpeed) {
  const LosThresholds t;  // A > 0.85, B > 0.67, C > 0.50, D > 0.40, E > 0.30
  EXPECT_EQ(LevelOfService::of(std::nullopt, 50, t), 'A');
  EXPECT_EQ(LevelOfService::of(50, 50, t), 'A');
  EXPECT_EQ(LevelOfService::of(42.6, 50, t), 'A');  // 0.852
  EXPECT_EQ(LevelOfService::of(42.5, 50, t), 'B');  // exactly 0.85 is not above
  EXPECT_EQ(LevelOfService::of(33.6, 50, t), 'B');
  EXPECT_EQ(LevelOfService::of(33.5, 50, t), 'C');
  EXPECT_EQ(LevelOfService::of(25.1, 50, t), 'C');
  EXPECT_EQ(LevelOfService::of(25.0, 50, t), 'D');
  EXPECT_EQ(LevelOfService::of(20.1, 50, t), 'D');
  EXPECT_EQ(LevelOfService::of(20.0, 50, t), 'E');
  EXPECT_EQ(LevelOfService::of(15.1, 50, t), 'E');
  EXPECT_EQ(LevelOfService::of(15.0, 50, t), 'F');
  EXPECT_EQ(LevelOfService::of(0, 50, t), 'F');
  EXPECT_FALSE(LevelOfService::congested('D'));
  EXPECT_TRUE(LevelOfService::congested('E'));
  EXPECT_TRUE(LevelOfService::congested('F'));
  EXPECT_DOUBLE_EQ(*LevelOfService::density(1200, 40), 30.0);
  EXPECT_DOUBLE_EQ(*LevelOfService::density(0, std::nullopt), 0.0);
  EXPECT_FALSE(LevelOfService::density(100, std::nullopt));
}

}  // namespace
}  // namespace cityops::traffic
