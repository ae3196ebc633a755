#pragma once
// IncidentArchive: the incidents of one camera, numbered n = 1, 2, ... for the life of its data directory, each
// with the annotated picture of the moment it was reported: <dir>/<n>.jpg and its record <dir>/<n>.json, where dir
// is <data>/snapshots/<camera id>. Only the newest `keep` are kept (older files are deleted). Survives restarts:
// load() reads the records back (numbering goes on after the highest). Thread-safe: the camera's analysis thread
// adds, HTTP handlers read.
#include "common/Result.hpp"
#include "traffic/IncidentLog.hpp"

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cityops::cameras {

struct IncidentRecord {
  int64_t n = 0;
  std::string kind;
  int64_t startMs = 0;
  int64_t endMs = -1;        // -1 while open
  std::string lane;          // "" when not about a lane
  int track = -1;            // -1 when not about a track
  double value = 0;
  std::string details;
  bool snapshot = false;     // <n>.jpg exists
  int64_t snapshotMs = 0;    // when its picture was taken
};

class IncidentArchive {
 public:
  /// `dir` "" keeps the records in memory only, without pictures.
  IncidentArchive(std::string dir, size_t keep);

  /// Reads what an earlier run kept; records it left open are closed at `nowMs` (that run ended).
  void load(int64_t nowMs);
  /// Records a new incident with its picture (`jpeg` may be empty) and returns its number.
  int64_t add(const traffic::Incident& incident, const std::string& jpeg, int64_t pictureMs);
  /// The incident changed (value, details, its end).
  void update(int64_t n, const traffic::Incident& incident);
  /// Ends incident n at endMs if it is still open (its analysis stopped).
  void close(int64_t n, int64_t endMs);

  std::vector<IncidentRecord> list() const;  // oldest first
  std::optional<IncidentRecord> get(int64_t n) const;
  /// The picture of incident n: not_found when there is none (any more).
  Result<std::string> jpeg(int64_t n) const;
  const std::string& dir() const { return dir_; }

  /// The directory name for a camera id (an entity id; "." and ".." are escaped).
  static std::string dirName(const std::string& cameraId);

 private:
  std::string path(int64_t n, const char* ext) const;
  void save(const IncidentRecord& r) const;
  void trim();

  const std::string dir_;
  const size_t keep_;
  mutable std::mutex mu_;
  std::deque<IncidentRecord> records_;
  int64_t next_ = 1;
};

}  // namespace cityops::cameras
