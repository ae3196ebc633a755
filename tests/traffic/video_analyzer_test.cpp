// VideoAnalyzer end to end on videos generated here: a 640x360, 20 fps MJPG video of a textured road with mild
// noise, where filled rectangles of known sizes drive across a counting line at known pixel speeds in both
// directions (one the wrong way in its lane, one stopping in its lane). With 0.05 m per pixel, v px per frame is
// v * 20 * 0.05 m/s = 3.6 v km/h. Every expectation below comes from how the video is drawn.
// Also: camera health on a dark video and on a frozen one, the annotated output, the snapshot, the CLI behaviour.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "traffic/AnalysisResultCodec.hpp"
#include "traffic/AnalyzeVideoCommand.hpp"
#include "traffic/CameraSpecCodec.hpp"
#include "traffic/VideoAnalyzer.hpp"

namespace cityops::traffic {
namespace {

namespace json = boost::json;

constexpr int kWidth = 640, kHeight = 360, kFps = 20;
constexpr int kFrames = 330;  // 16.5 s
constexpr double kMetersPerPixel = 0.05;
constexpr int kLineX = 320;   // the counting line, forward = +x

/// One rectangle: its left edge is x0 at frame `start` and moves vx px per frame (negative: westwards), until it
/// reaches `stopAt` (left edge) if given.
struct Vehicle {
  const char* name;
  int w, h, cy;
  int start;
  int x0;
  int vx;
  std::optional<int> stopAt;
  cv::Scalar colour;
  VehicleClass cls;  // from the area: w * h * 0.05² m² against the default 4 / 15 m² limits

  int left(int f) const {
    int x = x0 + vx * (f - start);
    if (stopAt && vx > 0 && x > *stopAt) x = *stopAt;
    return x;
  }
  bool present(int f) const { return f >= start && left(f) < kWidth && left(f) + w > 0; }
  cv::Rect rect(int f) const { return {left(f), cy - h / 2, w, h}; }
  Direction direction() const { return vx > 0 ? Direction::Forward : Direction::Backward; }
  double kmh() const { return std::abs(vx) * kFps * kMetersPerPixel * 3.6; }
  /// When the foot point (bottom centre) reaches the line, in ms.
  double crossingMs() const { return (start + (kLineX - w / 2.0 - x0) / vx) * 1000.0 / kFps; }
};

// Rows: east-1 (cy 215) and east-2 (cy 305) in lane-east (y 180..350, forward +x); west (cy 95) in lane-west
// (y 20..170, forward -x). The first vehicle enters after 1.75 s, once the background model has settled.
const std::vector<Vehicle>& vehicles() {
  static const std::vector<Vehicle> v{
      {"G two-wheeler east", 30, 20, 215, 40, -30, 7, {}, {255, 60, 0}, VehicleClass::TwoWheeler},   // 1.5 m²
      {"A car east", 80, 40, 215, 50, -80, 6, {}, {30, 30, 230}, VehicleClass::Car},                 // 8 m²
      {"C bus east", 200, 70, 215, 90, -200, 5, {}, {20, 220, 240}, VehicleClass::BusTruck},         // 35 m²
      {"E car wrong way", 80, 40, 305, 40, 640, -6, {}, {200, 40, 200}, VehicleClass::Car},
      {"F car stops", 80, 40, 305, 162, -80, 8, 440, {0, 140, 255}, VehicleClass::Car},
      {"D car west", 80, 40, 95, 35, 640, -8, {}, {40, 200, 40}, VehicleClass::Car},
      {"B two-wheeler west", 30, 20, 95, 50, 640, -4, {}, {220, 220, 20}, VehicleClass::TwoWheeler},
  };
  return v;
}

std::string tempPath(const std::string& name) {
  return ::testing::TempDir() + "cityops_traffic_" + std::to_string(::getpid()) + "_" + name;
}

cv::Mat roadBackground(int w, int h) {
  cv::Mat grey(h, w, CV_8UC1);
  cv::RNG rng(42);
  rng.fill(grey, cv::RNG::UNIFORM, 70, 170);
  cv::GaussianBlur(grey, grey, cv::Size(0, 0), 1.5);
  cv::Mat bgr;
  cv::cvtColor(grey, bgr, cv::COLOR_GRAY2BGR);
  // Lane markings.
  for (int x = 0; x < w; x += 60) {
    cv::rectangle(bgr, cv::Rect(x, h / 2 - 4, 30, 4), cv::Scalar(230, 230, 230), cv::FILLED);
  }
  return bgr;
}

void addNoise(cv::Mat& frame, cv::RNG& rng, double sigma) {
  cv::Mat noise(frame.size(), CV_16SC3);
  rng.fill(noise, cv::RNG::NORMAL, 0, sigma);
  cv::Mat wide;
  frame.convertTo(wide, CV_16SC3);
  wide += noise;
  wide.convertTo(frame, CV_8UC3);
}

cv::VideoWriter openWriter(const std::string& path, cv::Size size) {
  cv::VideoWriter w(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), kFps, size);
  EXPECT_TRUE(w.isOpened()) << path;
  return w;
}

void writeTrafficVideo(const std::string& path) {
  const cv::Mat background = roadBackground(kWidth, kHeight);
  cv::VideoWriter writer = openWriter(path, background.size());
  cv::RNG rng(7);
  cv::Mat frame;
  for (int f = 0; f < kFrames; ++f) {
    background.copyTo(frame);
    std::vector<cv::Rect> drawn;
    for (const auto& v : vehicles()) {
      if (!v.present(f)) continue;
      const cv::Rect r = v.rect(f);
      for (const auto& other : drawn) {
        // The scene is valid only if vehicles never touch (10 px apart at least).
        const cv::Rect grown(other.x - 10, other.y - 10, other.width + 20, other.height + 20);
        EXPECT_TRUE((grown & r).empty()) << v.name << " touches another vehicle in frame " << f;
      }
      drawn.push_back(r);
      cv::rectangle(frame, r, v.colour, cv::FILLED);
    }
    addNoise(frame, rng, 2.0);
    writer.write(frame);
  }
}

/// A video of `frames` frames made by `make(frameIndex)`.
template <class Make>
void writeVideo(const std::string& path, int frames, cv::Size size, Make make) {
  cv::VideoWriter writer = openWriter(path, size);
  for (int f = 0; f < frames; ++f) writer.write(make(f));
}

constexpr const char* kCameraJson = R"({
  "id": "synthetic",
  "lines": [{"id": "stop-line", "a": [320, 0], "b": [320, 360], "forward": [1, 0]}],
  "lanes": [{"id": "lane-east", "polygon": [[0, 180], [640, 180], [640, 350], [0, 350]], "forward": [1, 0]},
            {"id": "lane-west", "polygon": [[0, 20], [640, 20], [640, 170], [0, 170]], "forward": [-1, 0]}],
  "calibration": {"meters_per_pixel": 0.05},
  "interval_s": 5, "classes": "vehicles",
  "stopped_after_s": 3, "wrong_way_min_m": 10, "downscale_width": 320
})";

CameraSpec cameraSpec() {
  auto spec = CameraSpecCodec::parse(kCameraJson);
  EXPECT_TRUE(spec.ok()) << spec.error().message;
  return *spec;
}

class SyntheticTraffic : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    video_ = new std::string(tempPath("traffic.avi"));
    annotated_ = new std::string(tempPath("annotated.avi"));
    writeTrafficVideo(*video_);
    snapshot_ = new Snapshot();
    AnalyzeOptions options;
    options.input = *video_;
    options.camera = cameraSpec();
    options.annotatePath = *annotated_;
    options.snapshot = snapshot_;
    options.progress = [](const AnalyzeProgress& p) { ++progressCalls_; lastProgress_ = p; };
    options.progressEveryS = 0;
    auto r = analyzeVideo(std::move(options));
    if (!r.ok()) {
      error_ = new std::string(r.error().message);
      return;
    }
    result_ = new AnalysisResult(std::move(*r));
    // CITYOPS_TRAFFIC_DUMP=FILE keeps the result JSON for a look.
    if (const char* dump = std::getenv("CITYOPS_TRAFFIC_DUMP"))
      std::ofstream(dump) << json::serialize(AnalysisResultCodec::toJson(*result_)) << "\n";
  }
  static void TearDownTestSuite() {
    std::remove(video_->c_str());
    std::remove(annotated_->c_str());
    delete video_;
    delete annotated_;
    delete snapshot_;
    delete result_;
    delete error_;
  }
  void SetUp() override { ASSERT_NE(result_, nullptr) << (error_ ? *error_ : "no result"); }

  /// The track whose crossing of the stop line matches the vehicle's direction and time (±0.5 s).
  static const TrackSummary* trackOf(const Vehicle& v, const Crossing** crossing = nullptr) {
    const TrackSummary* found = nullptr;
    for (const auto& t : result_->tracks)
      for (const auto& c : t.crossings)
        if (c.line == "stop-line" && c.direction == v.direction() &&
            std::abs(static_cast<double>(c.tMs) - v.crossingMs()) <= 500) {
          EXPECT_EQ(found, nullptr) << "two tracks match " << v.name;
          found = &t;
          if (crossing) *crossing = &c;
        }
    return found;
  }

  static std::string* video_;
  static std::string* annotated_;
  static Snapshot* snapshot_;
  static AnalysisResult* result_;
  static std::string* error_;
  static int progressCalls_;
  static AnalyzeProgress lastProgress_;
};

std::string* SyntheticTraffic::video_ = nullptr;
std::string* SyntheticTraffic::annotated_ = nullptr;
Snapshot* SyntheticTraffic::snapshot_ = nullptr;
AnalysisResult* SyntheticTraffic::result_ = nullptr;
std::string* SyntheticTraffic::error_ = nullptr;
int SyntheticTraffic::progressCalls_ = 0;
AnalyzeProgress SyntheticTraffic::lastProgress_;

TEST_F(SyntheticTraffic, ReadsEveryFrameAndWritesItsOutputs) {
  {  // what was read
    EXPECT_EQ(result_->frames, kFrames);
    EXPECT_EQ(result_->width, kWidth);
    EXPECT_EQ(result_->height, kHeight);
    EXPECT_NEAR(result_->sourceFps, kFps, 0.01);
    EXPECT_NEAR(result_->durationS, kFrames / static_cast<double>(kFps), 0.001);
    EXPECT_GT(result_->processingFps, 0);
    EXPECT_GT(progressCalls_, 1);
    EXPECT_EQ(lastProgress_.frames, kFrames);
    std::printf("[ perf     ] %lld frames of %dx%d in %.2f s: %.1f frames per second\n",
                static_cast<long long>(result_->frames), kWidth, kHeight, result_->elapsedS, result_->processingFps);
  }
  {  // the result JSON
    const json::object o = AnalysisResultCodec::toJson(*result_);
    EXPECT_EQ(o.at("camera").as_string(), "synthetic");
    EXPECT_EQ(o.at("frames").as_int64(), kFrames);
    EXPECT_EQ(o.at("lines").as_array().size(), 1u);
    const auto& line = o.at("lines").as_array()[0].as_object();
    EXPECT_EQ(line.at("forward").at("total").as_int64(), 4);
    EXPECT_EQ(line.at("backward").at("by_class").at("two_wheeler").as_int64(), 1);
    EXPECT_EQ(o.at("intervals").as_array().size(), 4u);
    const auto& lane = o.at("intervals").as_array()[3].at("lanes").as_array()[0].as_object();
    EXPECT_EQ(lane.at("los").as_string(), "F");
    EXPECT_TRUE(lane.at("congested").as_bool());
    EXPECT_EQ(o.at("tracks").as_array().size(), vehicles().size());
    EXPECT_TRUE(o.at("frames_per_second").is_double());
  }
  {  // the annotated video and the snapshot
    EXPECT_EQ(result_->annotated, *annotated_);
    cv::VideoCapture cap(*annotated_);
    ASSERT_TRUE(cap.isOpened());
    EXPECT_EQ(static_cast<int>(cap.get(cv::CAP_PROP_FRAME_COUNT)), kFrames);
    cv::Mat frame;
    ASSERT_TRUE(cap.read(frame));
    EXPECT_EQ(frame.size(), cv::Size(kWidth, kHeight));

    auto jpeg = snapshot_->jpeg(85);
    ASSERT_TRUE(jpeg.ok()) << jpeg.error().message;
    ASSERT_GT(jpeg->size(), 2u);
    EXPECT_EQ(static_cast<unsigned char>((*jpeg)[0]), 0xFF);
    EXPECT_EQ(static_cast<unsigned char>((*jpeg)[1]), 0xD8);
    const cv::Mat decoded =
        cv::imdecode(std::vector<uchar>(jpeg->begin(), jpeg->end()), cv::IMREAD_COLOR);
    EXPECT_EQ(decoded.size(), cv::Size(kWidth, kHeight));
    ASSERT_TRUE(snapshot_->timeMs());
    EXPECT_GE(*snapshot_->timeMs(), 15000);  // about one a second: the last within a second of the end
    EXPECT_FALSE(Snapshot().jpeg().ok());
  }
}

TEST_F(SyntheticTraffic, CountsEveryVehicleOnceWithItsClassAndSpeed) {
  {  // the line's totals, exactly
    ClassCounts forward, backward;
    for (const auto& v : vehicles()) (v.direction() == Direction::Forward ? forward : backward)[v.cls] += 1;
    ASSERT_EQ(result_->lines.size(), 1u);
    const LineTotals& line = result_->lines[0];
    EXPECT_EQ(line.id, "stop-line");
    EXPECT_EQ(line.forward.total(), 4);
    EXPECT_EQ(line.backward.total(), 3);
    for (auto c : kAllClasses) {
      EXPECT_EQ(line.forward[c], forward[c]) << "forward " << className(c);
      EXPECT_EQ(line.backward[c], backward[c]) << "backward " << className(c);
    }
    // The intervals add up to the totals.
    ClassCounts sumF, sumB;
    for (const auto& m : result_->intervals) {
      ASSERT_EQ(m.lines.size(), 1u);
      sumF += m.lines[0].forward;
      sumB += m.lines[0].backward;
    }
    EXPECT_EQ(sumF.n, line.forward.n);
    EXPECT_EQ(sumB.n, line.backward.n);
  }
  // Each vehicle is one track, with its class and speed.
  for (const auto& v : vehicles()) {
    SCOPED_TRACE(v.name);
    const Crossing* crossing = nullptr;
    const TrackSummary* t = trackOf(v, &crossing);
    ASSERT_NE(t, nullptr) << "no track crossed the line " << directionName(v.direction()) << " at "
                          << v.crossingMs() << " ms";
    EXPECT_EQ(t->cls, v.cls) << "area " << t->areaM2 << " m²";
    EXPECT_EQ(crossing->cls, v.cls);
    ASSERT_TRUE(crossing->speedKmh);
    EXPECT_NEAR(*crossing->speedKmh, v.kmh(), 0.1 * v.kmh());
    if (!v.stopAt) {
      ASSERT_TRUE(t->meanSpeedKmh);
      EXPECT_NEAR(*t->meanSpeedKmh, v.kmh(), 0.1 * v.kmh());
    }
  }
  // Nothing else was tracked: one confirmed track per vehicle.
  EXPECT_EQ(result_->tracks.size(), vehicles().size());
}

TEST_F(SyntheticTraffic, StoppedVehicleAndWrongWay) {
  const Vehicle& wrong = vehicles()[3];
  const Vehicle& stops = vehicles()[4];
  ASSERT_EQ(std::string(stops.name), "F car stops");
  const TrackSummary* wrongTrack = trackOf(wrong);
  const TrackSummary* stopTrack = trackOf(stops);
  ASSERT_NE(wrongTrack, nullptr);
  ASSERT_NE(stopTrack, nullptr);

  std::vector<const Incident*> stopped, wrongWay;
  for (const auto& i : result_->incidents) {
    if (i.kind == "stopped_vehicle") stopped.push_back(&i);
    if (i.kind == "wrong_way") wrongWay.push_back(&i);
    EXPECT_EQ(i.kind.rfind("camera_", 0), std::string::npos) << "health incident on a healthy video: " << i.details;
  }
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0]->track, stopTrack->id);
  EXPECT_EQ(stopped[0]->lane, "lane-east");
  EXPECT_EQ(stopped[0]->camera, "synthetic");
  // It stands still from the frame its left edge reaches 440; the 1-s speed window notices within a second.
  const double stopMs = (stops.start + (*stops.stopAt - stops.x0) / stops.vx) * 1000.0 / kFps;
  EXPECT_GE(stopped[0]->startMs, stopMs);
  EXPECT_LE(stopped[0]->startMs, stopMs + 1000);
  EXPECT_GE(stopped[0]->value, 3.0);
  EXPECT_TRUE(stopTrack->stopped);

  ASSERT_EQ(wrongWay.size(), 1u);
  EXPECT_EQ(wrongWay[0]->track, wrongTrack->id);
  EXPECT_EQ(wrongWay[0]->lane, "lane-east");
  EXPECT_TRUE(wrongTrack->wrongWay);
  for (const auto& t : result_->tracks)
    if (&t != wrongTrack) {
      EXPECT_FALSE(t.wrongWay) << "track " << t.id;
    }
}

TEST_F(SyntheticTraffic, IntervalsAndLaneMetrics) {
  // 16.5 s in 5-s intervals: three full ones and a partial one.
  ASSERT_EQ(result_->intervals.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(result_->intervals[i].startMs, static_cast<int64_t>(i) * 5000);
    EXPECT_EQ(result_->intervals[i].partial, i == 3);
    ASSERT_EQ(result_->intervals[i].lanes.size(), 2u);
  }
  EXPECT_EQ(result_->intervals[3].endMs, 16500);
  // The stopped car stands in lane-east from about 11.35 s to the end: the last interval is fully occupied.
  const LaneInterval& last = result_->intervals[3].lanes[0];
  EXPECT_EQ(last.id, "lane-east");
  EXPECT_GT(last.occupancyPct, 95.0);
  ASSERT_TRUE(last.meanSpeedKmh);
  EXPECT_LT(*last.meanSpeedKmh, 5.0);
  EXPECT_EQ(last.los, 'F');
  EXPECT_TRUE(last.congested);
  // Nobody drives in lane-west in the last interval.
  EXPECT_DOUBLE_EQ(result_->intervals[3].lanes[1].occupancyPct, 0.0);
  // The first interval: D (west, 28.8 km/h) from 1.75 s and E, G from 2 s: flows and speeds measured.
  const IntervalMetrics& first = result_->intervals[0];
  EXPECT_GT(first.lanes[1].occupancyPct, 0.0);
  ASSERT_TRUE(first.lanes[1].meanSpeedKmh);
}

// ---- camera health --------------------------------------------------------------------------------------------

constexpr const char* kHealthCameraJson = R"({
  "id": "health", "calibration": {"meters_per_pixel": 0.05}, "interval_s": 10,
  "health": {"sustain_s": 1, "frozen_after_s": 1.5}
})";

std::vector<Incident> healthIncidents(const std::string& path) {
  AnalyzeOptions options;
  options.input = path;
  options.camera = *CameraSpecCodec::parse(kHealthCameraJson);
  auto r = analyzeVideo(std::move(options));
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (!r.ok()) return {};
  EXPECT_EQ(r->frames, 60);
  return r->incidents;
}

std::vector<std::string> kinds(const std::vector<Incident>& incidents) {
  std::vector<std::string> k;
  for (const auto& i : incidents) k.push_back(i.kind);
  return k;
}

TEST(CameraHealthVideo, DarkVideoIsTooDark) {
  const std::string path = tempPath("dark.avi");
  const cv::Size size(320, 180);
  cv::RNG rng(5);
  cv::Mat base(size, CV_8UC3);
  rng.fill(base, cv::RNG::UNIFORM, 5, 25);  // mean luma about 15 of 255
  writeVideo(path, 60, size, [&](int) {
    cv::Mat f = base.clone();
    addNoise(f, rng, 3.0);
    return f;
  });
  const auto incidents = healthIncidents(path);
  std::remove(path.c_str());
  ASSERT_EQ(kinds(incidents), std::vector<std::string>{"camera_dark"});
  EXPECT_EQ(incidents[0].startMs, 0);
  EXPECT_EQ(incidents[0].endMs, 3000);  // lasted to the end of the video
  EXPECT_LT(incidents[0].value, 35.0);
}

TEST(CameraHealthVideo, ConstantFrameIsFrozen) {
  const std::string path = tempPath("frozen.avi");
  const cv::Mat still = roadBackground(320, 180);
  writeVideo(path, 60, still.size(), [&](int) { return still; });
  const auto incidents = healthIncidents(path);
  std::remove(path.c_str());
  ASSERT_EQ(kinds(incidents), std::vector<std::string>{"camera_frozen"});
  EXPECT_EQ(incidents[0].startMs, 50);  // the second frame is the first one unchanged
  EXPECT_EQ(incidents[0].endMs, 3000);
}

// ---- errors and the command -------------------------------------------------------------------------------------

TEST(VideoAnalyzer, MissingInputIsNotFound) {
  AnalyzeOptions options;
  options.input = tempPath("does-not-exist.avi");
  options.camera = cameraSpec();
  auto r = analyzeVideo(std::move(options));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "not_found");
}

TEST(VideoAnalyzer, NotAVideoIsAnError) {
  const std::string path = tempPath("not-a-video.avi");
  {
    std::ofstream f(path);
    f << "this is not a video";
  }
  AnalyzeOptions options;
  options.input = path;
  options.camera = cameraSpec();
  auto r = analyzeVideo(std::move(options));
  std::remove(path.c_str());
  ASSERT_FALSE(r.ok());
}

TEST(AnalyzeVideoCommand, WritesTheResultAndReportsFramesPerSecond) {
  const std::string video = tempPath("cmd.avi");
  const std::string camera = tempPath("cmd-camera.json");
  const std::string out = tempPath("cmd-result.json");
  const cv::Mat bg = roadBackground(160, 90);
  cv::RNG rng(9);
  writeVideo(video, 20, bg.size(), [&](int) {
    cv::Mat f = bg.clone();
    addNoise(f, rng, 2.0);
    return f;
  });
  {
    std::ofstream f(camera);
    f << kCameraJson;
  }
  std::ostringstream sout, serr;
  AnalyzeVideoArgs args{video, camera, out, "", true};
  EXPECT_EQ(runAnalyzeVideo(args, sout, serr, false), 0) << serr.str();
  EXPECT_TRUE(sout.str().empty());
  EXPECT_NE(serr.str().find("20 frames"), std::string::npos) << serr.str();
  EXPECT_NE(serr.str().find("frames per second"), std::string::npos) << serr.str();
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const json::value v = json::parse(text.str(), ec);
  ASSERT_FALSE(ec) << text.str();
  EXPECT_EQ(v.at("frames").as_int64(), 20);

  // Without --out the JSON goes to stdout.
  std::ostringstream sout2, serr2;
  args.outFile.clear();
  EXPECT_EQ(runAnalyzeVideo(args, sout2, serr2, false), 0);
  EXPECT_NE(sout2.str().find("\"frames\":20"), std::string::npos) << sout2.str();

  // A bad camera file and a missing video: exit code 2 with a message.
  {
    std::ofstream f(camera);
    f << R"({"calibration": {"meters_per_pixel": -1}})";
  }
  std::ostringstream s3, e3;
  EXPECT_EQ(runAnalyzeVideo(args, s3, e3, false), 2);
  EXPECT_NE(e3.str().find("calibration.meters_per_pixel"), std::string::npos) << e3.str();
  {
    std::ofstream f(camera);
    f << kCameraJson;
  }
  std::ostringstream s4, e4;
  args.input = tempPath("missing.avi");
  EXPECT_EQ(runAnalyzeVideo(args, s4, e4, false), 2);
  EXPECT_NE(e4.str().find("no such video"), std::string::npos) << e4.str();

  std::remove(video.c_str());
  std::remove(camera.c_str());
  std::remove(out.c_str());
}

}  // namespace
}  // namespace cityops::traffic
