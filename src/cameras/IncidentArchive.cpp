#include "cameras/IncidentArchive.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cityops::cameras {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

json::object toJson(const IncidentRecord& r) {
  return json::object{{"n", r.n},
                      {"kind", r.kind},
                      {"start_ms", r.startMs},
                      {"end_ms", r.endMs >= 0 ? json::value(r.endMs) : json::value(nullptr)},
                      {"lane", r.lane.empty() ? json::value(nullptr) : json::value(r.lane)},
                      {"track", r.track >= 0 ? json::value(r.track) : json::value(nullptr)},
                      {"value", r.value},
                      {"details", r.details},
                      {"snapshot", r.snapshot},
                      {"snapshot_ms", r.snapshotMs}};
}

std::optional<IncidentRecord> fromJson(const json::value& v) {
  const auto* o = v.if_object();
  if (!o) return std::nullopt;
  try {
    IncidentRecord r;
    r.n = json::value_to<int64_t>(o->at("n"));
    r.kind = json::value_to<std::string>(o->at("kind"));
    r.startMs = json::value_to<int64_t>(o->at("start_ms"));
    r.endMs = o->at("end_ms").is_null() ? -1 : json::value_to<int64_t>(o->at("end_ms"));
    r.lane = o->at("lane").is_null() ? "" : json::value_to<std::string>(o->at("lane"));
    r.track = o->at("track").is_null() ? -1 : json::value_to<int>(o->at("track"));
    r.value = json::value_to<double>(o->at("value"));
    r.details = json::value_to<std::string>(o->at("details"));
    r.snapshot = o->at("snapshot").as_bool();
    r.snapshotMs = json::value_to<int64_t>(o->at("snapshot_ms"));
    if (r.n <= 0) return std::nullopt;
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// Writes `bytes` to `file` through a temporary name, so a reader never sees half a file.
bool writeFile(const std::string& file, const std::string& bytes) {
  const std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()))) return false;
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  return !ec;
}

IncidentRecord recordOf(const traffic::Incident& i) {
  IncidentRecord r;
  r.kind = i.kind;
  r.startMs = i.startMs;
  r.endMs = i.endMs;
  r.lane = i.lane;
  r.track = i.track;
  r.value = i.value;
  r.details = i.details;
  return r;
}

}  // namespace

IncidentArchive::IncidentArchive(std::string dir, size_t keep) : dir_(std::move(dir)), keep_(std::max<size_t>(1, keep)) {}

std::string IncidentArchive::dirName(const std::string& cameraId) {
  if (cameraId == ".") return "%2E";
  if (cameraId == "..") return "%2E%2E";
  return cameraId;
}

std::string IncidentArchive::path(int64_t n, const char* ext) const {
  return (fs::path(dir_) / (std::to_string(n) + ext)).string();
}

void IncidentArchive::save(const IncidentRecord& r) const {
  if (dir_.empty()) return;
  if (!writeFile(path(r.n, ".json"), json::serialize(toJson(r))))
    spdlog::warn("cameras: cannot write the incident record {}", path(r.n, ".json"));
}

void IncidentArchive::load(int64_t nowMs) {
  std::lock_guard lock(mu_);
  records_.clear();
  if (dir_.empty()) return;
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) {
    spdlog::warn("cameras: cannot create {}: {}", dir_, ec.message());
    return;
  }
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code jec;
    auto v = json::parse(text.str(), jec);
    auto r = jec ? std::nullopt : fromJson(v);
    if (!r) continue;
    if (r->endMs < 0) {
      r->endMs = std::max(nowMs, r->startMs);
      save(*r);
    }
    records_.push_back(std::move(*r));
  }
  std::sort(records_.begin(), records_.end(), [](const auto& a, const auto& b) { return a.n < b.n; });
  next_ = records_.empty() ? 1 : records_.back().n + 1;
  trim();
}

int64_t IncidentArchive::add(const traffic::Incident& incident, const std::string& jpeg, int64_t pictureMs) {
  std::lock_guard lock(mu_);
  IncidentRecord r = recordOf(incident);
  r.n = next_++;
  if (!dir_.empty() && !jpeg.empty()) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    r.snapshot = writeFile(path(r.n, ".jpg"), jpeg);
    if (!r.snapshot) spdlog::warn("cameras: cannot write the incident picture {}", path(r.n, ".jpg"));
    r.snapshotMs = pictureMs;
  }
  save(r);
  records_.push_back(r);
  trim();
  return r.n;
}

void IncidentArchive::update(int64_t n, const traffic::Incident& incident) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(records_.begin(), records_.end(), [n](const auto& r) { return r.n == n; });
  if (it == records_.end()) return;
  it->endMs = incident.endMs;
  it->value = incident.value;
  it->details = incident.details;
  save(*it);
}

void IncidentArchive::close(int64_t n, int64_t endMs) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(records_.begin(), records_.end(), [n](const auto& r) { return r.n == n; });
  if (it == records_.end() || it->endMs >= 0) return;
  it->endMs = std::max(endMs, it->startMs);
  save(*it);
}

void IncidentArchive::trim() {
  while (records_.size() > keep_) {
    if (!dir_.empty()) {
      std::error_code ec;
      fs::remove(path(records_.front().n, ".jpg"), ec);
      fs::remove(path(records_.front().n, ".json"), ec);
    }
    records_.pop_front();
  }
}

std::vector<IncidentRecord> IncidentArchive::list() const {
  std::lock_guard lock(mu_);
  return {records_.begin(), records_.end()};
}

std::optional<IncidentRecord> IncidentArchive::get(int64_t n) const {
  std::lock_guard lock(mu_);
  for (const auto& r : records_)
    if (r.n == n) return r;
  return std::nullopt;
}

Result<std::string> IncidentArchive::jpeg(int64_t n) const {
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(records_.begin(), records_.end(), [n](const auto& r) { return r.n == n; });
    if (it == records_.end() || !it->snapshot) return NotFound("no picture of incident " + std::to_string(n));
  }
  std::ifstream in(path(n, ".jpg"), std::ios::binary);
  if (!in) return NotFound("no picture of incident " + std::to_string(n));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

}  // namespace cityops::cameras
