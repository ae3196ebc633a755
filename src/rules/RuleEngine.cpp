#include "rules/RuleEngine.hpp"

#include "rules/RuleCodec.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace cityops::rules {

namespace {

std::string key(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a).push_back('\x1f');
  k.append(b);
  return k;
}

/// The series a rule reads: its metric, or for a forecast rule the forecast of its metric.
std::string watchedMetric(const Rule& r) { return r.kind == Kind::Forecast ? forecastMetric(r.metric) : r.metric; }

template <class Index, class Ptr>
void eraseFrom(Index& index, const std::string& k, Ptr p) {
  auto it = index.find(k);
  if (it == index.end()) return;
  auto& v = it->second;
  v.erase(std::remove(v.begin(), v.end(), p), v.end());
  if (v.empty()) index.erase(it);
}

}  // namespace

RuleEngine::RuleEngine(store::Store& store, const Clock& clock, Sink sink, Options options)
    : store_(store), clock_(clock), sink_(std::move(sink)), options_(options) {}

RuleEngine::~RuleEngine() { stop(); }

size_t RuleEngine::ruleCount() const {
  std::lock_guard lock(mu_);
  return rules_.size();
}

void RuleEngine::emit(Change c) {
  try {
    sink_(c);
  } catch (const std::exception& e) {
    spdlog::error("rules: the alert sink failed for {} on {}: {}", c.rule, c.entity, e.what());
  }
}

const std::string& RuleEngine::keyLocked(std::string_view a, std::string_view b) {
  key_.assign(a);
  key_.push_back('\x1f');
  key_.append(b);
  return key_;
}

void RuleEngine::indexLocked(Compiled& c) {
  const Rule& r = c.rule;
  if (r.kind == Kind::Expression) {
    if (c.expression)
      for (const auto& [entity, metric] : c.expression->references()) byReference_[key(entity, metric)].push_back(&c);
    return;
  }
  const std::string metric = watchedMetric(r);
  if (!r.scope.entity.empty()) byMetricEntity_[key(metric, r.scope.entity)].push_back(&c);
  else if (!r.scope.type.empty()) byMetricType_[key(metric, r.scope.type)].push_back(&c);
  else if (!r.scope.tag.empty()) byMetricTag_[key(metric, r.scope.tag)].push_back(&c);
}

void RuleEngine::unindexLocked(Compiled& c) {
  const Rule& r = c.rule;
  if (r.kind == Kind::Expression) {
    if (c.expression)
      for (const auto& [entity, metric] : c.expression->references()) eraseFrom(byReference_, key(entity, metric), &c);
    return;
  }
  const std::string metric = watchedMetric(r);
  if (!r.scope.entity.empty()) eraseFrom(byMetricEntity_, key(metric, r.scope.entity), &c);
  else if (!r.scope.type.empty()) eraseFrom(byMetricType_, key(metric, r.scope.type), &c);
  else if (!r.scope.tag.empty()) eraseFrom(byMetricTag_, key(metric, r.scope.tag), &c);
}

void RuleEngine::forgetTargetsLocked() {
  bySeries_.clear();
  byName_.clear();
}

void RuleEngine::clearLocked(Compiled& c) {
  for (auto& [entity, st] : c.states) {
    if (!st.reported) continue;
    const double last = st.evaluator ? st.evaluator->current().value : 0;
    pending_.push_back(Change{c.rule.id, entity, c.rule.metric, std::nullopt, last, clock_.nowMs(), {}});
  }
  c.states.clear();
}

namespace {
/// The rule without its times: what decides whether a replacement changes anything.
std::string substance(Rule r) {
  r.createdMs = r.updatedMs = 0;
  return boost::json::serialize(toJson(r));
}
}  // namespace

void RuleEngine::upsert(const Rule& rule) {
  std::vector<Change> out;
  {
    std::lock_guard lock(mu_);
    if (auto existing = rules_.find(rule.id);
        existing != rules_.end() && substance(existing->second.rule) == substance(rule)) {
      existing->second.rule = rule;  // the same rule again (e.g. a GET body PUT back): keep its state
      return;
    }
    forgetTargetsLocked();  // they point at states of the rule being replaced
    if (auto old = rules_.find(rule.id); old != rules_.end()) {
      clearLocked(old->second);
      unindexLocked(old->second);
      rules_.erase(old);
    }
    if (rule.enabled) {
      Compiled c{rule, std::nullopt, {}};
      if (rule.kind == Kind::Expression) {
        auto e = Expression::parse(rule.expr);
        if (!e) {
          spdlog::error("rules: {}: {}", rule.id, e.error().message);
        } else {
          c.expression = std::move(*e);
        }
      }
      auto [it, inserted] = rules_.emplace(rule.id, std::move(c));
      indexLocked(it->second);
      // Stale rules watch every entity in scope from the start, also those that never reported.
      if (rule.kind == Kind::Stale) {
        if (!rule.scope.entity.empty()) {
          (void)stateLocked(it->second, rule.scope.entity, 0);
        } else {
          store::EntityQuery q;
          if (!rule.scope.type.empty()) q.type = rule.scope.type;
          if (!rule.scope.tag.empty()) q.tag = rule.scope.tag;
          q.limit = 100000;
          if (auto page = store_.listEntities(q)) {
            for (const auto& e : page->items) (void)stateLocked(it->second, e.id, 0);
          }
        }
      }
    }
    enabledRules_.store(rules_.size(), std::memory_order_relaxed);
    out.swap(pending_);
  }
  for (auto& c : out) emit(std::move(c));
}

void RuleEngine::remove(const std::string& id) {
  std::vector<Change> out;
  {
    std::lock_guard lock(mu_);
    if (auto old = rules_.find(id); old != rules_.end()) {
      forgetTargetsLocked();
      clearLocked(old->second);
      unindexLocked(old->second);
      rules_.erase(old);
    }
    enabledRules_.store(rules_.size(), std::memory_order_relaxed);
    out.swap(pending_);
  }
  for (auto& c : out) emit(std::move(c));
}

void RuleEngine::resume(const std::string& rule, const std::string& entity, Severity severity, double value,
                        int64_t timeMs) {
  std::lock_guard lock(mu_);
  auto it = rules_.find(rule);
  if (it == rules_.end()) return;
  State& st = stateLocked(it->second, entity, timeMs);
  if (st.evaluator) st.evaluator->resumeAt(severity, value, timeMs);
  st.reported = severity;
}

const RuleEngine::EntityInfo& RuleEngine::entityLocked(std::string_view id, std::string_view typeHint) {
  const int64_t now = clock_.nowMs();
  auto found = entities_.find(std::string(id));
  if (found == entities_.end()) found = entities_.try_emplace(std::string(id)).first;
  auto& info = found->second;
  if (info.loadedMs == 0 || now - info.loadedMs >= options_.entityCacheMs) {
    info.loadedMs = std::max<int64_t>(now, 1);
    if (auto e = store_.getEntity(std::string(id))) {
      info.exists = true;
      info.type = e->type;
      info.name = e->name;
      info.tags = e->tags;
    } else {
      info.exists = false;
      info.type.assign(typeHint);
    }
  }
  return info;
}

RuleEngine::State& RuleEngine::stateLocked(Compiled& c, std::string_view entity, int64_t firstTimeMs) {
  auto found = c.states.find(std::string(entity));
  const bool inserted = found == c.states.end();
  auto it = inserted ? c.states.try_emplace(std::string(entity)).first : found;
  if (inserted && c.rule.kind != Kind::Expression) {
    it->second.evaluator = Evaluator::make(c.rule);
    // Windowed kinds start from what the store already holds, so a restart does not forget the window.
    if ((c.rule.kind == Kind::Rate || c.rule.kind == Kind::Accumulation) && firstTimeMs > 0 && c.rule.windowMs > 0) {
      store::SeriesQuery q;
      q.entity.assign(entity);
      q.metric = c.rule.metric;
      q.from = firstTimeMs - c.rule.windowMs;
      q.to = firstTimeMs - 1;
      q.limit = 100000;
      if (auto points = store_.querySeries(q)) {
        for (const auto& p : *points) {
          if (p.quality == model::Quality::Bad) continue;
          if (p.quality == model::Quality::Suspect && !c.rule.suspectTriggers) continue;
          (void)it->second.evaluator->observe(p.time, p.value);
        }
        it->second.reported = it->second.evaluator->current().severity;
      }
    }
  }
  return it->second;
}

void RuleEngine::applyLocked(const Compiled& c, std::string_view entity, State& st, const Verdict& v) {
  if (v.severity == st.reported) return;
  st.reported = v.severity;
  Change ch{c.rule.id, std::string(entity), c.rule.metric, v.severity, v.value, v.timeMs, {}};
  if (v.severity) {
    const EntityInfo& info = entityLocked(entity, {});  // only on changes: rare
    ch.message = renderMessage(c.rule, ch.entity, info.name.empty() ? ch.entity : info.name, v.value, *v.severity);
  }
  pending_.push_back(std::move(ch));
}

void RuleEngine::resolveLocked(Target& t, const View& r) {
  t.hits.clear();
  t.entity.assign(r.entity);
  t.type.assign(r.type);
  t.metric.assign(r.metric);
  t.builtMs = std::max<int64_t>(clock_.nowMs(), 1);
  const auto collect = [&](const Index& index) {
    const auto it = index.find(key_);
    if (it == index.end()) return;
    for (Compiled* c : it->second) t.hits.push_back({c, &stateLocked(*c, r.entity, r.time)});
  };
  if (!byMetricEntity_.empty()) {
    keyLocked(r.metric, r.entity);
    collect(byMetricEntity_);
  }
  if (!byMetricType_.empty()) {
    keyLocked(r.metric, r.type);
    collect(byMetricType_);
  }
  if (!byMetricTag_.empty()) {
    const EntityInfo& info = entityLocked(r.entity, r.type);
    for (const auto& tag : info.tags) {
      keyLocked(r.metric, tag);
      collect(byMetricTag_);
    }
  }
}

RuleEngine::Target& RuleEngine::targetLocked(const View& r) {
  // Entities come and go; a cache that only grows is bounded by starting over.
  if (bySeries_.size() + byName_.size() > 4'000'000) forgetTargetsLocked();
  Target* t = nullptr;
  if (r.series != 0) {
    t = &bySeries_[r.series];
  } else {
    keyLocked(r.entity, r.metric);
    auto it = byName_.find(key_);
    t = it != byName_.end() ? &it->second : &byName_.try_emplace(key_).first->second;
  }
  const bool stale = t->builtMs == 0 || t->entity != r.entity || t->metric != r.metric || t->type != r.type ||
                     (!byMetricTag_.empty() && clock_.nowMs() - t->builtMs >= options_.entityCacheMs);
  if (stale) resolveLocked(*t, r);
  return *t;
}

void RuleEngine::evaluateLocked(const View& r) {
  if (r.quality == model::Quality::Bad) return;
  if (!byMetricEntity_.empty() || !byMetricType_.empty() || !byMetricTag_.empty()) {
    Target& t = targetLocked(r);
    for (const auto& [c, st] : t.hits) {
      if (r.quality == model::Quality::Suspect && !c->rule.suspectTriggers) continue;
      applyLocked(*c, r.entity, *st, st->evaluator->observe(r.time, r.value));
    }
  }
  if (!byReference_.empty()) evaluateExpressionsLocked(r);
}

void RuleEngine::evaluateExpressionsLocked(const View& r) {
  const std::string k = key(r.entity, r.metric);
  auto refs = byReference_.find(k);
  if (refs == byReference_.end()) return;
  latest_[k] = r.value;
  const auto lookup = [this](const std::string& entity, const std::string& metric) -> std::optional<double> {
    auto it = latest_.find(key(entity, metric));
    if (it != latest_.end()) return it->second;
    // Not seen since the start: ask the store once.
    store::LatestQuery q;
    q.entity = entity;
    q.metric = metric;
    if (auto values = store_.latest(q); values && !values->empty()) {
      latest_[key(entity, metric)] = values->front().value;
      return values->front().value;
    }
    return std::nullopt;
  };
  for (Compiled* cp : refs->second) {
    if (!cp->expression) continue;
    Compiled& c = *cp;
    if (r.quality == model::Quality::Suspect && !c.rule.suspectTriggers) continue;
    const auto result = c.expression->evaluate(lookup);
    if (!result) continue;  // a value it needs is missing: no verdict
    const std::string entity = !c.rule.scope.entity.empty() ? c.rule.scope.entity : std::string(r.entity);
    State& st = c.states[entity];
    Verdict v;
    v.severity = *result ? std::optional<Severity>(c.rule.severity) : std::nullopt;
    v.value = r.value;
    v.timeMs = r.time;
    applyLocked(c, entity, st, v);
  }
}

void RuleEngine::evaluate(const std::vector<Reading>& readings) {
  std::vector<Change> out;
  {
    std::lock_guard lock(mu_);
    for (const auto& r : readings)
      evaluateLocked(View{0, r.entity, r.type, r.metric, r.time, r.value, r.quality});
    out.swap(pending_);
  }
  for (auto& c : out) emit(std::move(c));
}

void RuleEngine::tick(int64_t nowMs) {
  std::vector<Change> out;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, c] : rules_) {
      for (auto& [entity, st] : c.states) {
        if (st.evaluator) applyLocked(c, entity, st, st.evaluator->tick(nowMs));
      }
    }
    out.swap(pending_);
  }
  for (auto& c : out) emit(std::move(c));
}

void RuleEngine::evaluateBatch(const Batch& batch) {
  std::vector<Change> out;
  {
    std::lock_guard lock(mu_);
    const std::string_view text = batch.text;
    for (const auto& i : batch.items)
      evaluateLocked(View{i.series, text.substr(i.entity, i.entityLen), text.substr(i.type, i.typeLen),
                          text.substr(i.metric, i.metricLen), i.time, i.value, i.quality});
    out.swap(pending_);
  }
  for (auto& c : out) emit(std::move(c));
}

void RuleEngine::onObservations(std::span<const stream::ObservationEvent> events) {
  // The writer thread waits for this: one buffer for every string, each copied once per run of equal pointers.
  Batch batch;
  batch.items.reserve(events.size());
  batch.text.reserve(events.size() * 24);
  const std::string* last[3] = {nullptr, nullptr, nullptr};
  uint32_t offset[3] = {0, 0, 0};
  const auto place = [&](int k, const std::string* s) {
    if (s != last[k]) {
      last[k] = s;
      offset[k] = static_cast<uint32_t>(batch.text.size());
      batch.text.append(*s);
    }
    return offset[k];
  };
  for (const auto& e : events) {
    Batch::Item item{};
    item.series = e.series;
    item.entity = place(0, e.entity);
    item.entityLen = static_cast<uint16_t>(e.entity->size());
    item.type = place(1, e.type);
    item.typeLen = static_cast<uint16_t>(e.type->size());
    item.metric = place(2, e.metric);
    item.metricLen = static_cast<uint16_t>(e.metric->size());
    item.quality = e.quality;
    item.time = e.time;
    item.value = e.value;
    batch.items.push_back(item);
  }
  {
    std::unique_lock lock(queueMu_);
    if (!thread_.joinable()) {  // not started: evaluate here, on the writer thread
      lock.unlock();
      evaluateBatch(batch);
      return;
    }
    queued_ += batch.items.size();
    queue_.push_back(std::move(batch));
  }
  queueCv_.notify_one();
}

void RuleEngine::start() {
  std::lock_guard lock(queueMu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void RuleEngine::stop() {
  {
    std::lock_guard lock(queueMu_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  queueCv_.notify_all();
  thread_.join();
}

void RuleEngine::drain() {
  std::unique_lock lock(queueMu_);
  drainedCv_.wait(lock, [&] { return (queue_.empty() && !busy_) || !thread_.joinable(); });
}

void RuleEngine::run() {
  int64_t nextTick = clock_.nowMs() + options_.tickMs;
  std::unique_lock lock(queueMu_);
  for (;;) {
    queueCv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(1, std::min<int64_t>(options_.tickMs, 1000))),
                      [&] { return stopping_ || !queue_.empty(); });
    if (stopping_ && queue_.empty()) break;
    if (!queue_.empty()) {
      auto batch = std::move(queue_.front());
      queue_.pop_front();
      queued_ -= batch.items.size();
      busy_ = true;
      lock.unlock();
      evaluateBatch(batch);
      lock.lock();
      busy_ = false;
    }
    const int64_t now = clock_.nowMs();
    if (now >= nextTick) {
      lock.unlock();
      tick(now);
      lock.lock();
      nextTick = now + options_.tickMs;
    }
    if (queue_.empty()) drainedCv_.notify_all();
  }
  drainedCv_.notify_all();
}

}  // namespace cityops::rules
