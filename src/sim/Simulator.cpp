#include "sim/Simulator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace cityops::sim {

Simulator::Simulator(store::Store& store, const Clock& clock, const std::vector<config::SimulationSpec>& specs,
                     const std::vector<model::Entity>& entities, uint64_t seed)
    : store_(store), clock_(clock), specs_(specs), rng_(seed) {
  // An entity's own spec for a metric wins over a type-wide spec for the same metric: one track per series (two
  // tracks would interleave two curves in one series).
  auto ownSpec = [&](const std::string& entityId, const std::string& metric) {
    return std::any_of(specs_.begin(), specs_.end(),
                       [&](const config::SimulationSpec& s) { return s.entity == entityId && s.metric == metric; });
  };
  for (const auto& spec : specs_)
    for (const auto& e : entities) {
      const bool mine = !spec.entity.empty() && spec.entity == e.id;
      const bool ofType = spec.entity.empty() && !spec.type.empty() && spec.type == e.type;
      if (!mine && !(ofType && !ownSpec(e.id, spec.metric))) continue;
      tracks_.push_back({e.id, spec.metric, &spec, phaseFor(spec, e.id)});
    }
}

Simulator::~Simulator() { stop(); }

double Simulator::phaseFor(const config::SimulationSpec& spec, const std::string& entityId) {
  if (!spec.peakHour)  // a fixed phase per entity, so that entities of one type do not move in lockstep
    return static_cast<double>(std::hash<std::string>{}(entityId) % 6283) / 1000.0;
  // sin(2π t / day + phase) peaks where its argument is π/2; days start at 00:00 UTC (Unix time has no leap
  // seconds), so the peak falls at `peakUtcMinute` minutes into every UTC day.
  const int local = *spec.peakHour * 60;
  const int peakUtcMinute = ((local - spec.utcOffsetMinutes) % 1440 + 1440) % 1440;
  return M_PI / 2 - 2 * M_PI * peakUtcMinute / 1440.0;
}

double Simulator::episodeAt(const config::SimulationSpec& s, int64_t ms) {
  if (s.episodeEveryHours <= 0 || s.episodeHours <= 0) return 0;
  constexpr double kHour = 3600000.0;
  const double every = s.episodeEveryHours * kHour;
  // Time since the first episode's start, 1970-01-01 00:00 local + episodeOffsetHours, modulo the spacing.
  const double since = static_cast<double>(ms) + s.utcOffsetMinutes * 60000.0 - s.episodeOffsetHours * kHour;
  double into = std::fmod(since, every);
  if (into < 0) into += every;
  const double x = into / (s.episodeHours * kHour);
  return x < 1 ? s.episodeAdd * std::sin(M_PI * x) : 0;
}

double Simulator::valueAt(Track& t, int64_t ms, bool step) {
  const auto& s = *t.spec;
  if (step && s.noise > 0) {
    std::normal_distribution<double> n(0, s.noise);
    t.walk = std::clamp(t.walk * 0.98 + n(rng_), -4 * s.noise * 10, 4 * s.noise * 10);
  }
  const double period = s.periodMinutes * 60000.0;
  const double cycle = std::fmod(static_cast<double>(ms), period) / period;  // fraction of the period elapsed
  const double v = std::clamp(
      s.base + s.amplitude * std::sin(2 * M_PI * cycle + t.phase) + episodeAt(s, ms) + t.walk, s.min, s.max);
  if (s.integer)  // the nearest whole number inside [min, max] (the loader checked that one exists)
    return std::clamp(std::round(v), std::ceil(s.min), std::floor(s.max));
  return std::round(v * 1000.0) / 1000.0;
}

Status Simulator::backfill(int hours) {
  const int64_t now = clock_.nowMs();
  const int64_t step = 5 * 60000;
  std::vector<model::Observation> batch;
  for (auto& t : tracks_) {
    store::LatestQuery q{std::nullopt, t.metric, t.entity};
    auto latest = store_.latest(q);
    if (latest && !latest->empty()) continue;
    for (int64_t ms = (now - hours * 3600000LL) / step * step; ms < now; ms += step)
      batch.push_back({t.entity, t.metric, ms, valueAt(t, ms, true), model::Quality::Good});
  }
  if (batch.empty()) return {};
  auto r = store_.ingestSync(std::move(batch));
  if (!r) return r.error();
  spdlog::info("simulator: backfilled {} observations of history", *r);
  return {};
}

std::vector<model::Observation> Simulator::tick(int64_t now) {
  std::vector<model::Observation> batch;
  for (auto& t : tracks_) {
    if (now < t.next) continue;
    const int64_t every = t.spec->everySeconds * 1000LL;
    const int64_t previous = t.last > 0 ? t.last : now - every;
    t.next = now + every;
    t.last = now;
    std::optional<double> scripted;
    if (scenario_) {
      scripted = scenario_->valueAt(t.entity, t.metric, now, previous);
      if (auto fault = scenario_->faultIn(t.entity, t.metric, previous, now)) scripted = fault;
    }
    batch.push_back({t.entity, t.metric, now, scripted ? *scripted : valueAt(t, now, true), model::Quality::Good});
  }
  return batch;
}

void Simulator::start() {
  if (tracks_.empty()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      auto batch = tick(clock_.nowMs());
      if (!batch.empty()) {
        lock.unlock();
        store_.ingest(std::move(batch), [](Result<size_t> r) {
          if (!r) spdlog::warn("simulator: ingest failed: {}", r.error().message);
        });
        lock.lock();
      }
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  });
  spdlog::info("simulator: driving {} series", tracks_.size());
}

void Simulator::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cityops::sim
