#pragma once
// Keeps the rules of the live cameras in step with the TrafficCamera entities (as flood::StationRules does for the
// water-level stations): every camera with a `source` gets one threshold rule per incident kind,
// "camera.<camera id>.<kind>", on the kind's state metric above 0.5 (CameraMetrics: the state is the number of
// the open incident, 0 when there is none), so that the generic engine raises an alert when an incident opens and
// resolves it when the incident ends:
//
//   camera.<id>.stopped    incident_stopped    major      camera.<id>.offline  camera_offline  minor
//   camera.<id>.wrong_way  incident_wrong_way  major      camera.<id>.frozen   camera_frozen   minor
//   camera.<id>.queue      incident_queue      minor      camera.<id>.dark     camera_dark     minor
//                                                         camera.<id>.blurred  camera_blurred  minor
//
// The message names the incident's picture: "/api/v1/cameras/<id>/incidents/{value}.jpg". A pass (at start, then
// every few seconds) writes what changed and removes the rules of cameras gone or left without a source; rules with
// the prefix "camera." are managed here (edits through the rules API are overwritten at the next pass).
#include "common/Clock.hpp"
#include "common/Result.hpp"
#include "model/Entity.hpp"
#include "rules/Rule.hpp"
#include "store/Store.hpp"

#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace cityops::rules {
class RuleStore;
class RuleEngine;
}  // namespace cityops::rules

namespace cityops::cameras {

/// The desired rules of one entity (none for other types and for cameras without a source).
std::vector<rules::Rule> cameraRules(const model::Entity& e);

class CameraRules {
 public:
  CameraRules(store::Store& store, rules::RuleStore& ruleStore, rules::RuleEngine& engine, const Clock& clock)
      : store_(store), ruleStore_(ruleStore), engine_(engine), clock_(clock) {}
  ~CameraRules() { stop(); }

  /// One pass: the number of rules written or removed.
  Result<int> reconcile();
  void start(int64_t periodMs);
  void stop();

  static bool managed(std::string_view ruleId);

 private:
  store::Store& store_;
  rules::RuleStore& ruleStore_;
  rules::RuleEngine& engine_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cityops::cameras
