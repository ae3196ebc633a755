#pragma once
// SyntheticScene: a two-way street seen from straight above, drawn in-process - the camera of the demo and of the
// tests (`synthetic:` sources, docs/traffic.md "Cameras in the server"). Everything follows from the options and
// the seed, so the vehicles, their classes, speeds and the times they cross the counting line are known exactly.
//
// The picture (fractions of the frame height H and width W; square pixels, W is `scene_width_m` metres):
//   - westbound lane (travel -x): y 0.06H..0.47H, two rows of traffic at 0.19H and 0.37H;
//   - eastbound lane (travel +x): y 0.53H..0.94H, rows at 0.63H and 0.81H;
//   - the counting line `stop_line` at x = W/2, forward = +x (eastbound is forward);
//   - vehicles are filled boxes of their real footprint: two-wheelers ~2.0 x 0.9 m (most of the traffic), cars
//     ~4.4 x 1.8 m, buses ~11 x 2.6 m (outer rows only), at 25-45 km/h, arriving as a Poisson process of
//     `vehicles_per_min` (both directions). A row never lets a vehicle catch up with the one ahead of it.
//   - stops: at `stop_first_s` and then every `stop_every_s` a car in the outer eastbound row stops past the line
//     for `stop_s` seconds (a stopped_vehicle incident when that exceeds the camera's stopped_after_s); nothing
//     enters that row behind it until it has gone.
//   - wrong way: every `wrong_way_every_s` (0: never) a two-wheeler rides west in the inner eastbound row, alone.
#include "common/Result.hpp"
#include "traffic/VehicleClass.hpp"

#include <boost/json/object.hpp>
#include <opencv2/core/mat.hpp>

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <string_view>
#include <vector>

namespace cityops::traffic {

struct SyntheticOptions {
  double vehiclesPerMin = 30;   // arrivals per minute, both directions together (0..600)
  uint64_t seed = 1;
  int width = 640;              // 64..3840
  int height = 360;             // 64..2160
  double fps = 10;              // 1..60
  double twoWheelerShare = 0.7; // the rest are cars, but for
  double busShare = 0.05;       // buses
  double stopFirstS = 60;       // first stop (scene time)
  double stopEveryS = 300;      // then every this often; 0: only the first
  double stopS = 60;            // how long a car stands; 0: no stops
  double wrongWayEveryS = 0;    // 0: never
  double noise = 2;             // sensor noise, standard deviation in grey levels (0..20)
  double sceneWidthM = 32;      // metres across the frame (5..200)

  /// "synthetic:" or "synthetic:?vehicles_per_min=30&seed=3&...": keys as in docs/traffic.md (snake case of the
  /// members above). Unknown keys and values out of range are bad_request naming the key.
  static Result<SyntheticOptions> parse(std::string_view source);
};

struct SyntheticVehicle {
  int id = 0;                     // 1, 2, ... in the order they were scheduled
  VehicleClass cls = VehicleClass::Car;
  int direction = 1;              // +1 eastbound (forward across the line), -1 westbound
  bool wrongWay = false;          // westbound in the eastbound lane
  int row = 0;                    // 0..3 from the top
  double entryMs = 0;             // scene time its front edge enters the frame
  double pxPerMs = 0;
  int w = 0, h = 0, cy = 0;       // box size and centre row (pixels)
  double stopLeft = -1;           // a stopping car: the left edge where it stands
  double stopMs = 0;
  cv::Scalar colour;

  bool stops() const { return stopMs > 0 && stopLeft >= 0; }
  /// Left edge at scene time t (meaningful between entryMs and exitMs).
  double left(double tMs, int frameWidth) const;
  double exitMs(int frameWidth) const;
  /// When the bottom centre (the foot point) reaches x = lineX.
  double crossingMs(double lineX, int frameWidth) const;
  double speedKmh(double metersPerPixel) const { return pxPerMs * 1000.0 * metersPerPixel * 3.6; }
};

struct SyntheticCrossing {
  int vehicle = 0;
  VehicleClass cls = VehicleClass::Car;
  bool forward = true;  // eastbound
  double tMs = 0;
};

class SyntheticScene {
 public:
  explicit SyntheticScene(SyntheticOptions options);

  const SyntheticOptions& options() const { return o_; }
  cv::Size size() const { return {o_.width, o_.height}; }
  double metersPerPixel() const { return o_.sceneWidthM / o_.width; }
  double frameMs() const { return 1000.0 / o_.fps; }
  double lineX() const { return o_.width / 2.0; }

  /// Frame `index` (scene time index * frameMs()): the street, its noise, the vehicles present. 8-bit BGR.
  void render(int64_t index, cv::Mat& out);
  /// Every vehicle scheduled to enter by tMs (generating as far as needed), in the order scheduled; vehicles
  /// forgotten by forgetBefore() are not listed.
  const std::deque<SyntheticVehicle>& vehiclesUntil(double tMs);
  /// The line crossings (foot point reaching x = W/2) in [fromMs, toMs), in time order.
  std::vector<SyntheticCrossing> crossings(double fromMs, double toMs);
  /// Drops the vehicles gone before tMs (a long-running source).
  void forgetBefore(double tMs);

  /// The camera file members that match the picture: `lines`, `lanes`, `calibration`, `downscale_width`.
  boost::json::object cameraJson() const;

 private:
  struct Row {
    int index = 0;
    int cy = 0;
    int direction = 1;
    bool hasLast = false;
    SyntheticVehicle last;
    double reservedUntil = 0;
  };
  double uniform();
  double exponentialMs(double meanMs);
  void generateUntil(double tMs);
  void scheduleNormal(double atMs);
  void scheduleStop(double atMs);
  void scheduleWrongWay(double atMs);
  SyntheticVehicle makeVehicle(VehicleClass cls, int direction, double kmh);
  /// The earliest entry time >= atMs for `v` in `row` (reservations, the gap to the vehicle ahead).
  double earliestEntry(const Row& row, const SyntheticVehicle& v, double atMs) const;
  void place(Row& row, SyntheticVehicle v, double entryMs, bool reserve);
  void drawVehicle(cv::Mat& img, const SyntheticVehicle& v, double tMs) const;

  SyntheticOptions o_;
  std::mt19937_64 rng_;
  std::array<Row, 4> rows_;
  std::deque<SyntheticVehicle> vehicles_;
  std::vector<cv::Mat> backgrounds_;  // the street with a few noise patterns, cycled
  double generatedUntil_ = -1;
  double nextArrival_ = 0;
  double nextStop_ = 0;
  double nextWrongWay_ = 0;
  int nextId_ = 1;
};

}  // namespace cityops::traffic
