// CameraConfig from entity attributes, and the metric names and values of a closed interval (CameraMetrics).
#include "cameras/CameraConfig.hpp"
#include "cameras/CameraMetrics.hpp"
#include "model/Names.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>

namespace cityops::cameras {
namespace {

model::Entity camera(const char* attributes, const std::string& type = "TrafficCamera") {
  model::Entity e;
  e.id = "cam.1";
  e.type = type;
  e.name = "Camera 1";
  e.attributes = boost::json::parse(attributes).as_object();
  return e;
}

constexpr const char* kAnalytics = R"("analytics": {"id": "other", "calibration": {"meters_per_pixel": 0.05},
    "lines": [{"id": "Stop-Line", "a": [320, 0], "b": [320, 360], "forward": [1, 0]}],
    "lanes": [{"id": "east", "polygon": [[0, 180], [640, 180], [640, 360], [0, 360]], "forward": [1, 0]}]})";

TEST(CameraConfig, FromAnEntityWithASourceAndAnalytics) {
  auto c = CameraConfig::fromEntity(camera((std::string(R"({"source": "synthetic:?seed=2", )") + kAnalytics + "}").c_str()));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(*c);
  EXPECT_EQ((*c)->id, "cam.1");
  EXPECT_EQ((*c)->spec.id, "cam.1") << "the entity's id, whatever the analytics say";
  EXPECT_EQ((*c)->source, "synthetic:?seed=2");
  EXPECT_EQ((*c)->spec.lines.size(), 1u);
  EXPECT_FALSE((*c)->signature.empty());
  auto other = CameraConfig::fromEntity(camera((std::string(R"({"source": "synthetic:?seed=3", )") + kAnalytics + "}").c_str()));
  ASSERT_TRUE(other && *other);
  EXPECT_NE((*other)->signature, (*c)->signature) << "another source restarts the worker";
}

TEST(CameraConfig, NotALiveCamera) {
  for (const auto& e : {camera(R"({"street": "x"})"), camera(R"({"source": "synthetic:"})", "Sensor"),
                        camera((std::string(R"({"source": "synthetic:", "enabled": false, )") + kAnalytics + "}").c_str())}) {
    auto c = CameraConfig::fromEntity(e);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_FALSE(*c);
  }
}

TEST(CameraConfig, UnusableAttributesNameTheProblem) {
  const std::map<std::string, std::string> cases{
      {R"({"source": 3})", "attributes.source"},
      {R"({"source": ""})", "attributes.source"},
      {R"({"source": "synthetic:"})", "attributes.analytics"},
      {R"({"source": "synthetic:?fps=500", "analytics": {"calibration": {"meters_per_pixel": 1}}})", "fps"},
      {R"({"source": "synthetic:", "analytics": {"lines": []}})", "calibration"},
      {R"({"source": "synthetic:", "enabled": "yes", "analytics": {}})", "attributes.enabled"},
      {R"({"source": "synthetic:", "analytics": {"calibration": {"meters_per_pixel": 1},
          "lines": [{"id": "a-b", "a": [0, 0], "b": [0, 9], "forward": [1, 0]}],
          "lanes": [{"id": "a_b", "polygon": [[0, 0], [9, 0], [9, 9]], "forward": [1, 0]}]}})", "same metric names"},
      {R"({"source": "synthetic:", "analytics": {"calibration": {"meters_per_pixel": 1},
          "lines": [{"id": "a-very-long-line-id-that-does-not-fit-a-metric", "a": [0, 0], "b": [0, 9], "forward": [1, 0]}]}})",
       "too long"},
  };
  for (const auto& [attributes, expected] : cases) {
    auto c = CameraConfig::fromEntity(camera(attributes.c_str()));
    ASSERT_FALSE(c) << attributes;
    EXPECT_NE(c.error().message.find(expected), std::string::npos) << c.error().message;
  }
}

TEST(CameraMetrics, SuffixesAreMetricSafe) {
  EXPECT_EQ(metricSuffix("Stop-Line 1"), "stop_line_1");
  EXPECT_EQ(metricSuffix("lane_2"), "lane_2");
  EXPECT_EQ(metricSuffix("Làn 1"), "l__n_1");  // each byte outside [a-z0-9_] is one '_'
}

traffic::IntervalMetrics interval() {
  traffic::IntervalMetrics m;
  m.startMs = 1000;
  m.endMs = 61000;
  m.observedS = 60;
  m.camera.tracks = 9;
  m.camera.crossings = 7;
  m.camera.meanSpeedKmh = 30;
  m.camera.occupancyPct = 12.5;
  m.camera.los = 'C';
  traffic::LineInterval l;
  l.id = "Stop-Line";
  l.forward[traffic::VehicleClass::TwoWheeler] = 4;
  l.forward[traffic::VehicleClass::Car] = 1;
  l.backward[traffic::VehicleClass::BusTruck] = 2;
  l.flowVehH = 420;
  l.meanSpeedKmh = 28;
  l.densityVehKm = 15;
  l.los = 'D';
  m.lines.push_back(l);
  traffic::LaneInterval lane;
  lane.id = "east";
  lane.vehicles[traffic::VehicleClass::Car] = 3;
  lane.flowVehH = 180;
  lane.occupancyPct = 12.5;
  lane.los = 'F';
  lane.congested = true;
  m.lanes.push_back(lane);
  return m;
}

TEST(CameraMetrics, AnIntervalsObservations) {
  const auto obs = intervalObservations("cam.1", interval(), traffic::Classes::Vehicles);
  std::map<std::string, double> v;
  for (const auto& o : obs) {
    EXPECT_TRUE(model::isValidMetric(o.metric)) << o.metric;
    EXPECT_EQ(o.entity, "cam.1");
    EXPECT_EQ(o.time, 61000) << "the interval's end";
    EXPECT_TRUE(v.emplace(o.metric, o.value).second) << "twice: " << o.metric;
  }
  // The camera: the sum over its lines.
  EXPECT_EQ(v.at("count_two_wheeler_fwd"), 4);
  EXPECT_EQ(v.at("count_car_fwd"), 1);
  EXPECT_EQ(v.at("count_bus_truck_bwd"), 2);
  EXPECT_EQ(v.at("count_car_bwd"), 0);
  EXPECT_EQ(v.at("count_total"), 7);
  EXPECT_EQ(v.at("tracks"), 9);
  EXPECT_EQ(v.at("flow_veh_h"), 420);  // the mean of its one line's
  EXPECT_EQ(v.at("speed_kmh"), 30);
  EXPECT_EQ(v.at("density_veh_km"), 14);
  EXPECT_EQ(v.at("occupancy_pct"), 12.5);
  EXPECT_EQ(v.at("los"), 3);
  EXPECT_EQ(v.at("congested"), 0);
  // The line.
  EXPECT_EQ(v.at("count_two_wheeler_fwd__stop_line"), 4);
  EXPECT_EQ(v.at("count_bus_truck_bwd__stop_line"), 2);
  EXPECT_EQ(v.at("count_total__stop_line"), 7);
  EXPECT_EQ(v.at("flow_veh_h__stop_line"), 420);
  EXPECT_EQ(v.at("speed_kmh__stop_line"), 28);
  EXPECT_EQ(v.at("density_veh_km__stop_line"), 15);
  EXPECT_EQ(v.at("los__stop_line"), 4);
  // The lane: no speed measured, so no speed and no density.
  EXPECT_EQ(v.at("count_car__east"), 3);
  EXPECT_EQ(v.at("count_total__east"), 3);
  EXPECT_EQ(v.at("occupancy_pct__east"), 12.5);
  EXPECT_EQ(v.at("los__east"), 6);
  EXPECT_EQ(v.at("congested__east"), 1);
  EXPECT_FALSE(v.count("speed_kmh__east"));
  EXPECT_FALSE(v.count("density_veh_km__east"));
  EXPECT_FALSE(v.count("count_person_fwd")) << "a vehicle camera counts no people";
}

TEST(CameraMetrics, NothingObservedWritesNothing) {
  auto m = interval();
  m.observedS = 0;
  EXPECT_TRUE(intervalObservations("cam.1", m, traffic::Classes::Vehicles).empty());
}

TEST(CameraMetrics, IncidentKindsHaveValidMetricsAndRules) {
  EXPECT_EQ(incidentKinds().size(), 7u);
  for (const auto& k : incidentKinds()) {
    EXPECT_TRUE(model::isValidMetric(k.metric)) << k.metric;
    EXPECT_EQ(incidentKind(k.kind), &k);
  }
  EXPECT_EQ(incidentKind("stopped_vehicle")->metric, "incident_stopped");
  EXPECT_EQ(incidentKind("nothing"), nullptr);
}

}  // namespace
}  // namespace cityops::cameras
