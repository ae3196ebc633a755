#pragma once
// Turns committed observations into verdict changes. It listens to the store (ObservationSink: the writer thread
// only copies the batch into a queue) and evaluates on a thread of its own, so ingest never waits for rules or
// alerts. Per (rule, entity) it keeps one Evaluator; rules are indexed by (metric, entity), (metric, type) and
// (metric, tag), so an observation costs a few hash lookups plus its matching rules. A tick every second (in the
// clock's time) drives stale rules and `for` durations that complete without a new reading.
//
// Each verdict change goes to the Sink (the alert manager) as a Change, in the order the engine decided them.
#include "common/Clock.hpp"
#include "rules/Evaluator.hpp"
#include "rules/Expression.hpp"
#include "rules/Rule.hpp"
#include "store/Store.hpp"
#include "stream/ObservationEvent.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cityops::rules {

struct Change {
  std::string rule;
  std::string entity;
  std::string metric;
  std::optional<Severity> severity;  // nullopt: cleared
  double value = 0;
  int64_t timeMs = 0;
  std::string message;
};

/// One reading as callers hand it to evaluate().
struct Reading {
  std::string entity;
  std::string type;
  std::string metric;
  int64_t time = 0;
  double value = 0;
  model::Quality quality = model::Quality::Good;
};

class RuleEngine final : public stream::ObservationSink {
 public:
  using Sink = std::function<void(const Change&)>;
  struct Options {
    int64_t tickMs = 1000;          // stale / `for` checks
    size_t maxQueued = 1'000'000;   // readings waiting; beyond that the oldest batches are evaluated late, not lost
    int64_t entityCacheMs = 30000;  // type, tags and name of an entity are re-read after this long
  };

  RuleEngine(store::Store& store, const Clock& clock, Sink sink, Options options);
  RuleEngine(store::Store& store, const Clock& clock, Sink sink) : RuleEngine(store, clock, std::move(sink), Options{}) {}
  ~RuleEngine() override;

  /// Replaces a rule (or adds it): its evaluators start afresh; verdicts it held are cleared through the Sink.
  void upsert(const Rule& rule);
  /// Removes a rule; verdicts it held are cleared through the Sink.
  void remove(const std::string& id);
  /// An alert that was open at the last stop: the evaluator of (rule, entity) resumes at that severity.
  void resume(const std::string& rule, const std::string& entity, Severity severity, double value, int64_t timeMs);

  /// Starts the evaluation thread (with ticks). Without start(), evaluate()/tick() and the store's batches
  /// (onObservations) are evaluated synchronously on the caller's thread (replay, tests, benchmarks).
  void start();
  void stop();

  void onObservations(std::span<const stream::ObservationEvent> events) override;
  /// Without enabled rules the store need not hand batches over at all.
  bool listening() const override { return enabledRules_.load(std::memory_order_relaxed) > 0; }

  /// Synchronous evaluation on the caller's thread (no queue).
  void evaluate(const std::vector<Reading>& readings);
  void tick(int64_t nowMs);
  /// Waits until every queued reading was evaluated (tests, replay).
  void drain();

  size_t ruleCount() const;

 private:
  struct EntityInfo {
    std::string type;
    std::string name;
    std::vector<std::string> tags;
    int64_t loadedMs = 0;
    bool exists = false;
  };
  struct State {
    std::unique_ptr<Evaluator> evaluator;
    std::optional<Severity> reported;  // last severity sent to the Sink
  };
  struct Compiled {
    Rule rule;
    std::optional<Expression> expression;          // expression rules
    std::unordered_map<std::string, State> states;  // per entity
  };
  using Index = std::unordered_map<std::string, std::vector<Compiled*>>;

  /// A reading while it is evaluated: its strings point into the caller's Reading or the queued Batch's text.
  struct View {
    uint32_t series = 0;
    std::string_view entity, type, metric;
    int64_t time = 0;
    double value = 0;
    model::Quality quality = model::Quality::Good;
  };
  /// What onObservations queues: the readings with their strings copied into one buffer (no allocation per reading).
  struct Batch {
    struct Item {
      uint32_t series;
      uint32_t entity, type, metric;  // offsets into text
      uint16_t entityLen, typeLen, metricLen;
      model::Quality quality;
      int64_t time;
      double value;
    };
    std::string text;
    std::vector<Item> items;
  };
  /// The rules one series matches, with their per-entity state, resolved once from the three indexes (and the
  /// entity's tags) and kept until a rule changes, the series' type changes or (with tag rules) the entity cache
  /// expires: the per-reading cost is one lookup by series id plus the matching evaluators.
  struct Target {
    struct Hit {
      Compiled* compiled;
      State* state;
    };
    std::vector<Hit> hits;
    std::string entity, type, metric;
    int64_t builtMs = 0;
  };

  void evaluateLocked(const View& r);
  void applyLocked(const Compiled& c, std::string_view entity, State& st, const Verdict& v);
  Target& targetLocked(const View& r);
  void resolveLocked(Target& t, const View& r);
  void forgetTargetsLocked();
  void evaluateExpressionsLocked(const View& r);
  const EntityInfo& entityLocked(std::string_view id, std::string_view typeHint);
  State& stateLocked(Compiled& c, std::string_view entity, int64_t firstTimeMs);
  void indexLocked(Compiled& c);
  void unindexLocked(Compiled& c);
  void clearLocked(Compiled& c);
  /// key_ = a + '\x1f' + b, reusing its buffer (no allocation per reading once warm).
  const std::string& keyLocked(std::string_view a, std::string_view b);
  void emit(Change c);
  void evaluateBatch(const Batch& batch);
  void run();

  store::Store& store_;
  const Clock& clock_;
  Sink sink_;
  Options options_;

  std::atomic<size_t> enabledRules_{0};  // rules_.size(), readable without mu_
  mutable std::mutex mu_;  // rules, states, caches (the engine thread and API callers)
  std::map<std::string, Compiled> rules_;  // node addresses are stable: the indexes point into it
  Index byMetricEntity_;                   // metric \x1f entity -> rules
  Index byMetricType_;                     // metric \x1f type
  Index byMetricTag_;                      // metric \x1f tag
  Index byReference_;                      // entity \x1f metric -> expression rules
  std::string key_;
  std::unordered_map<uint32_t, Target> bySeries_;     // readings from the store
  std::unordered_map<std::string, Target> byName_;    // entity \x1f metric: readings without a series id
  std::unordered_map<std::string, EntityInfo> entities_;
  std::unordered_map<std::string, double> latest_;  // entity \x1f metric -> latest value (expressions)
  std::vector<Change> pending_;                      // decided under mu_, emitted after

  std::mutex queueMu_;
  std::condition_variable queueCv_;
  std::condition_variable drainedCv_;
  std::deque<Batch> queue_;
  size_t queued_ = 0;
  bool busy_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cityops::rules
