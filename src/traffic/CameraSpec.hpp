#pragma once
// CameraSpec: what one traffic camera's analytics need to know (its "camera file", docs/traffic.md): the counting
// lines and lanes drawn on the image, the ground calibration, the reporting interval and the thresholds of the
// metrics, incidents and health checks. Coordinates are pixels of the source frame (before any downscaling).
// Free of OpenCV types so that the API layer can validate camera files without the vision headers.
#include <string>
#include <vector>

namespace cityops::traffic {

/// A point or direction in image pixels (x to the right, y down) or, for world points, in metres.
struct Point2 {
  double x = 0;
  double y = 0;
  bool operator==(const Point2&) const = default;
};

/// A counting line from a to b; a track crossing it is counted once, "forward" when it crosses in the direction of
/// `forward` (image-space; only its component across the line matters), "backward" otherwise.
struct CountLine {
  std::string id;
  Point2 a;
  Point2 b;
  Point2 forward;
  bool operator==(const CountLine&) const = default;
};

/// A lane: a polygon on the image and the image-space direction of legal travel in it.
struct Lane {
  std::string id;
  std::vector<Point2> polygon;  // >= 3 points
  Point2 forward;
  bool operator==(const Lane&) const = default;
};

/// Image -> ground plane: either a uniform scale (a camera looking straight down) or a homography from four image
/// points to four ground points in metres.
struct CalibrationSpec {
  double metersPerPixel = 0;           // > 0 when used
  std::vector<Point2> imagePoints;     // 4 when used
  std::vector<Point2> worldPointsM;    // 4 when used
  bool usesHomography() const { return !imagePoints.empty(); }
  bool operator==(const CalibrationSpec&) const = default;
};

/// Level of service from the mean travel speed as a share of the free-flow speed: A when the share is above `a`,
/// B above `b`, ..., E above `e`, else F. Defaults: HCM 2010 urban street segments (Exhibit 16-4).
struct LosThresholds {
  double a = 0.85;
  double b = 0.67;
  double c = 0.50;
  double d = 0.40;
  double e = 0.30;
  bool operator==(const LosThresholds&) const = default;
};

/// Vehicle class from the ground-plane area of the bounding box: up to twoWheelerMaxM2 a two-wheeler, up to
/// carMaxM2 a car, above that a bus or truck.
struct ClassSizes {
  double twoWheelerMaxM2 = 4.0;
  double carMaxM2 = 15.0;
  bool operator==(const ClassSizes&) const = default;
};

/// Camera health thresholds (luma on the 0..255 scale, measured on the downscaled grey frame).
struct HealthThresholds {
  double darkMeanLuma = 35;       // mean luma below this: too dark
  double blurLaplacianVar = 20;   // variance of the Laplacian below this: blurred or obstructed
  double frozenMaxDiff = 0.5;     // mean absolute luma difference between frames below this: unchanged
  double frozenAfterS = 10;       // unchanged this long: frozen
  double sustainS = 5;            // dark or blurred this long before it is reported
  double offlineAfterS = 30;      // no frame this long: offline (checked by the caller)
  bool operator==(const HealthThresholds&) const = default;
};

/// Multi-object tracker parameters.
struct TrackerSpec {
  int confirmHits = 3;   // a track is confirmed after this many matched frames
  int maxMisses = 15;    // a confirmed track ends after this many frames in a row without a match
  double minIou = 0.1;   // a detection is assigned to a track only above this overlap
  bool operator==(const TrackerSpec&) const = default;
};

enum class Classes { Vehicles, People };
enum class DetectorKind { Mog2, Knn };

struct CameraSpec {
  std::string id = "camera";
  std::vector<CountLine> lines;
  std::vector<Lane> lanes;
  CalibrationSpec calibration;
  double intervalS = 60;
  Classes classes = Classes::Vehicles;
  double freeFlowKmh = 50;
  LosThresholds los;
  double stoppedAfterS = 30;
  double stoppedSpeedKmh = 5;       // a track slower than this is standing
  double wrongWayMinM = 10;         // net ground distance against a lane's direction that makes a wrong-way incident
  double queueOccupancyJumpPct = 20;  // sudden queue: lane occupancy up by at least this many points ...
  double queueSpeedDrop = 0.3;        // ... while its mean speed fell by at least this share
  double minAreaPx = 150;           // smallest detection, in source pixels²
  DetectorKind detector = DetectorKind::Mog2;
  int downscaleWidth = 640;         // frames wider than this are processed at this width
  ClassSizes classSizes;
  HealthThresholds health;
  TrackerSpec tracker;
  double speedWindowS = 1.0;        // a track's speed is its ground displacement over this window
  bool operator==(const CameraSpec&) const = default;
};

}  // namespace cityops::traffic
