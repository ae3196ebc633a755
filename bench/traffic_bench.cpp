// Traffic analytics throughput and the CPU cost of a live camera (a plain timed program; `make bench` runs it).
//
//   1. A 1280x720, 25 fps, 30 s video of the synthetic street (traffic::SyntheticScene, ~40 vehicles a minute) is
//      written with OpenCV (H.264 when the FFmpeg build has an encoder, else MPEG-4 part 2).
//   2. decode       cv::VideoCapture (FFmpeg) reading it, nothing else.
//   3. analysis     CameraPipeline::process on the frames in memory (no decoding), at downscale_width 640 and 320.
//   4. file         VideoAnalyzer on the file, as `cityops analyze-video` runs it (decode + analysis).
//   5. live camera  a CameraWorker (capture thread, frame queue, analysis thread, observations into a SQLite store,
//                   annotated preview at 5 fps) on a `synthetic:` source in real time for 15 s; its CPU time from
//                   getrusage: the share of one core a camera costs (the synthetic source renders its frames, which
//                   costs about what decoding a stream would).
// Environment: TRAFFIC_BENCH_LIVE_S (default 15), TRAFFIC_BENCH_TMPDIR (default /tmp).
#include "cameras/CameraWorker.hpp"
#include "common/Clock.hpp"
#include "metrics/Registry.hpp"
#include "store/SqliteStore.hpp"
#include "traffic/CameraPipeline.hpp"
#include "traffic/CameraSpecCodec.hpp"
#include "traffic/SyntheticScene.hpp"
#include "traffic/VideoAnalyzer.hpp"

#include <boost/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace cityops;
namespace fs = std::filesystem;
namespace json = boost::json;
using Steady = std::chrono::steady_clock;

namespace {

constexpr int kFps = 25;
constexpr int kFrames = 30 * kFps;
const char* kScene = "synthetic:?vehicles_per_min=40&seed=7&width=1280&height=720&fps=25&stop_first_s=10&stop_s=12";

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double since(Steady::time_point t) { return std::chrono::duration<double>(Steady::now() - t).count(); }

traffic::CameraSpec specFor(traffic::SyntheticScene& scene, int downscale) {
  json::object o = scene.cameraJson();
  o["downscale_width"] = downscale;
  o["interval_s"] = 10;
  auto spec = traffic::CameraSpecCodec::fromJson(o);
  if (!spec) {
    std::fprintf(stderr, "bad camera spec: %s\n", spec.error().message.c_str());
    std::exit(1);
  }
  return *spec;
}

void row(const char* what, int64_t frames, double wall, double cpu) {
  std::printf("%-44s %7lld frames %7.2f s %8.1f frames/s %6.2f ms CPU/frame\n", what, static_cast<long long>(frames),
              wall, wall > 0 ? static_cast<double>(frames) / wall : 0.0, frames > 0 ? cpu * 1000.0 / frames : 0.0);
}

}  // namespace

int main() {
  const char* tmp = std::getenv("TRAFFIC_BENCH_TMPDIR");
  const fs::path dir = fs::path(tmp ? tmp : "/tmp") / ("cityops-traffic-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto options = traffic::SyntheticOptions::parse(kScene);
  if (!options) return 1;
  traffic::SyntheticScene scene(*options);
  std::printf("traffic_bench: 1280x720 at %d fps, %d frames (%d s), %u hardware threads, OpenCV %s\n", kFps, kFrames,
              kFrames / kFps, std::thread::hardware_concurrency(), CV_VERSION);

  // 1. The video.
  std::vector<cv::Mat> frames(kFrames);
  for (int i = 0; i < kFrames; ++i) scene.render(i, frames[static_cast<size_t>(i)]);
  std::string video = (dir / "street.mp4").string();
  const char* codec = "H.264";
  {
    cv::VideoWriter w;
    try {
      w.open(video, cv::VideoWriter::fourcc('a', 'v', 'c', '1'), kFps, scene.size());
    } catch (const cv::Exception&) {
    }
    if (!w.isOpened()) {
      codec = "MPEG-4 part 2";
      w.open(video, cv::VideoWriter::fourcc('m', 'p', '4', 'v'), kFps, scene.size());
    }
    if (!w.isOpened()) {
      std::fprintf(stderr, "cannot write %s\n", video.c_str());
      return 1;
    }
    for (const auto& f : frames) w.write(f);
  }
  std::printf("video: %s, %s, %.1f MB\n\n", video.c_str(), codec, static_cast<double>(fs::file_size(video)) / 1e6);

  // 2. Decoding alone.
  {
    cv::VideoCapture cap(video, cv::CAP_FFMPEG);
    cv::Mat f;
    int64_t n = 0;
    const auto t = Steady::now();
    const double c = cpuSeconds();
    while (cap.read(f)) ++n;
    row("decode (FFmpeg)", n, since(t), cpuSeconds() - c);
  }

  // 3. The analysis alone, frames in memory.
  for (int downscale : {640, 320}) {
    auto pipeline = traffic::CameraPipeline::create(specFor(scene, downscale));
    if (!pipeline) return 1;
    const auto t = Steady::now();
    const double c = cpuSeconds();
    for (int i = 0; i < kFrames; ++i) {
      auto r = (*pipeline)->process(frames[static_cast<size_t>(i)], static_cast<int64_t>(i) * 1000 / kFps);
      if (!r) return 1;
    }
    const std::string what = "analysis, downscale_width " + std::to_string(downscale);
    row(what.c_str(), kFrames, since(t), cpuSeconds() - c);
  }
  frames.clear();

  // 4. The file, as analyze-video runs it.
  for (int downscale : {640, 320}) {
    traffic::AnalyzeOptions o;
    o.input = video;
    o.camera = specFor(scene, downscale);
    const auto t = Steady::now();
    const double c = cpuSeconds();
    auto r = traffic::analyzeVideo(o);
    if (!r) {
      std::fprintf(stderr, "analyze: %s\n", r.error().message.c_str());
      return 1;
    }
    const std::string what = "analyze-video (decode + analysis), " + std::to_string(downscale);
    row(what.c_str(), r->frames, since(t), cpuSeconds() - c);
    if (downscale == 640) {
      int64_t counted = 0;
      for (const auto& l : r->lines) counted += l.forward.total() + l.backward.total();
      const double end = kFrames * 1000.0 / kFps;
      std::printf("%-44s %7lld counted; the scene drew %zu crossings (%zu in the last second)\n", "  counts",
                  static_cast<long long>(counted), scene.crossings(0, end).size(),
                  scene.crossings(end - 1000, end).size());
    }
  }

  // 5. Live cameras in real time.
  const char* liveEnv = std::getenv("TRAFFIC_BENCH_LIVE_S");
  const double liveS = liveEnv ? std::atof(liveEnv) : 15.0;
  std::printf("\nlive camera, %.0f s in real time each (capture + queue + analysis + observations + 5 fps preview):\n",
              liveS);
  struct Live {
    const char* name;
    const char* source;
    int downscale;
  };
  const Live lives[] = {
      {"1280x720 at 25 fps, downscale 640", kScene, 640},
      {"1280x720 at 25 fps, downscale 320", kScene, 320},
      {"640x360 at 10 fps, downscale 320 (demo)", "synthetic:?vehicles_per_min=40&seed=1", 320},
  };
  for (const auto& l : lives) {
    SystemClock clock;
    metrics::Registry registry;
    store::SqliteStore::Options so;
    so.dataDir = (dir / "store").string();
    auto st = store::SqliteStore::open(so, clock, registry);
    if (!st) return 1;
    auto liveOptions = traffic::SyntheticOptions::parse(l.source);
    traffic::SyntheticScene liveScene(*liveOptions);
    model::Entity e;
    e.id = "cam.bench";
    e.type = "TrafficCamera";
    e.name = "bench";
    json::object analytics = liveScene.cameraJson();
    analytics["downscale_width"] = l.downscale;
    analytics["interval_s"] = 5;
    e.attributes["source"] = l.source;
    e.attributes["analytics"] = analytics;
    (void)(*st)->upsertEntities({e});
    auto config = cameras::CameraConfig::fromEntity(e);
    if (!config || !*config) return 1;
    cameras::CameraWorker worker(**config, **st, clock, cameras::WorkerOptions{});
    const double c = cpuSeconds();
    const auto t = Steady::now();
    worker.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int64_t>(liveS * 1000)));
    const auto s = worker.status();
    const double cpu = cpuSeconds() - c, wall = since(t);
    worker.requestStop();
    worker.join();
    std::printf("  %-42s %6.1f frames/s analysed, %llu dropped, CPU %5.1f %% of one core (%.2f ms/frame)\n", l.name,
                static_cast<double>(s.frames) / wall, static_cast<unsigned long long>(s.dropped), 100.0 * cpu / wall,
                s.frames ? cpu * 1000.0 / static_cast<double>(s.frames) : 0.0);
    (*st)->close();
    fs::remove_all(dir / "store");
  }
  fs::remove_all(dir);
  return 0;
}
