#pragma once
// CameraWorker: one live camera. Two threads joined by a bounded FrameQueue:
//   capture   opens the source (FrameSource), reads frames (paced sources in real time), hands them over; when the
//             source cannot be opened or fails it reconnects with exponential back-off (min .. max, reset by the
//             next frame); a file that ends starts again.
//   analysis  runs the CameraPipeline on the newest frames (the queue drops the oldest when the analysis is
//             behind, and counts them); writes each closed interval's metrics and the incident states as
//             observations through the Store (CameraMetrics); saves an annotated picture of each new incident
//             (IncidentArchive); keeps the latest annotated frame a few times a second for snapshot.jpg and
//             stream.mjpeg (LiveView); and watches for a source gone silent (camera_offline).
#include "cameras/CameraConfig.hpp"
#include "cameras/CameraMetrics.hpp"
#include "cameras/CameraStatus.hpp"
#include "cameras/IncidentArchive.hpp"
#include "common/Clock.hpp"
#include "store/Store.hpp"
#include "traffic/FrameQueue.hpp"
#include "traffic/FrameSource.hpp"
#include "traffic/Snapshot.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace cityops::metrics {
class Registry;
class Counter;
}  // namespace cityops::metrics

namespace cityops::traffic {
class CameraPipeline;
}

namespace cityops::cameras {

struct WorkerOptions {
  std::string snapshotsDir;          // <data>/snapshots; "" keeps no incident pictures
  size_t keepIncidents = 50;         // incident pictures kept per camera
  double previewFps = 5;             // how often the latest annotated frame is refreshed
  size_t queueCapacity = 4;          // frames waiting for the analysis
  int64_t reconnectMinMs = 1000;
  int64_t reconnectMaxMs = 60000;
  int64_t watchdogMs = 500;          // the analysis checks for a silent source this often
  traffic::CaptureOptions capture;
};

/// The latest annotated frame; `ended` once its worker stopped (a stream.mjpeg reader then ends).
struct LiveView {
  traffic::Snapshot snapshot;
  std::atomic<bool> ended{false};
};

class CameraWorker {
 public:
  /// `clock` is the server's (the times of the observations and incident records), `wall` (default: the same)
  /// the real-time clock the frames are stamped and analysed on: they differ while a demo plays a scenario on a
  /// faster clock (sim::DemoClock), and a camera's speeds and intervals must stay physical. `registry` (optional)
  /// gets per-camera frame, drop and reconnect counters.
  CameraWorker(CameraConfig config, store::Store& store, const Clock& clock, WorkerOptions options,
               metrics::Registry* registry = nullptr, const Clock* wall = nullptr);
  ~CameraWorker();
  CameraWorker(const CameraWorker&) = delete;
  CameraWorker& operator=(const CameraWorker&) = delete;

  void start();
  /// Asks both threads to stop without waiting (stopping many cameras at once: requestStop all, then join all).
  void requestStop();
  /// Waits for the threads (a capture blocked on a dead stream returns within the read time-out).
  void join();
  /// After join(): writes 0 for the incident states it had raised, so that their alerts resolve (the camera was
  /// removed or reconfigured; not at shutdown, when the incidents are still there).
  void resetStates();

  CameraStatus status() const;
  const CameraConfig& config() const { return config_; }
  std::shared_ptr<LiveView> view() const { return view_; }
  const IncidentArchive& archive() const { return archive_; }

 private:
  struct OpenIncident {
    int64_t n = 0;
    const IncidentKind* kind = nullptr;
  };
  using Picture = std::function<const cv::Mat*()>;

  void captureLoop();
  void analysisLoop();
  bool sleepUntil(std::chrono::steady_clock::time_point when);
  void failed(const std::string& error, int64_t backoffMs);
  void handleIncidents(int64_t tMs, const Picture& picture);
  double stateOf(std::string_view metric) const;
  /// An analysis (wall-clock) time as a server-clock time, to the second (the same when the clocks are one).
  int64_t toServer(int64_t wallMs) const;
  traffic::Incident onServerClock(traffic::Incident i) const;
  void writeStates(int64_t tMs, const std::vector<std::string_view>& metrics);
  void write(std::vector<model::Observation> batch);
  static double rate(std::deque<std::chrono::steady_clock::time_point>& times,
                     std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point since);

  const CameraConfig config_;
  store::Store& store_;
  const Clock& clock_;  // the server's
  const Clock& wall_;   // the analysis'
  const WorkerOptions options_;
  metrics::Counter* framesCounter_ = nullptr;
  metrics::Counter* droppedCounter_ = nullptr;
  metrics::Counter* reconnectsCounter_ = nullptr;
  traffic::FrameQueue queue_;
  IncidentArchive archive_;
  std::shared_ptr<LiveView> view_ = std::make_shared<LiveView>();
  std::shared_ptr<std::atomic<uint64_t>> writeErrors_ = std::make_shared<std::atomic<uint64_t>>(0);

  std::atomic<bool> stopping_{false};
  std::mutex stopMu_;
  std::condition_variable stopCv_;
  std::thread capture_;
  std::thread analysis_;

  // Analysis thread only.
  std::unique_ptr<traffic::CameraPipeline> pipeline_;
  std::map<uint64_t, OpenIncident> open_;  // by IncidentLog id
  int64_t queueN_ = 0;                     // the sudden queue reported with the last interval (0: none)

  mutable std::mutex mu_;  // guards what follows
  CameraStatus status_;
  std::vector<int64_t> activeNs_;  // the numbers of the open incidents
  std::chrono::steady_clock::time_point startedSteady_ = std::chrono::steady_clock::now();
  mutable std::deque<std::chrono::steady_clock::time_point> analysedTimes_, capturedTimes_;
};

}  // namespace cityops::cameras
