#include "cameras/CameraManager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace cityops::cameras {

Result<int> CameraManager::reconcile() {
  std::lock_guard pass(passMu_);
  store::EntityQuery q;
  q.type = std::string(kCameraType);
  q.limit = 100000;
  auto cameras = store_.listEntities(q);
  if (!cameras) return cameras.error();

  std::map<std::string, CameraConfig> desired;
  std::map<std::string, std::string> errors;
  for (const auto& e : cameras->items) {
    auto c = CameraConfig::fromEntity(e);
    if (!c) {
      errors[e.id] = c.error().message;
      continue;
    }
    if (*c) desired.emplace(e.id, std::move(**c));
  }
  std::set<std::string> present;
  for (const auto& e : cameras->items) present.insert(e.id);

  // Decide under the lock; stop (which may wait for a blocked read) and start outside it.
  std::vector<std::shared_ptr<CameraWorker>> stopping;
  std::vector<std::string> gone;  // cameras deleted: their incident pictures go with them
  std::vector<CameraConfig> starting;
  {
    std::lock_guard lock(mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      auto d = desired.find(it->first);
      if (d != desired.end() && d->second.signature == it->second->config().signature) {
        ++it;
        continue;
      }
      if (!present.count(it->first)) gone.push_back(it->first);
      stopping.push_back(it->second);
      it = workers_.erase(it);
    }
    for (auto& [id, config] : desired)
      if (!workers_.count(id)) starting.push_back(config);
    for (const auto& [id, message] : errors)
      if (!errors_.count(id) || errors_.at(id) != message)
        spdlog::error("camera {}: cannot run: {}", id, message);
    errors_ = std::move(errors);
  }
  for (auto& w : stopping) w->requestStop();
  for (auto& w : stopping) {
    w->join();
    const bool deleted = std::find(gone.begin(), gone.end(), w->config().id) != gone.end();
    if (!deleted) w->resetStates();  // a deleted camera's observations went with it
    spdlog::info("camera {}: stopped", w->config().id);
  }
  for (const auto& id : gone) {
    if (options_.snapshotsDir.empty()) continue;
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(options_.snapshotsDir) / IncidentArchive::dirName(id), ec);
  }
  for (auto& config : starting) {
    auto w = std::make_shared<CameraWorker>(std::move(config), store_, clock_, options_, registry_, wall_);
    w->start();
    std::lock_guard lock(mu_);
    workers_[w->config().id] = w;
  }
  return static_cast<int>(stopping.size() + starting.size());
}

void CameraManager::start(int64_t periodMs) {
  std::lock_guard lock(threadMu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, periodMs] {
    std::unique_lock lock(threadMu_);
    do {
      lock.unlock();
      if (auto r = reconcile(); !r) spdlog::error("cameras: cannot follow the cameras: {}", r.error().message);
      lock.lock();
    } while (!cv_.wait_for(lock, std::chrono::milliseconds(periodMs), [&] { return stopping_; }));
  });
}

void CameraManager::stop() {
  {
    std::lock_guard lock(threadMu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::map<std::string, std::shared_ptr<CameraWorker>> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& [id, w] : workers) w->requestStop();
  for (auto& [id, w] : workers) w->join();
}

std::shared_ptr<CameraWorker> CameraManager::worker(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = workers_.find(id);
  return it == workers_.end() ? nullptr : it->second;
}

std::optional<std::string> CameraManager::configError(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = errors_.find(id);
  if (it == errors_.end()) return std::nullopt;
  return it->second;
}

}  // namespace cityops::cameras
