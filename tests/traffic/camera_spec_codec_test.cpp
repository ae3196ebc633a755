// CameraSpecCodec: the camera file - the documented example, defaults, every optional member, round trips, and each
// kind of invalid input a bad_request naming its field (never an exception).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "traffic/CameraSpecCodec.hpp"

namespace cityops::traffic {
namespace {

namespace json = boost::json;

constexpr const char* kExample = R"({
  "lines": [{"id": "stop-line", "a": [640, 80], "b": [640, 640], "forward": [1, 0]}],
  "lanes": [{"id": "lane-1", "polygon": [[0, 360], [1280, 360], [1280, 640], [0, 640]], "forward": [1, 0]}],
  "calibration": {"meters_per_pixel": 0.05},
  "interval_s": 60, "classes": "vehicles"})";

TEST(CameraSpecCodec, ParsesTheDocumentedExample) {
  auto spec = CameraSpecCodec::parse(kExample);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  ASSERT_EQ(spec->lines.size(), 1u);
  EXPECT_EQ(spec->lines[0].id, "stop-line");
  EXPECT_EQ(spec->lines[0].a, (Point2{640, 80}));
  EXPECT_EQ(spec->lines[0].b, (Point2{640, 640}));
  EXPECT_EQ(spec->lines[0].forward, (Point2{1, 0}));
  ASSERT_EQ(spec->lanes.size(), 1u);
  EXPECT_EQ(spec->lanes[0].polygon.size(), 4u);
  EXPECT_DOUBLE_EQ(spec->calibration.metersPerPixel, 0.05);
  EXPECT_FALSE(spec->calibration.usesHomography());
  EXPECT_DOUBLE_EQ(spec->intervalS, 60);
  EXPECT_EQ(spec->classes, Classes::Vehicles);
  // Defaults.
  EXPECT_EQ(spec->id, "camera");
  EXPECT_DOUBLE_EQ(spec->freeFlowKmh, 50);
  EXPECT_DOUBLE_EQ(spec->los.a, 0.85);
  EXPECT_DOUBLE_EQ(spec->los.e, 0.30);
  EXPECT_DOUBLE_EQ(spec->stoppedAfterS, 30);
  EXPECT_EQ(spec->detector, DetectorKind::Mog2);
  EXPECT_EQ(spec->downscaleWidth, 640);
}

TEST(CameraSpecCodec, ParsesEveryOptionalMemberAndRoundTrips) {
  auto spec = CameraSpecCodec::parse(R"({
    "id": "cam-7", "classes": "people", "interval_s": 2.5,
    "calibration": {"image_points": [[0, 0], [100, 0], [100, 100], [0, 100]],
                    "world_points_m": [[0, 0], [5, 0], [5, 5], [0, 5]]},
    "free_flow_kmh": 40, "los_thresholds": {"A": 0.8, "E": 0.25},
    "stopped_after_s": 12, "stopped_speed_kmh": 3, "wrong_way_min_m": 7,
    "queue": {"occupancy_jump_pct": 30, "speed_drop": 0.5},
    "min_area_px": 90, "detector": "knn", "downscale_width": 480,
    "class_size_m2": {"two_wheeler_max": 3, "car_max": 12},
    "health": {"dark_mean_luma": 20, "blur_laplacian_var": 8, "frozen_max_diff": 0.2, "frozen_after_s": 4,
               "sustain_s": 2, "offline_after_s": 15},
    "tracker": {"confirm_hits": 4, "max_misses": 8, "min_iou": 0.2},
    "speed_window_s": 2})");
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->id, "cam-7");
  EXPECT_EQ(spec->classes, Classes::People);
  EXPECT_DOUBLE_EQ(spec->intervalS, 2.5);
  EXPECT_TRUE(spec->calibration.usesHomography());
  EXPECT_DOUBLE_EQ(spec->los.a, 0.8);
  EXPECT_DOUBLE_EQ(spec->los.b, 0.67);
  EXPECT_DOUBLE_EQ(spec->los.e, 0.25);
  EXPECT_DOUBLE_EQ(spec->queueSpeedDrop, 0.5);
  EXPECT_EQ(spec->detector, DetectorKind::Knn);
  EXPECT_EQ(spec->downscaleWidth, 480);
  EXPECT_DOUBLE_EQ(spec->classSizes.carMaxM2, 12);
  EXPECT_DOUBLE_EQ(spec->health.frozenAfterS, 4);
  EXPECT_EQ(spec->tracker.confirmHits, 4);
  EXPECT_DOUBLE_EQ(spec->speedWindowS, 2);

  auto again = CameraSpecCodec::fromJson(CameraSpecCodec::toJson(*spec));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *spec);
  auto example = CameraSpecCodec::parse(kExample);
  ASSERT_TRUE(example.ok());
  auto exampleAgain = CameraSpecCodec::fromJson(CameraSpecCodec::toJson(*example));
  ASSERT_TRUE(exampleAgain.ok()) << exampleAgain.error().message;
  EXPECT_EQ(*exampleAgain, *example);
}

/// The example with the member at `path` ("lines.0.a": dots, array indexes as numbers) set to the JSON `value`, or
/// removed when `value` is empty.
std::string with(const std::string& path, const std::string& value) {
  json::value v = json::parse(kExample);
  json::value* target = &v;
  std::string rest = path;
  std::string key;
  for (;;) {
    const size_t dot = rest.find('.');
    key = rest.substr(0, dot);
    if (dot == std::string::npos) break;
    rest = rest.substr(dot + 1);
    if (!key.empty() && std::isdigit(static_cast<unsigned char>(key[0])))
      target = &target->as_array().at(std::stoul(key));
    else
      target = &target->as_object()[key];
  }
  if (value.empty()) target->as_object().erase(key);
  else if (!key.empty() && std::isdigit(static_cast<unsigned char>(key[0])))
    target->as_array().at(std::stoul(key)) = json::parse(value);
  else target->as_object()[key] = json::parse(value);
  return json::serialize(v);
}

void rejects(const std::string& text, const std::string& messagePart) {
  Result<CameraSpec> spec = BadRequest("unset");
  EXPECT_NO_THROW(spec = CameraSpecCodec::parse(text)) << text;
  ASSERT_FALSE(spec.ok()) << "accepted: " << text;
  EXPECT_EQ(spec.error().code, "bad_request") << text;
  EXPECT_NE(spec.error().message.find(messagePart), std::string::npos)
      << "message '" << spec.error().message << "' lacks '" << messagePart << "' for " << text;
}

TEST(CameraSpecCodec, InvalidInputsAreBadRequestsNamingTheField) {
  rejects("", "not valid JSON");
  rejects("{\"lines\": [", "not valid JSON");
  rejects("[1, 2]", "JSON object");
  rejects("42", "JSON object");
  rejects(with("colour", "\"red\""), "unknown field 'colour'");
  rejects(with("calibration", ""), "calibration is required");
  rejects(with("calibration", "5"), "calibration must be an object");
  rejects(with("calibration", "{}"), "calibration needs");
  rejects(with("calibration.meters_per_pixel", "0"), "calibration.meters_per_pixel must be above 0");
  rejects(with("calibration.meters_per_pixel", "-1"), "calibration.meters_per_pixel");
  rejects(with("calibration.meters_per_pixel", "\"0.05\""), "calibration.meters_per_pixel must be a number");
  rejects(with("calibration.image_points", "[[0,0],[1,0],[1,1],[0,1]]"), "not both");
  rejects(with("calibration", R"({"image_points": [[0,0],[1,0],[1,1]], "world_points_m": [[0,0],[1,0],[1,1],[0,1]]})"),
          "calibration.image_points must hold exactly 4 points");
  rejects(with("calibration", R"({"image_points": [[0,0],[10,0],[20,0],[0,10]], "world_points_m": [[0,0],[1,0],[1,1],[0,1]]})"),
          "calibration.image_points: three of the points lie on one line");
  rejects(with("calibration", R"({"image_points": [[0,0],[10,0],[10,10],[0,10]]})"), "world_points_m");
  rejects(with("calibration", R"({"image_points": [[0,0],[10,0],[10,10],[0,10]], "world_points_m": [[0,0],[1,0],[1,1],["a",1]]})"),
          "calibration.world_points_m[3][0] must be a number");
  rejects(with("lines", "{}"), "lines must be an array");
  rejects(with("lines.0", "7"), "lines[0] must be an object");
  rejects(with("lines.0.id", ""), "lines[0].id is required");
  rejects(with("lines.0.id", "\"\""), "lines[0].id must be 1 to 64 bytes");
  rejects(with("lines.0.id", "3"), "lines[0].id must be a string");
  rejects(with("lines.0.a", "[1]"), "lines[0].a must be a pair of numbers");
  rejects(with("lines.0.a", "[1, 2, 3]"), "lines[0].a must be a pair of numbers");
  rejects(with("lines.0.b", ""), "lines[0].b is required");
  rejects(with("lines.0.b", "[640, 80]"), "lines[0]: a and b must be at least one pixel apart");
  rejects(with("lines.0.forward", "[0, 0]"), "lines[0].forward must not be [0, 0]");
  rejects(with("lines.0.forward", "[0, 1]"), "lines[0].forward must point across the line");
  rejects(with("lines.0.extra", "1"), "unknown field 'extra' in lines[0]");
  rejects(with("lines", R"([{"id": "x", "a": [0,0], "b": [0,10], "forward": [1,0]}, {"id": "x", "a": [5,0], "b": [5,10], "forward": [1,0]}])"),
          "lines[1].id: line 'x' is repeated");
  rejects(with("lines.0.a", "[1e300, 0]"), "lines[0].a[0] must be at most");
  rejects(with("lanes.0.polygon", "[[0,0],[1,1]]"), "lanes[0].polygon must hold 3 to 100 points");
  rejects(with("lanes.0.polygon", "[[0,0],[10,10],[20,20]]"), "lanes[0].polygon must enclose an area");
  rejects(with("lanes.0.polygon", "\"square\""), "lanes[0].polygon must be an array");
  rejects(with("lanes.0.forward", ""), "lanes[0].forward is required");
  rejects(with("lanes.0.id", "\"a\\u0001b\""), "lanes[0].id must not contain control characters");
  rejects(with("interval_s", "0"), "interval_s must be above 0");
  rejects(with("interval_s", "\"60s\""), "interval_s must be a number");
  rejects(with("interval_s", "100000"), "interval_s must be at most 86400");
  rejects(with("classes", "\"cars\""), "classes must be \"vehicles\" or \"people\"");
  rejects(with("detector", "\"yolo\""), "detector must be \"mog2\" or \"knn\"");
  rejects(with("downscale_width", "10"), "downscale_width must be between 64 and 8192");
  rejects(with("downscale_width", "320.5"), "downscale_width must be an integer");
  rejects(with("free_flow_kmh", "0"), "free_flow_kmh must be above 0");
  rejects(with("stopped_after_s", "-5"), "stopped_after_s must be above 0");
  rejects(with("los_thresholds", R"({"A": 0.5, "B": 0.6})"), "los_thresholds must decrease");
  rejects(with("los_thresholds", R"({"A": 1.5})"), "los_thresholds.A must be at most 1");
  rejects(with("los_thresholds", R"({"G": 0.1})"), "unknown field 'G' in los_thresholds");
  rejects(with("class_size_m2", R"({"two_wheeler_max": 10, "car_max": 5})"), "car_max must be above");
  rejects(with("health", R"({"dark_mean_luma": 300})"), "health.dark_mean_luma must be at most 255");
  rejects(with("health", R"({"frozen_after_s": 0})"), "health.frozen_after_s must be above 0");
  rejects(with("health", "[]"), "health must be an object");
  rejects(with("tracker", R"({"confirm_hits": 0})"), "tracker.confirm_hits must be between 1 and 100");
  rejects(with("tracker", R"({"min_iou": 2})"), "tracker.min_iou must be at most 1");
  rejects(with("queue", R"({"speed_drop": 0})"), "queue.speed_drop must be above 0");
  rejects(with("speed_window_s", "0.01"), "speed_window_s must be at least 0.1");
  rejects(with("id", "\"\""), "id must be 1 to 64 bytes");
}

TEST(CameraSpecCodec, LoadReadsAFileAndNamesItInErrors) {
  const std::string path = ::testing::TempDir() + "traffic_camera_spec_test.json";
  {
    std::ofstream f(path);
    f << kExample;
  }
  auto spec = CameraSpecCodec::load(path);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->lines.size(), 1u);
  {
    std::ofstream f(path);
    f << "{\"lines\": 3}";
  }
  auto bad = CameraSpecCodec::load(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_request");
  EXPECT_NE(bad.error().message.find(path), std::string::npos);
  std::remove(path.c_str());
  auto missing = CameraSpecCodec::load(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "not_found");
}

}  // namespace
}  // namespace cityops::traffic
