#include "flood/QualityControl.hpp"

#include "rules/Duration.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace cityops::flood {

namespace json = boost::json;

Result<QcLimits> parseQcLimits(const json::value& v, QcLimits base) {
  const auto* o = v.if_object();
  if (!o) return BadRequest("qc limits must be an object");
  for (const auto& [key, value] : *o) {
    const std::string k(key);
    auto number = [&](std::optional<double>& out) -> Status {
      if (!value.is_number()) return BadRequest("qc." + k + " must be a number");
      const double d = value.to_number<double>();
      if (!std::isfinite(d)) return BadRequest("qc." + k + " must be finite");
      out = d;
      return {};
    };
    Status s;
    if (k == "hard_min") s = number(base.hardMin);
    else if (k == "hard_max") s = number(base.hardMax);
    else if (k == "soft_min") s = number(base.softMin);
    else if (k == "soft_max") s = number(base.softMax);
    else if (k == "spike_per_hour") {
      s = number(base.spikePerHour);
      if (s && *base.spikePerHour <= 0) s = BadRequest("qc.spike_per_hour must be > 0");
    } else if (k == "flat_count") {
      if (!value.is_int64() || value.as_int64() < 0 || value.as_int64() > 100000)
        s = BadRequest("qc.flat_count must be a whole number from 0 to 100000");
      else base.flatCount = static_cast<int>(value.as_int64());
    } else if (k == "gap") {
      if (!value.is_string()) {
        s = BadRequest("qc.gap must be a duration such as \"30m\"");
      } else if (auto d = rules::Duration::parse(value.as_string()); !d) {
        s = BadRequest("qc.gap: " + d.error().message);
      } else {
        base.gapMs = *d;
      }
    } else {
      s = BadRequest("qc: unknown key '" + k +
                     "' (expected hard_min, hard_max, soft_min, soft_max, spike_per_hour, flat_count, gap)");
    }
    if (!s) return s.error();
  }
  if (base.hardMin && base.hardMax && *base.hardMin > *base.hardMax)
    return BadRequest("qc: hard_min must be <= hard_max");
  if (base.softMin && base.softMax && *base.softMin > *base.softMax)
    return BadRequest("qc: soft_min must be <= soft_max");
  return base;
}

std::optional<QcLimits> QualityControl::limitsFor(const model::Entity& e, const std::string& metric) const {
  auto d = defaults_.find(metric);
  const auto* qc = e.attributes.if_contains("qc");
  const json::value* own = nullptr;
  if (qc && qc->is_object()) own = qc->as_object().if_contains(metric);
  if (d == defaults_.end() && !own) return std::nullopt;
  QcLimits base = d != defaults_.end() ? d->second : QcLimits{};
  if (!own) return base;
  auto merged = parseQcLimits(*own, base);
  if (!merged) return base;  // an unusable attribute: the defaults hold (the API rejects it on write)
  return *merged;
}

const QcLimits* QualityControl::limitsLocked(const std::shared_ptr<const model::Entity>& e, const std::string& metric) {
  auto& cached = limits_[e->id];
  if (cached.from != e) {  // a new version of the entity: read its attribute again
    cached.from = e;
    cached.byMetric.clear();
  }
  auto it = cached.byMetric.find(metric);
  if (it == cached.byMetric.end()) it = cached.byMetric.emplace(metric, limitsFor(*e, metric)).first;
  return it->second ? &*it->second : nullptr;
}

void QualityControl::inspect(std::span<model::Observation> batch, const EntityLookup& entityOf) {
  std::lock_guard lock(mu_);
  std::string key;
  for (auto& ob : batch) {
    auto e = entityOf(ob.entity);
    if (!e) continue;
    // Only metrics with defaults or with a station's own `qc` entry are checked.
    if (defaults_.find(ob.metric) == defaults_.end() && !e->attributes.contains("qc")) continue;
    const QcLimits* l = limitsLocked(e, ob.metric);
    if (!l) continue;
    auto& counts = counts_[ob.entity][ob.metric];
    ++counts.checked;
    key.assign(ob.entity).push_back('\x1f');
    key.append(ob.metric);
    auto& st = state_[key];
    const double v = ob.value;
    model::Quality q = model::Quality::Good;
    auto flag = [&](model::Quality to, int64_t& counter) {
      ++counter;
      if (to > q) q = to;
    };

    if ((l->hardMin && v < *l->hardMin) || (l->hardMax && v > *l->hardMax)) flag(model::Quality::Bad, counts.hard);
    if (q != model::Quality::Bad) {
      if ((l->softMin && v < *l->softMin) || (l->softMax && v > *l->softMax)) flag(model::Quality::Suspect, counts.soft);
      const bool inOrder = !st.seen || ob.time > st.lastMs;
      if (inOrder && l->gapMs > 0 && st.seen && ob.time - st.lastMs > l->gapMs) ++counts.gap;
      if (inOrder && l->spikePerHour && st.hasGood && ob.time > st.goodMs) {
        const double perHour = std::fabs(v - st.goodValue) / (static_cast<double>(ob.time - st.goodMs) / 3600000.0);
        if (perHour > *l->spikePerHour) flag(model::Quality::Suspect, counts.spike);
      }
      if (inOrder) {
        st.run = st.seen && v == st.lastValue ? st.run + 1 : 1;
        if (l->flatCount > 0 && st.run >= l->flatCount) flag(model::Quality::Suspect, counts.flat);
      }
    }
    if (ob.quality < q) ob.quality = q;
    if (q != model::Quality::Good) counts.lastFlaggedMs = ob.time;
    if (!st.seen || ob.time > st.lastMs) {
      st.seen = true;
      st.lastMs = ob.time;
      st.lastValue = v;
      if (ob.quality == model::Quality::Good) {
        st.hasGood = true;
        st.goodMs = ob.time;
        st.goodValue = v;
      }
    }
  }
}

std::map<std::string, QcCounts> QualityControl::counts(const std::string& entity) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(entity);
  return it == counts_.end() ? std::map<std::string, QcCounts>{} : it->second;
}

}  // namespace cityops::flood
