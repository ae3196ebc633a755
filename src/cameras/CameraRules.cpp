#include "cameras/CameraRules.hpp"

#include "cameras/CameraConfig.hpp"
#include "cameras/CameraMetrics.hpp"
#include "model/Names.hpp"
#include "rules/RuleCodec.hpp"
#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace cityops::cameras {

namespace {

constexpr std::string_view kPrefix = "camera.";
constexpr size_t kMaxRuleName = 200;

/// The rule without its times: what decides whether a rewrite changes anything.
std::string substance(rules::Rule r) {
  r.createdMs = r.updatedMs = 0;
  return boost::json::serialize(rules::toJson(r));
}

/// At most `max` bytes, not cutting a UTF-8 sequence.
std::string clip(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

}  // namespace

bool CameraRules::managed(std::string_view id) { return id.starts_with(kPrefix); }

std::vector<rules::Rule> cameraRules(const model::Entity& e) {
  std::vector<rules::Rule> out;
  if (!hasSource(e)) return out;
  const std::string label = e.name.empty() ? e.id : e.name;
  for (const auto& k : incidentKinds()) {
    rules::Rule r;
    r.id = std::string(kPrefix) + e.id + "." + std::string(k.rule);
    if (!model::isValidEntityId(r.id)) {
      spdlog::warn("camera {}: its id is too long for the rule {}; no such alerts", e.id, r.id);
      continue;
    }
    const std::string title(k.title);
    r.name = clip(label, kMaxRuleName - title.size() - 2) + ": " + title;
    r.scope.entity = e.id;
    r.metric = std::string(k.metric);
    r.kind = rules::Kind::Threshold;
    r.levels.push_back({true, 0.5, k.severity});
    r.message = k.snapshot ? "{entity.name}: " + title + " (picture: /api/v1/cameras/{entity.id}/incidents/{value}.jpg)"
                           : "{entity.name}: " + title;
    out.push_back(std::move(r));
  }
  return out;
}

Result<int> CameraRules::reconcile() {
  store::EntityQuery q;
  q.type = std::string(kCameraType);
  q.limit = 100000;
  auto cameras = store_.listEntities(q);
  if (!cameras) return cameras.error();
  std::map<std::string, rules::Rule> desired;
  for (const auto& e : cameras->items)
    for (auto& r : cameraRules(e)) desired.emplace(r.id, std::move(r));

  auto existing = ruleStore_.list();
  if (!existing) return existing.error();
  int changed = 0;
  const int64_t now = clock_.nowMs();
  for (const auto& r : *existing) {
    if (!managed(r.id) || desired.count(r.id)) continue;
    if (auto s = ruleStore_.remove(r.id); !s && s.error().code != "not_found") return s.error();
    engine_.remove(r.id);
    spdlog::info("cameras: rule {} removed (its camera is gone or has no source)", r.id);
    ++changed;
  }
  for (auto& [id, rule] : desired) {
    auto it = std::find_if(existing->begin(), existing->end(), [&](const rules::Rule& r) { return r.id == id; });
    if (it != existing->end() && substance(*it) == substance(rule)) continue;
    auto saved = ruleStore_.put(rule, now);
    if (!saved) {  // this camera's rule only: the others still get theirs
      spdlog::error("cameras: cannot write rule {}: {}", id, saved.error().message);
      continue;
    }
    engine_.upsert(*saved);
    spdlog::info("cameras: rule {} {}", id, it == existing->end() ? "created" : "updated");
    ++changed;
  }
  return changed;
}

void CameraRules::start(int64_t periodMs) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, periodMs] {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(periodMs), [&] { return stopping_; })) {
      lock.unlock();
      if (auto r = reconcile(); !r) spdlog::error("cameras: cannot update the camera rules: {}", r.error().message);
      lock.lock();
    }
  });
}

void CameraRules::stop() {
  {
    std::lock_guard lock(mu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

}  // namespace cityops::cameras
