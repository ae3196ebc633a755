#pragma once
// CameraManager: one CameraWorker per live TrafficCamera (an entity whose attributes give a `source`, CameraConfig),
// kept in step with the entities: a pass (at start, then every few seconds) starts the workers of new cameras,
// restarts those whose source or analytics changed, and stops those of cameras deleted, disabled or left without a
// source. A camera whose attributes cannot be used runs no worker and reports why (configError).
#include "cameras/CameraWorker.hpp"
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "store/Store.hpp"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cityops::metrics {
class Registry;
}

namespace cityops::cameras {

class CameraManager {
 public:
  /// `clock` and `wall` as for CameraWorker (the server's clock, and the real-time one the frames are analysed on).
  CameraManager(store::Store& store, const Clock& clock, WorkerOptions options, metrics::Registry* registry = nullptr,
                const Clock* wall = nullptr)
      : store_(store), clock_(clock), options_(std::move(options)), registry_(registry), wall_(wall) {}
  ~CameraManager() { stop(); }
  CameraManager(const CameraManager&) = delete;
  CameraManager& operator=(const CameraManager&) = delete;

  /// One pass: the number of workers started, restarted or stopped.
  Result<int> reconcile();
  /// Passes every periodMs on a thread of its own (the first one at once).
  void start(int64_t periodMs);
  /// Stops the passes and every worker (without resetting their incident states: they are still there).
  void stop();

  /// The worker of a camera, null when it has none.
  std::shared_ptr<CameraWorker> worker(const std::string& id) const;
  /// Why a TrafficCamera with a source runs no worker (its attributes are unusable); nullopt when it is fine.
  std::optional<std::string> configError(const std::string& id) const;

 private:
  store::Store& store_;
  const Clock& clock_;
  const WorkerOptions options_;
  metrics::Registry* const registry_;
  const Clock* const wall_;

  mutable std::mutex mu_;  // workers_, errors_
  std::map<std::string, std::shared_ptr<CameraWorker>> workers_;
  std::map<std::string, std::string> errors_;
  std::mutex passMu_;      // one pass at a time

  std::mutex threadMu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cityops::cameras
