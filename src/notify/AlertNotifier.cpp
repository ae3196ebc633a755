#include "notify/AlertNotifier.hpp"

#include "alerts/AlertJson.hpp"
#include "common/JsonText.hpp"
#include "notify/Outbox.hpp"

#include <algorithm>

namespace cityops::notify {

void AlertNotifier::attach(alerts::AlertManager& alerts) {
  alerts.addTransactionHook([this](store::SqliteDb& db, const alerts::Alert& a, const alerts::HistoryEntry& t) {
    return enqueue(db, a, t);
  });
}

Status AlertNotifier::enqueue(store::SqliteDb& db, const alerts::Alert& a, const alerts::HistoryEntry& t) {
  auto& peak = peak_.try_emplace(a.id, a.severity).first->second;
  peak = std::max(peak, a.severity);
  const rules::Severity matchOn = peak;
  if (a.state == alerts::State::Resolved) peak_.erase(a.id);
  auto active = subscriptions_.active();
  if (active.empty()) return {};
  EventAttributes attrs{std::string(rules::severityName(matchOn)), {}, a.rule, a.entity};
  auto entity = store_.getEntity(a.entity);
  if (entity) attrs.entityType = entity->type;
  auto payload = alerts::alertJson(a, false);
  payload["transition"] = t.action;
  if (entity) payload["entity_type"] = attrs.entityType;
  else payload["entity_type"] = nullptr;  // the entity is gone (or unreadable): its type is unknown
  auto rows = Outbox::enqueueWithin(db, active, toJsonText(payload), attrs, clock_.nowMs());
  if (!rows) return rows.error();
  return {};
}

}  // namespace cityops::notify
