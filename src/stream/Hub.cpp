#include "stream/Hub.hpp"

#include "common/JsonText.hpp"
#include "common/Time.hpp"
#include "model/Names.hpp"

#include <boost/json.hpp>

namespace cityops::stream {

namespace json = boost::json;

namespace {
constexpr std::string_view kEntityPrefix = "observations:entity:";
constexpr std::string_view kTypePrefix = "observations:type:";

json::object eventJson(const ObservationEvent& e) {
  json::object o;
  o["entity"] = *e.entity;
  o["type"] = *e.type;
  o["metric"] = *e.metric;
  o["time"] = formatTime(e.time);
  o["value"] = e.value;
  o["quality"] = model::qualityName(e.quality);
  return o;
}
}  // namespace

Status Hub::subscribe(const std::shared_ptr<Subscriber>& s, const std::vector<std::string>& topics) {
  Entry add;
  for (const auto& t : topics) {
    std::string_view v = t;
    if (v.starts_with(kEntityPrefix) && model::isValidEntityId(v.substr(kEntityPrefix.size())))
      add.entities.emplace(v.substr(kEntityPrefix.size()));
    else if (v.starts_with(kTypePrefix) && model::isValidType(v.substr(kTypePrefix.size())))
      add.types.emplace(v.substr(kTypePrefix.size()));
    else if (v == "alerts")
      add.other.emplace(v);
    else
      return BadRequest("unknown topic '" + t.substr(0, 160) +
                        "' (use observations:entity:<id>, observations:type:<type> or alerts)");
  }
  std::unique_lock lock(mu_);
  auto& e = entries_[s.get()];
  if (e.entities.size() + e.types.size() + e.other.size() + add.entities.size() + add.types.size() +
          add.other.size() > kMaxTopicsPerSubscriber)
    return BadRequest("too many topics for one client (at most " + std::to_string(kMaxTopicsPerSubscriber) + ")");
  const bool hadObservations = !e.entities.empty() || !e.types.empty();
  e.sub = s;
  e.entities.merge(add.entities);
  e.types.merge(add.types);
  e.other.merge(add.other);
  if (!hadObservations && (!e.entities.empty() || !e.types.empty())) observationSubscribers_.fetch_add(1);
  return {};
}

void Hub::unsubscribe(const Subscriber* s) {
  std::unique_lock lock(mu_);
  auto it = entries_.find(s);
  if (it == entries_.end()) return;
  if (!it->second.entities.empty() || !it->second.types.empty()) observationSubscribers_.fetch_sub(1);
  entries_.erase(it);
}

void Hub::drop(const std::vector<const Subscriber*>& dead) {
  for (const auto* d : dead) unsubscribe(d);
}

void Hub::onObservations(std::span<const ObservationEvent> events) {
  if (observationSubscribers_.load(std::memory_order_relaxed) == 0 || events.empty()) return;
  std::vector<std::pair<std::shared_ptr<Subscriber>, std::string>> out;
  std::vector<const Subscriber*> dead;
  {
    std::shared_lock lock(mu_);
    for (const auto& [key, e] : entries_) {
      if (e.entities.empty() && e.types.empty()) continue;
      auto sub = e.sub.lock();
      if (!sub) {
        dead.push_back(key);
        continue;
      }
      json::array items;
      for (const auto& ev : events)
        if (e.entities.count(*ev.entity) || e.types.count(*ev.type)) items.push_back(eventJson(ev));
      if (items.empty()) continue;
      json::object frame;
      frame["channel"] = "observations";
      frame["observations"] = std::move(items);
      out.emplace_back(std::move(sub), toJsonText(frame));
    }
  }
  for (auto& [sub, text] : out)
    if (!sub->deliver(std::move(text))) dead.push_back(sub.get());
  drop(dead);
}

void Hub::publish(const std::string& topic, const json::value& data) {
  json::object frame;
  frame["channel"] = topic;
  frame["data"] = data;
  const std::string text = toJsonText(frame);
  std::vector<std::shared_ptr<Subscriber>> targets;
  std::vector<const Subscriber*> dead;
  {
    std::shared_lock lock(mu_);
    for (const auto& [key, e] : entries_)
      if (e.other.count(topic)) {
        if (auto s = e.sub.lock()) targets.push_back(std::move(s));
        else dead.push_back(key);
      }
  }
  for (auto& s : targets)
    if (!s->deliver(text)) dead.push_back(s.get());
  drop(dead);
}

size_t Hub::subscriberCount() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

}  // namespace cityops::stream
