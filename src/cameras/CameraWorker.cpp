#include "cameras/CameraWorker.hpp"

#include "metrics/Registry.hpp"
#include "traffic/Annotator.hpp"
#include "traffic/CameraPipeline.hpp"

#include <opencv2/core.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace cityops::cameras {

namespace {

using Steady = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kRateWindow = 5s;
constexpr int kIncidentJpegQuality = 85;

std::string dirFor(const WorkerOptions& o, const std::string& id) {
  if (o.snapshotsDir.empty()) return {};
  return (std::filesystem::path(o.snapshotsDir) / IncidentArchive::dirName(id)).string();
}

/// Failures are logged at the first of a streak and then at 2, 4, 8, ... so a dead camera does not flood the log.
bool worthLogging(uint64_t consecutive) { return (consecutive & (consecutive - 1)) == 0; }

}  // namespace

std::string_view stateName(CameraState s) {
  switch (s) {
    case CameraState::Starting: return "starting";
    case CameraState::Connecting: return "connecting";
    case CameraState::Connected: return "connected";
    case CameraState::Reconnecting: return "reconnecting";
    case CameraState::Failed: return "failed";
    case CameraState::Stopped: return "stopped";
  }
  return "stopped";
}

CameraWorker::CameraWorker(CameraConfig config, store::Store& store, const Clock& clock, WorkerOptions options,
                           metrics::Registry* registry, const Clock* wall)
    : config_(std::move(config)),
      store_(store),
      clock_(clock),
      wall_(wall ? *wall : clock),
      options_(std::move(options)),
      queue_(options_.queueCapacity),
      archive_(dirFor(options_, config_.id), options_.keepIncidents) {
  if (registry) {
    const metrics::Labels labels{{"camera", config_.id}};
    framesCounter_ = &registry->counter("cityops_camera_frames_total", "Frames analysed, per live camera", labels);
    droppedCounter_ = &registry->counter("cityops_camera_dropped_frames_total",
                                         "Frames dropped because the analysis was behind, per live camera", labels);
    reconnectsCounter_ = &registry->counter("cityops_camera_reconnects_total",
                                            "Connection attempts after a failure, per live camera", labels);
  }
  status_.id = config_.id;
  status_.source = traffic::redactSource(config_.source);
}

CameraWorker::~CameraWorker() {
  requestStop();
  join();
}

void CameraWorker::start() {
  const int64_t now = wall_.nowMs();
  archive_.load(clock_.nowMs());
  {
    std::lock_guard lock(mu_);
    status_.startedMs = now;
    startedSteady_ = Steady::now();
  }
  auto pipeline = traffic::CameraPipeline::create(config_.spec);
  if (!pipeline) {
    std::lock_guard lock(mu_);
    status_.state = CameraState::Failed;
    status_.lastError = "analytics: " + pipeline.error().message;
    status_.lastErrorMs = now;
    spdlog::error("camera {}: cannot start: {}", config_.id, status_.lastError);
    return;
  }
  pipeline_ = std::move(*pipeline);
  capture_ = std::thread([this] { captureLoop(); });
  analysis_ = std::thread([this] { analysisLoop(); });
  spdlog::info("camera {}: started on {}", config_.id, status_.source);
}

void CameraWorker::requestStop() {
  {
    std::lock_guard lock(stopMu_);
    stopping_ = true;
  }
  stopCv_.notify_all();
  queue_.close();
}

void CameraWorker::join() {
  if (capture_.joinable()) capture_.join();
  if (analysis_.joinable()) analysis_.join();
  view_->ended = true;
  std::lock_guard lock(mu_);
  status_.state = CameraState::Stopped;
}

void CameraWorker::resetStates() {
  const int64_t now = wall_.nowMs();
  std::vector<std::string_view> raised;
  for (const auto& k : incidentKinds())
    if (stateOf(k.metric) > 0) raised.push_back(k.metric);
  for (const auto& [id, o] : open_) archive_.close(o.n, toServer(now));
  open_.clear();
  queueN_ = 0;
  {
    std::lock_guard lock(mu_);
    activeNs_.clear();
  }
  if (!raised.empty()) writeStates(now, raised);
}

bool CameraWorker::sleepUntil(Steady::time_point when) {
  std::unique_lock lock(stopMu_);
  return !stopCv_.wait_until(lock, when, [&] { return stopping_.load(); });
}

void CameraWorker::failed(const std::string& error, int64_t backoffMs) {
  const int64_t now = wall_.nowMs();
  uint64_t streak = 0;
  {
    std::lock_guard lock(mu_);
    status_.state = CameraState::Reconnecting;
    status_.lastError = error;
    status_.lastErrorMs = now;
    status_.connectedMs = 0;
    status_.retryAtMs = now + backoffMs;
    streak = ++status_.consecutiveFailures;
  }
  if (worthLogging(streak))
    spdlog::warn("camera {}: {} (failure {} in a row; next attempt in {} s)", config_.id, error, streak,
                 static_cast<double>(backoffMs) / 1000.0);
}

void CameraWorker::captureLoop() {
  int64_t backoff = options_.reconnectMinMs;
  bool afterFailure = false;
  {
    std::lock_guard lock(mu_);
    status_.state = CameraState::Connecting;
  }
  while (!stopping_) {
    {
      std::lock_guard lock(mu_);
      ++status_.connects;
      if (afterFailure) ++status_.reconnects;
    }
    if (afterFailure && reconnectsCounter_) reconnectsCounter_->inc();
    auto made = traffic::makeFrameSource(config_.source, options_.capture);
    Status opened = made ? (*made)->open() : Status(made.error());
    std::string error;
    if (!opened) {
      error = opened.error().message;
    } else {
      traffic::FrameSource& source = **made;
      const int64_t t0 = wall_.nowMs();
      const auto s0 = Steady::now();
      {
        std::lock_guard lock(mu_);
        status_.state = CameraState::Connected;
        status_.connectedMs = t0;
        status_.retryAtMs = 0;
      }
      while (!stopping_) {
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - s0).count();
        auto frame = source.read(elapsed);
        if (!frame) {
          error = frame.error().message;
          break;
        }
        if (!*frame) {
          if (!source.loops()) error = "the source ended";
          break;  // a file: open it again at once
        }
        traffic::SourceFrame& f = **frame;
        int64_t t = 0;
        if (source.paced() && f.offsetMs >= 0) {
          if (!sleepUntil(s0 + std::chrono::milliseconds(f.offsetMs))) break;
          t = t0 + f.offsetMs;
        } else {
          t = wall_.nowMs();
        }
        const bool kept = queue_.push({std::move(f.image), t});
        if (!kept && droppedCounter_) droppedCounter_->inc();
        std::lock_guard lock(mu_);
        ++status_.captured;
        capturedTimes_.push_back(Steady::now());
        status_.consecutiveFailures = 0;
        backoff = options_.reconnectMinMs;
        afterFailure = false;
      }
    }
    if (stopping_) break;
    if (!error.empty()) {
      afterFailure = true;
      failed(error, backoff);
      if (!sleepUntil(Steady::now() + std::chrono::milliseconds(backoff))) break;
      backoff = std::min(backoff * 2, options_.reconnectMaxMs);
    }
  }
}

void CameraWorker::analysisLoop() {
  const traffic::Annotator annotator(config_.spec);
  const int64_t previewEveryMs =
      std::max<int64_t>(1, std::llround(1000.0 / std::max(0.1, options_.previewFps)));
  std::optional<int64_t> lastPreviewMs;
  cv::Size size;
  while (!stopping_) {
    auto f = queue_.pop(std::chrono::milliseconds(options_.watchdogMs));
    if (stopping_) break;
    if (!f) {  // nothing for a while: is the source silent for too long?
      const int64_t now = wall_.nowMs();
      pipeline_->checkOffline(now);
      handleIncidents(now, [] { return static_cast<const cv::Mat*>(nullptr); });
      continue;
    }
    if (size != cv::Size() && f->image.size() != size) {
      // A new picture size (the camera was reconfigured): its background model and lines start again.
      spdlog::info("camera {}: the picture is now {}x{}; the analysis starts again", config_.id, f->image.cols,
                   f->image.rows);
      resetStates();
      auto fresh = traffic::CameraPipeline::create(config_.spec);
      if (fresh) pipeline_ = std::move(*fresh);
    }
    size = f->image.size();
    auto r = pipeline_->process(f->image, f->tMs);
    if (!r) {
      std::lock_guard lock(mu_);
      status_.lastError = "analysis: " + r.error().message;
      status_.lastErrorMs = wall_.nowMs();
      continue;
    }
    auto intervals = pipeline_->takeIntervals();
    (void)pipeline_->takeTracks();  // a live camera keeps no per-track history

    cv::Mat annotated;
    bool drawn = false;
    const Picture picture = [&]() -> const cv::Mat* {
      if (!drawn) {
        f->image.copyTo(annotated);
        annotator.draw(annotated, *r, pipeline_->lineTotals());
        drawn = true;
      }
      return &annotated;
    };
    if (!intervals.empty()) queueN_ = 0;  // a sudden queue lasts one interval
    handleIncidents(r->tMs, picture);
    for (const auto& m : intervals) write(intervalObservations(config_.id, m, config_.spec.classes));
    if (!intervals.empty()) {
      std::vector<std::string_view> all;
      for (const auto& k : incidentKinds()) all.push_back(k.metric);
      writeStates(r->tMs, all);  // the incident states with every interval, whether they changed or not
    }
    if (!lastPreviewMs || r->tMs - *lastPreviewMs >= previewEveryMs) {
      view_->snapshot.update(*picture(), r->tMs);
      lastPreviewMs = r->tMs;
    }
    if (framesCounter_) framesCounter_->inc();
    std::lock_guard lock(mu_);
    ++status_.frames;
    if (status_.frames % 256 == 0) pipeline_->incidents().trim(64);
    analysedTimes_.push_back(Steady::now());
    status_.lastFrameMs = r->tMs;
    status_.width = f->image.cols;
    status_.height = f->image.rows;
    if (!intervals.empty()) status_.latest = intervals.back();
  }
}

void CameraWorker::handleIncidents(int64_t tMs, const Picture& picture) {
  auto changes = pipeline_->incidents().takeChanges();
  if (changes.empty()) return;
  std::vector<std::string_view> touched;
  for (const auto& i : changes) {
    const IncidentKind* kind = incidentKind(i.kind);
    if (!kind) continue;
    touched.push_back(kind->metric);
    auto it = open_.find(i.id);
    if (it != open_.end()) {  // an open incident changed: it ended
      archive_.update(it->second.n, onServerClock(i));
      if (i.endMs >= 0) {
        spdlog::info("camera {}: incident {} ({}) ended", config_.id, it->second.n, i.kind);
        open_.erase(it);
      }
      continue;
    }
    std::string jpeg;
    int64_t pictureMs = 0;
    if (kind->snapshot) {
      if (const cv::Mat* p = picture()) {
        if (auto j = traffic::Snapshot::encodeJpeg(*p, kIncidentJpegQuality)) jpeg = std::move(*j);
        pictureMs = tMs;
      } else if (auto j = view_->snapshot.jpeg(kIncidentJpegQuality)) {  // the last picture there was
        jpeg = std::move(*j);
        pictureMs = view_->snapshot.timeMs().value_or(0);
      }
    }
    const int64_t n = archive_.add(onServerClock(i), jpeg, pictureMs > 0 ? toServer(pictureMs) : 0);
    spdlog::info("camera {}: incident {}: {} ({})", config_.id, n, i.kind, i.details);
    if (i.endMs < 0) open_[i.id] = OpenIncident{n, kind};
    else if (i.kind == "sudden_queue") queueN_ = std::max(queueN_, n);
  }
  {
    std::vector<int64_t> active;
    for (const auto& [id, o] : open_) active.push_back(o.n);
    std::lock_guard lock(mu_);
    activeNs_ = std::move(active);
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  writeStates(tMs, touched);
}

double CameraWorker::stateOf(std::string_view metric) const {
  int64_t n = metric == "incident_queue" ? queueN_ : 0;
  for (const auto& [id, o] : open_)
    if (o.kind->metric == metric) n = std::max(n, o.n);
  return static_cast<double>(n);
}

void CameraWorker::writeStates(int64_t tMs, const std::vector<std::string_view>& metrics) {
  std::vector<model::Observation> batch;
  batch.reserve(metrics.size());
  for (auto m : metrics) batch.push_back({config_.id, std::string(m), tMs, stateOf(m), model::Quality::Good});
  write(std::move(batch));
}

int64_t CameraWorker::toServer(int64_t wallMs) const {
  if (&clock_ == &wall_) return wallMs;
  const int64_t offset = clock_.nowMs() - wall_.nowMs();
  return wallMs + (offset >= 0 ? (offset + 500) / 1000 : (offset - 500) / 1000) * 1000;
}

traffic::Incident CameraWorker::onServerClock(traffic::Incident i) const {
  i.startMs = toServer(i.startMs);
  if (i.endMs >= 0) i.endMs = toServer(i.endMs);
  return i;
}

void CameraWorker::write(std::vector<model::Observation> batch) {
  if (batch.empty()) return;
  if (&clock_ != &wall_) {  // times of the analysis, written on the server's clock
    const int64_t shift = toServer(0);
    for (auto& o : batch) o.time += shift;
  }
  store_.ingest(std::move(batch), [errors = writeErrors_, id = config_.id](Result<size_t> r) {
    if (r) return;
    const uint64_t n = errors->fetch_add(1) + 1;
    if (worthLogging(n)) spdlog::warn("camera {}: the store refused its observations ({} so far): {}", id, n, r.error().message);
  });
}

double CameraWorker::rate(std::deque<Steady::time_point>& times, Steady::time_point now, Steady::time_point since) {
  while (!times.empty() && now - times.front() > kRateWindow) times.pop_front();
  const double span = std::chrono::duration<double>(std::min<Steady::duration>(kRateWindow, now - since)).count();
  return span > 0.2 ? static_cast<double>(times.size()) / span : 0.0;
}

CameraStatus CameraWorker::status() const {
  CameraStatus s;
  std::vector<int64_t> active;
  {
    std::lock_guard lock(mu_);
    const auto now = Steady::now();
    s = status_;
    s.fps = rate(analysedTimes_, now, startedSteady_);
    s.captureFps = rate(capturedTimes_, now, startedSteady_);
    active = activeNs_;
  }
  s.dropped = queue_.dropped();
  s.writeErrors = writeErrors_->load();
  for (int64_t n : active)
    if (auto r = archive_.get(n)) s.active.push_back(std::move(*r));
  return s;
}

}  // namespace cityops::cameras
