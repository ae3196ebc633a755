#include "app/ReplayCommand.hpp"

#include "common/Csv.hpp"
#include "flood/ForecastWarner.hpp"
#include "flood/QualityControl.hpp"
#include "flood/StationRules.hpp"

#include "alerts/AlertJson.hpp"
#include "alerts/AlertManager.hpp"
#include "common/Clock.hpp"
#include "common/JsonText.hpp"
#include "common/Time.hpp"
#include "config/CityConfig.hpp"
#include "model/Names.hpp"
#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"
#include "store/SqliteStore.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace cityops::app {

namespace {

using SteadyClock = std::chrono::steady_clock;

// ---- CSV ------------------------------------------------------------------------------------------------------

using csv::trim;
using Columns = csv::ObservationColumns;

std::string shown(std::string_view s) {
  if (s.size() <= 64) return std::string(s);
  return std::string(s.substr(0, 61)) + "...";
}

/// One data line into an observation (entity existence is checked by the caller). Returns a problem or "".
std::string parseReading(const std::vector<std::string>& f, const Columns& c, int64_t maxTimeMs,
                         model::Observation& ob) {
  if (f.size() != c.count)
    return "expected " + std::to_string(c.count) + " fields, found " + std::to_string(f.size());
  const auto at = [&f](int col) -> const std::string& { return f[static_cast<size_t>(col)]; };
  auto t = parseTime(at(c.time));
  if (!t) return t.error().message;
  if (*t < 0) return "time '" + shown(at(c.time)) + "' is before 1970";
  if (*t > maxTimeMs) return "time '" + shown(at(c.time)) + "' is more than one day in the future";
  if (!model::isValidEntityId(at(c.entity)))
    return "entity '" + shown(at(c.entity)) + "' is not a valid entity id ([A-Za-z0-9._:-], 1 to 128 characters)";
  if (!model::isValidMetric(at(c.metric)))
    return "metric '" + shown(at(c.metric)) + "' is not a valid metric name ([a-z0-9_], 1 to 64 characters)";
  const std::string& v = at(c.value);
  double value = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(value))
    return "value '" + shown(v) + "' is not a finite number";
  model::Quality q = model::Quality::Good;
  if (c.quality >= 0 && !at(c.quality).empty() && !model::parseQuality(at(c.quality), q))
    return "quality '" + shown(at(c.quality)) + "' is not good, suspect or bad";
  ob.entity = at(c.entity);
  ob.metric = at(c.metric);
  ob.time = *t;
  ob.value = value;
  ob.quality = q;
  return {};
}

// ---- output ---------------------------------------------------------------------------------------------------

std::string number(double v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

/// A progress bar on stderr, redrawn at most ten times a second; nothing when stderr is not a terminal.
class Progress {
 public:
  Progress(uintmax_t totalBytes, bool enabled) : total_(totalBytes), enabled_(enabled) {}

  void update(uintmax_t bytes, size_t readings, std::optional<int64_t> dataTime, size_t alerts) {
    if (!enabled_) return;
    const auto now = SteadyClock::now();
    if (drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    drawn_ = true;
    const double fraction = total_ ? std::min(1.0, static_cast<double>(bytes) / static_cast<double>(total_)) : 1.0;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '-');
    char line[256];
    std::snprintf(line, sizeof line, "\r[%s] %3d%%  %zu readings  data time %s  %zu alerts changed ", bar.c_str(),
                  static_cast<int>(fraction * 100), readings, dataTime ? formatTime(*dataTime).c_str() : "-", alerts);
    std::cerr << line << std::flush;
  }

  void finish() {
    if (!enabled_ || !drawn_) return;
    std::cerr << "\r" << std::string(120, ' ') << "\r" << std::flush;
    drawn_ = false;
  }

 private:
  uintmax_t total_;
  bool enabled_;
  bool drawn_ = false;
  SteadyClock::time_point last_{};
};

void printTable(std::ostream& out, const std::vector<alerts::Alert>& list, const std::set<int64_t>& duringReplay) {
  struct Row {
    int64_t at, historyId;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  for (const auto& a : list) {
    for (const auto& h : a.history) {
      if (!duringReplay.count(h.id)) continue;
      rows.push_back({h.atMs, h.id,
                      {formatTime(h.atMs), std::to_string(a.id), a.rule, a.entity, h.action,
                       std::string(rules::severityName(h.severity)), h.value ? number(*h.value) : "-"}});
    }
  }
  // A timeline: by data time, then in the order the transitions were recorded.
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& x, const Row& y) { return std::tie(x.at, x.historyId) < std::tie(y.at, y.historyId); });
  const std::vector<std::string> head = {"time", "alert", "rule", "entity", "transition", "severity", "value"};
  std::vector<size_t> width(head.size());
  for (size_t i = 0; i < head.size(); ++i) width[i] = head[i].size();
  for (const auto& r : rows)
    for (size_t i = 0; i < r.cells.size(); ++i) width[i] = std::max(width[i], r.cells[i].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (size_t i = 0; i < cells.size(); ++i) {
      const bool right = i == 1 || i == 6;  // numbers
      const std::string pad(width[i] - cells[i].size(), ' ');
      s += right ? pad + cells[i] : cells[i] + (i + 1 < cells.size() ? pad : "");
      if (i + 1 < cells.size()) s += "  ";
    }
    out << s << "\n";
  };
  line(head);
  for (const auto& r : rows) line(r.cells);
}

// ---- the replay -----------------------------------------------------------------------------------------------

int64_t floorSecond(int64_t ms) { return (ms >= 0 ? ms : ms - 999) / 1000 * 1000; }

class Replay {
 public:
  Replay(const ReplayArgs& args, store::Store& store, ManualClock& clock, rules::RuleEngine& engine,
         flood::QualityControl& qc, const flood::ForecastWarner* warner, int64_t forecastEveryMs)
      : args_(args), store_(store), clock_(clock), engine_(engine), qc_(qc), warner_(warner),
        forecastEveryMs_(forecastEveryMs) {}

  struct Pending {
    size_t line;
    model::Observation ob;
    std::string type;
  };

  /// Commits the batch, then evaluates it reading by reading in data time. Returns an exit code (0: fine).
  int process(std::vector<Pending>& batch) {
    if (batch.empty()) return 0;
    advanceClock(batch.front().ob.time);
    // Quality control as on every ingest path (serve sets it on the store); here its flags must also reach the
    // readings evaluated below, so it runs on the batch first.
    {
      std::vector<model::Observation> checked;
      checked.reserve(batch.size());
      for (const auto& p : batch) checked.push_back(p.ob);
      qc_.inspect(checked, [this](std::string_view id) -> std::shared_ptr<const model::Entity> {
        auto e = store_.getEntity(std::string(id));
        return e ? std::make_shared<const model::Entity>(std::move(*e)) : nullptr;
      });
      for (size_t i = 0; i < batch.size(); ++i) batch[i].ob.quality = checked[i].quality;
    }
    std::vector<model::Observation> obs;
    obs.reserve(batch.size());
    for (const auto& p : batch) obs.push_back(p.ob);
    auto ingested = store_.ingestSync(std::move(obs));
    if (!ingested) {
      const auto& e = ingested.error();
      std::cerr << args_.file << ":" << lineOf(batch, e.message) << ": " << e.message << "\n";
      batch.clear();
      return e.code == "bad_request" || e.code == "unknown_entity" ? 2 : 1;
    }
    std::vector<rules::Reading> run;
    for (const auto& p : batch) {
      const int64_t t = p.ob.time;
      // Forecasts in data time, as the server issues them every forecast_every: each sees the data up to its time.
      if (warner_ && !nextForecast_) nextForecast_ = t + forecastEveryMs_;
      while (warner_ && *nextForecast_ <= t) {
        if (!run.empty()) {
          engine_.evaluate(run);
          run.clear();
        }
        advanceClock(*nextForecast_);
        if (auto issued = warner_->forecastsAt(*nextForecast_); issued && !issued->empty()) {
          std::vector<rules::Reading> forecasts;
          for (const auto& f : *issued)
            forecasts.push_back(rules::Reading{f.entity, "WaterLevelStation", f.metric, f.time, f.value, f.quality});
          if (store_.ingestSync(std::move(*issued))) engine_.evaluate(forecasts);
        }
        *nextForecast_ += forecastEveryMs_;
      }
      // Ticks at each whole second of data time passed since the last tick, before the reading at or after it.
      const int64_t second = floorSecond(t);
      if (!lastTick_ || *lastTick_ < second) {
        if (!run.empty()) {
          engine_.evaluate(run);
          run.clear();
        }
        if (!lastTick_) lastTick_ = second - 1000;
        while (*lastTick_ < second) {
          *lastTick_ += 1000;
          advanceClock(*lastTick_);
          engine_.tick(*lastTick_);
        }
      }
      advanceClock(t);
      run.push_back(rules::Reading{p.ob.entity, p.type, p.ob.metric, t, p.ob.value, p.ob.quality});
      first_ = first_ ? std::min(*first_, t) : t;
      last_ = last_ ? std::max(*last_, t) : t;
    }
    if (!run.empty()) engine_.evaluate(run);
    ingestedCount_ += batch.size();
    batch.clear();
    return 0;
  }

  size_t ingested() const { return ingestedCount_; }
  std::optional<int64_t> first() const { return first_; }
  std::optional<int64_t> last() const { return last_; }

 private:
  void advanceClock(int64_t t) {
    if (t > clock_.nowMs()) clock_.set(t);
  }

  /// "item N: ..." from the store names a position in the batch: its line; else the batch's line range.
  static std::string lineOf(const std::vector<Pending>& batch, const std::string& message) {
    size_t item = 0;
    if (message.rfind("item ", 0) == 0) {
      const char* b = message.data() + 5;
      const auto [end, ec] = std::from_chars(b, message.data() + message.size(), item);
      if (ec == std::errc() && end != b && item < batch.size()) return std::to_string(batch[item].line);
    }
    return std::to_string(batch.front().line) + "-" + std::to_string(batch.back().line);
  }

  const ReplayArgs& args_;
  store::Store& store_;
  ManualClock& clock_;
  rules::RuleEngine& engine_;
  flood::QualityControl& qc_;
  const flood::ForecastWarner* warner_;
  const int64_t forecastEveryMs_;
  std::optional<int64_t> nextForecast_;
  std::optional<int64_t> lastTick_;
  std::optional<int64_t> first_, last_;
  size_t ingestedCount_ = 0;
};

std::string readingsText(size_t n) { return std::to_string(n) + (n == 1 ? " reading" : " readings"); }

}  // namespace

int runReplay(const ReplayArgs& args) {
  // Logs go to stderr (stdout carries the result, e.g. the JSON), warnings and errors only.
  auto logger = spdlog::stderr_color_mt("cityops-replay");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);

  if (args.dataDir.empty()) {
    std::cerr << "--data is required: the data directory to replay into (stop its server first)\n";
    return 2;
  }
  if (args.speed < 0 || !std::isfinite(args.speed)) {
    std::cerr << "--speed must be a positive number (seconds of data per second)\n";
    return 2;
  }
  SystemClock wall;
  config::CityConfig cfg;
  if (!args.configFile.empty()) {
    auto loaded = config::CityConfig::load(args.configFile, wall.nowMs());
    if (!loaded) {
      std::cerr << loaded.error().message << "\n";
      return 2;
    }
    cfg = std::move(*loaded);
  }

  std::ifstream csv(args.file, std::ios::binary);
  if (!csv) {
    std::cerr << "cannot read " << args.file << "\n";
    return 2;
  }
  std::error_code sizeError;
  const uintmax_t totalBytes = std::filesystem::file_size(args.file, sizeError);

  // The header (before the database is touched: a wrong file changes nothing).
  std::string text;
  std::vector<std::string> fields;
  Columns columns;
  size_t lineNo = 0;
  uintmax_t bytesRead = 0;
  bool haveHeader = false;
  while (std::getline(csv, text)) {
    ++lineNo;
    bytesRead += text.size() + 1;
    if (lineNo == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // UTF-8 byte order mark
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (trim(text).empty()) continue;
    std::string problem = csv::splitLine(text, fields);
    if (problem.empty()) problem = csv::parseObservationHeader(fields, columns);
    if (!problem.empty()) {
      std::cerr << args.file << ":" << lineNo << ": " << problem << "\n";
      std::cerr << "nothing was replayed\n";
      return 2;
    }
    haveHeader = true;
    break;
  }
  if (!haveHeader) {
    std::cerr << args.file << ": no header line (expected time,entity,metric,value[,quality])\n";
    return 2;
  }

  // The store, rules and alerts, wired as in `cityops serve`, on a clock that follows the data.
  ManualClock clock(0);  // set to the first reading's time before anything is ingested
  metrics::Registry registry;
  store::SqliteStore::Options storeOptions;
  storeOptions.dataDir = args.dataDir;
  auto opened = store::SqliteStore::open(storeOptions, clock, registry);
  if (!opened) {
    std::cerr << "cannot open the store in " << args.dataDir << ": " << opened.error().message << "\n";
    return 1;
  }
  auto store = std::move(*opened);
  if (!cfg.entities.empty()) {
    auto seeded = store->upsertEntities(cfg.entities);
    if (!seeded) {
      std::cerr << "cannot seed the entities of " << args.configFile << ": " << seeded.error().message << "\n";
      return 1;
    }
  }
  const std::string dbPath = (std::filesystem::path(args.dataDir) / "cityops.db").string();
  auto rulesDb = store::SqliteDb::open(dbPath, false, false);
  auto alertsDb = store::SqliteDb::open(dbPath, false, false);
  if (!rulesDb || !alertsDb) {
    std::cerr << "cannot open the rule and alert tables in " << dbPath << "\n";
    return 1;
  }
  if (auto s = rules::RuleStore::migrate(**rulesDb); !s) {
    std::cerr << "cannot prepare the rule table: " << s.error().message << "\n";
    return 1;
  }
  if (auto s = alerts::AlertManager::migrate(**alertsDb); !s) {
    std::cerr << "cannot prepare the alert tables: " << s.error().message << "\n";
    return 1;
  }
  rules::RuleStore ruleStore(**rulesDb);
  // As `cityops serve` does at start: the configuration's rules are written to the store (the file wins over API
  // edits of the same id); rules created through the API apply as well.
  for (const auto& declared : cfg.rules) {
    if (auto saved = ruleStore.put(declared, wall.nowMs()); !saved) {
      std::cerr << "cannot store rule " << declared.id << " from " << args.configFile << ": " << saved.error().message
                << "\n";
      return 1;
    }
  }
  auto alertManager = alerts::AlertManager::open(**alertsDb, clock);
  if (!alertManager) {
    std::cerr << "cannot load the open alerts: " << alertManager.error().message << "\n";
    return 1;
  }
  // What the replay touched: alerts in the order of their first transition, and the transitions themselves.
  // (Delivered on this thread: apply() runs here, and nothing else applies concurrently.)
  std::vector<int64_t> touched;
  std::set<int64_t> touchedSet, transitions;
  (*alertManager)->addListener([&](const alerts::Alert& a, const alerts::HistoryEntry& t) {
    if (touchedSet.insert(a.id).second) touched.push_back(a.id);
    transitions.insert(t.id);
  });
  rules::RuleEngine engine(*store, clock, [&am = **alertManager](const rules::Change& c) {
    auto r = am.apply(alerts::Condition{c.rule, c.entity, c.metric, c.severity, c.value, c.timeMs, c.message});
    if (!r) spdlog::error("alerts: cannot apply {} on {}: {}", c.rule, c.entity, r.error().message);
  });
  {
    auto stored = ruleStore.list();
    if (!stored) {
      std::cerr << "cannot load the rules: " << stored.error().message << "\n";
      return 1;
    }
    for (const auto& r : *stored) engine.upsert(r);
    for (const auto& a : (*alertManager)->openAlerts()) engine.resume(a.rule, a.entity, a.severity, a.value, a.updatedMs);
  }
  // The flood module's rules for the stations (alarm levels, forecasts, rate of rise), as `cityops serve` keeps them.
  flood::StationRules stationRules(*store, ruleStore, engine, clock, cfg.flood.stationRules);
  if (auto r = stationRules.reconcile(); !r) {
    std::cerr << "cannot set up the station rules: " << r.error().message << "\n";
    return 1;
  }
  if (engine.ruleCount() == 0) std::cerr << "note: no rules in " << dbPath << ": readings are stored, no alert can fire\n";
  flood::QualityControl qualityControl(cfg.flood.qc);
  flood::ForecastWarner forecastWarner(*store, clock, {cfg.flood.forecastEveryMs, cfg.flood.forecastHorizonMs});
  const bool forecasts = cfg.flood.stationRules.forecastWarnings && !args.configFile.empty();

  // The lines.
  const auto started = SteadyClock::now();
  const bool paced = args.speed > 0;
  const size_t batchLines = paced ? 1 : std::max<size_t>(args.batchLines, 1);
  const int64_t maxTimeMs = wall.nowMs() + 86400000;  // as the HTTP ingest: at most one day ahead
  Progress progress(totalBytes, ::isatty(STDERR_FILENO) == 1);
  Replay replay(args, *store, clock, engine, qualityControl, forecasts ? &forecastWarner : nullptr,
                cfg.flood.forecastEveryMs);
  std::unordered_map<std::string, std::string> entityTypes;  // entities known to exist -> type
  std::vector<Replay::Pending> batch;
  std::optional<int64_t> pacedFrom;  // data time of the first reading, with --speed
  int exitCode = 0;
  std::string badLine;  // "FILE:LINE: problem"
  size_t badLineNo = 0;

  while (std::getline(csv, text)) {
    ++lineNo;
    bytesRead += text.size() + 1;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (trim(text).empty()) continue;
    model::Observation ob;
    std::string problem = csv::splitLine(text, fields);
    if (problem.empty()) problem = parseReading(fields, columns, maxTimeMs, ob);
    std::string type;
    if (problem.empty()) {
      if (auto it = entityTypes.find(ob.entity); it != entityTypes.end()) {
        type = it->second;
      } else if (auto e = store->getEntity(ob.entity)) {
        type = e->type;
        entityTypes.emplace(ob.entity, type);
      } else if (e.error().code == "not_found") {
        problem = "no entity '" + ob.entity + "' in " + args.dataDir +
                  " (create it through the API, or declare it in the --config file)";
      } else {
        problem = "cannot read entity '" + ob.entity + "': " + e.error().message;
      }
    }
    if (!problem.empty()) {
      badLine = args.file + ":" + std::to_string(lineNo) + ": " + problem;
      badLineNo = lineNo;
      break;
    }
    if (paced) {
      if (!pacedFrom) pacedFrom = ob.time;
      const auto due = started + std::chrono::duration_cast<SteadyClock::duration>(
                                     std::chrono::duration<double, std::milli>(
                                         static_cast<double>(ob.time - *pacedFrom) / args.speed));
      if (due > SteadyClock::now()) {
        progress.update(bytesRead, replay.ingested(), replay.last(), touched.size());
        std::this_thread::sleep_until(due);
      }
    }
    batch.push_back({lineNo, std::move(ob), std::move(type)});
    if (batch.size() >= batchLines) {
      if ((exitCode = replay.process(batch)) != 0) break;
      progress.update(bytesRead, replay.ingested(), replay.last(), touched.size());
    }
  }
  // What was read before the end (or before the bad line) is ingested and evaluated.
  if (exitCode == 0) exitCode = replay.process(batch);
  progress.finish();
  store->close();

  if (!badLine.empty() || exitCode != 0) {
    if (!badLine.empty()) std::cerr << badLine << "\n";
    const size_t n = replay.ingested();
    std::cerr << "replay stopped" << (badLineNo ? " at line " + std::to_string(badLineNo) : std::string()) << ": "
              << readingsText(n) << (badLineNo ? " before it " : " before the error ") << (n == 1 ? "was" : "were")
              << " ingested and evaluated (" << touched.size() << (touched.size() == 1 ? " alert" : " alerts")
              << " raised or changed), nothing after\n";
    return exitCode != 0 ? exitCode : 2;
  }

  std::vector<alerts::Alert> changed;
  for (int64_t id : touched) {
    auto a = (*alertManager)->get(id);
    if (!a) {
      std::cerr << "cannot read alert " << id << ": " << a.error().message << "\n";
      return 1;
    }
    changed.push_back(std::move(*a));
  }
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - started).count();
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f s", seconds);
  std::cerr << "replayed " << readingsText(replay.ingested()) << " from " << args.file;
  if (replay.first()) std::cerr << " (" << formatTime(*replay.first()) << " .. " << formatTime(*replay.last()) << ")";
  std::cerr << " in " << elapsed << ": " << changed.size() << (changed.size() == 1 ? " alert" : " alerts")
            << " raised or changed\n";

  if (args.json) {
    boost::json::array list;
    list.reserve(changed.size());
    for (const auto& a : changed) list.emplace_back(alerts::alertJson(a, true));
    std::cout << toJsonText(boost::json::object{{"alerts", std::move(list)}}) << "\n" << std::flush;
  } else if (!changed.empty()) {
    printTable(std::cout, changed, transitions);
    std::cout << std::flush;
  }
  return 0;
}

}  // namespace cityops::app
