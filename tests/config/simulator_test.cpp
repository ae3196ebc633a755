// sim::Simulator: observations due per track, values inside [min, max], integer rounding, peak_hour placing the
// daily maximum at the right UTC hour, and determinism with the seed. Specs come from CityConfig::parse, so the
// city's time zone reaches the simulator the same way as in the server.
#include "common/Clock.hpp"
#include "config/CityConfig.hpp"
#include "sim/Simulator.hpp"
#include "store/SqliteStore.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <cmath>
#include <map>
#include <string>
#include <vector>

using cityops::ManualClock;
using cityops::config::CityConfig;
using cityops::model::Observation;
using cityops::sim::Simulator;
namespace store = cityops::store;
namespace model = cityops::model;

namespace {

constexpr int64_t kNow = 1764201600000;  // 2025-11-27T00:00:00Z, a UTC midnight
constexpr int64_t kMinute = 60000;
constexpr int64_t kDay = 1440 * kMinute;

/// A real store in a temporary directory, seeded with the config's entities; `ingested` is what it committed.
class TestStore final : public cityops::stream::ObservationSink {
 public:
  TestStore(const CityConfig& c, const cityops::Clock& clock) {
    dir_ = std::filesystem::temp_directory_path() /
           ("cityops-sim-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    store::SqliteStore::Options o;
    o.dataDir = dir_.string();
    auto opened = store::SqliteStore::open(o, clock, metrics_);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    store_->addSink(this);
    EXPECT_TRUE(store_->upsertEntities(c.entities).ok());
  }
  ~TestStore() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  store::Store& get() { return *store_; }
  void onObservations(std::span<const cityops::stream::ObservationEvent> events) override {
    for (const auto& e : events) ingested.push_back({*e.entity, *e.metric, e.time, e.value, e.quality});
  }

  std::vector<Observation> ingested;

 private:
  std::filesystem::path dir_;
  cityops::metrics::Registry metrics_;
  std::unique_ptr<store::SqliteStore> store_;
};

CityConfig config(const std::string& toml) {
  auto r = CityConfig::parse(toml, "sim.toml", kNow);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(*r) : CityConfig{};
}

// Two traffic cameras and a water-level station.
const std::string kEntities = R"(
[[entity]]
id = "cam.a"
type = "TrafficCamera"
[[entity]]
id = "cam.b"
type = "TrafficCamera"
[[entity]]
id = "wl.tamky"
type = "WaterLevelStation"
)";

std::vector<std::string> keys(const std::vector<Observation>& batch) {
  std::vector<std::string> out;
  for (const auto& o : batch) out.push_back(o.entity + "/" + o.metric);
  std::sort(out.begin(), out.end());
  return out;
}

/// The values of every tick over `minutes` minutes from kNow, one tick per minute (every_seconds = 60).
std::map<std::string, std::vector<double>> run(Simulator& sim, ManualClock& clock, int minutes) {
  std::map<std::string, std::vector<double>> values;
  for (int m = 0; m < minutes; ++m, clock.advance(kMinute))
    for (const auto& o : sim.tick(clock.nowMs())) {
      EXPECT_EQ(o.time, clock.nowMs());
      values[o.entity + "/" + o.metric].push_back(o.value);
    }
  return values;
}

TEST(Simulator, OneObservationPerTrackWhenDue) {
  auto c = config(kEntities + R"(
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 35
every_seconds = 60
[[simulate]]
entity = "wl.tamky"
metric = "water_level_m"
base = 0.6
every_seconds = 30
)");
  ManualClock clock(kNow);
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);

  const auto all = std::vector<std::string>{"cam.a/vehicle_count", "cam.b/vehicle_count", "wl.tamky/water_level_m"};
  EXPECT_EQ(keys(sim.tick(clock.nowMs())), all);  // every track is due at the first tick
  EXPECT_TRUE(sim.tick(clock.nowMs()).empty());   // nothing twice at the same instant
  clock.advance(29999);
  EXPECT_TRUE(sim.tick(clock.nowMs()).empty());  // before every_seconds elapsed
  clock.advance(1);                              // +30 s
  EXPECT_EQ(keys(sim.tick(clock.nowMs())), std::vector<std::string>{"wl.tamky/water_level_m"});
  clock.advance(29999);
  EXPECT_TRUE(sim.tick(clock.nowMs()).empty());
  clock.advance(1);  // +60 s
  const auto batch = sim.tick(clock.nowMs());
  EXPECT_EQ(keys(batch), all);
  for (const auto& o : batch) {
    EXPECT_EQ(o.time, kNow + 60000);
    EXPECT_EQ(o.quality, model::Quality::Good);
  }
  EXPECT_TRUE(st.ingested.empty());  // tick() only produces; start() ingests
}

TEST(Simulator, ValuesStayWithinMinMax) {
  // The sine alone swings from -20 to 80 and the walk is large: the clamp must hold on both sides.
  auto c = config(kEntities + R"(
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 30
amplitude = 50
noise = 5
min = 0
max = 60
every_seconds = 60
)");
  ManualClock clock(kNow);
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  const auto values = run(sim, clock, 2 * 1440);
  ASSERT_EQ(values.size(), 2u);
  for (const auto& [key, vs] : values) {
    SCOPED_TRACE(key);
    ASSERT_EQ(vs.size(), 2u * 1440);
    EXPECT_EQ(*std::min_element(vs.begin(), vs.end()), 0);
    EXPECT_EQ(*std::max_element(vs.begin(), vs.end()), 60);
    for (double v : vs) {
      ASSERT_GE(v, 0);
      ASSERT_LE(v, 60);
    }
  }
}

TEST(Simulator, IntegerRoundsToWholeNumbersInsideMinMax) {
  const std::string spec = R"(
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 5.5
amplitude = 6
noise = 0.7
min = 0.5
max = 10.5
every_seconds = 60
)";
  {
    auto c = config(kEntities + spec + "integer = true\n");
    ManualClock clock(kNow);
    TestStore st(c, clock);
    Simulator sim(st.get(), clock, c.simulations, c.entities);
    for (const auto& [key, vs] : run(sim, clock, 1440)) {
      SCOPED_TRACE(key);
      for (double v : vs) {
        ASSERT_EQ(v, std::round(v));
        ASSERT_GE(v, 1);  // the whole numbers inside [0.5, 10.5]
        ASSERT_LE(v, 10);
      }
      EXPECT_EQ(*std::min_element(vs.begin(), vs.end()), 1);
      EXPECT_EQ(*std::max_element(vs.begin(), vs.end()), 10);
    }
  }
  {  // without integer = true the same spec gives fractional values
    auto c = config(kEntities + spec);
    ManualClock clock(kNow);
    TestStore st(c, clock);
    Simulator sim(st.get(), clock, c.simulations, c.entities);
    const auto values = run(sim, clock, 1440);
    const auto& vs = values.at("cam.a/vehicle_count");
    EXPECT_TRUE(std::any_of(vs.begin(), vs.end(), [](double v) { return v != std::round(v); }));
  }
}

/// The minute of the UTC day (0..1439) at which the noise-free curve of `toml`'s first entity peaks, plus its
/// lowest minute; checks that every entity of the type follows the same curve.
std::pair<int, int> peakAndTroughMinute(const std::string& toml) {
  auto c = config(toml);
  ManualClock clock(kNow);
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  const auto values = run(sim, clock, 1440);
  const auto& vs = values.at("cam.a/vehicle_count");
  EXPECT_EQ(vs, values.at("cam.b/vehicle_count")) << "with peak_hour the phase is not per entity";
  const auto peak = static_cast<int>(std::max_element(vs.begin(), vs.end()) - vs.begin());
  const auto trough = static_cast<int>(std::min_element(vs.begin(), vs.end()) - vs.begin());
  EXPECT_DOUBLE_EQ(vs[peak], 3000);   // base + amplitude
  EXPECT_DOUBLE_EQ(vs[trough], 1000);  // base - amplitude
  return {peak, trough};
}

// A large amplitude so that neighbouring minutes differ even after rounding to 3 decimals.
const std::string kDaily = R"(
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 2000
amplitude = 1000
noise = 0
every_seconds = 60
)";

TEST(Simulator, PeakHourInTheCitysTimeZone) {
  // Tam Kỳ is UTC+7: a 17:00 local peak is at 10:00 UTC, and the low twelve hours later at 22:00 UTC.
  const auto [peak, trough] =
      peakAndTroughMinute("[city]\ntimezone = \"Asia/Ho_Chi_Minh\"\n" + kEntities + kDaily + "peak_hour = 17\n");
  EXPECT_EQ(peak, 10 * 60);
  EXPECT_EQ(trough, 22 * 60);
}

TEST(Simulator, PeakHourWrapsAcrossMidnightUtc) {
  // 03:00 in UTC+7 is 20:00 UTC the day before.
  EXPECT_EQ(peakAndTroughMinute("[city]\ntimezone = \"Asia/Ho_Chi_Minh\"\n" + kEntities + kDaily + "peak_hour = 3\n")
                .first,
            20 * 60);
}

TEST(Simulator, PeakHourWithoutTimezoneIsUtc) {
  EXPECT_EQ(peakAndTroughMinute(kEntities + kDaily + "peak_hour = 7\n").first, 7 * 60);
  // A zone whose offset is not in the built-in table falls back to UTC as well.
  EXPECT_EQ(peakAndTroughMinute("[city]\ntimezone = \"Europe/Paris\"\n" + kEntities + kDaily + "peak_hour = 7\n").first,
            7 * 60);
}

TEST(Simulator, PeakHourHoldsOnLaterDays) {
  auto c = config("[city]\ntimezone = \"Asia/Ho_Chi_Minh\"\n" + kEntities + kDaily + "peak_hour = 14\n");
  ManualClock clock(kNow + 400 * kDay);  // more than a year later
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  const auto values = run(sim, clock, 1440);
  const auto& vs = values.at("cam.a/vehicle_count");
  EXPECT_EQ(std::max_element(vs.begin(), vs.end()) - vs.begin(), 7 * 60);  // 14:00 at UTC+7
}

TEST(Simulator, WithoutPeakHourEntitiesHaveTheirOwnPhase) {
  auto c = config(kEntities + kDaily);
  ManualClock clock(kNow);
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  const auto values = run(sim, clock, 60);
  EXPECT_NE(values.at("cam.a/vehicle_count"), values.at("cam.b/vehicle_count"));
}

const std::string kNoisy = kEntities + R"(
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 35
amplitude = 22
noise = 1
min = 0
max = 150
every_seconds = 60
[[simulate]]
entity = "wl.tamky"
metric = "water_level_m"
base = 0.6
amplitude = 0.3
period_minutes = 745.2
noise = 0.005
min = 0
max = 1.3
every_seconds = 30
)";

std::vector<Observation> ticks(uint64_t seed) {
  auto c = config(kNoisy);
  ManualClock clock(kNow);
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities, seed);
  std::vector<Observation> all;
  for (int s = 0; s < 3600; s += 10, clock.advance(10000))
    for (auto& o : sim.tick(clock.nowMs())) all.push_back(std::move(o));
  return all;
}

bool same(const std::vector<Observation>& a, const std::vector<Observation>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].entity != b[i].entity || a[i].metric != b[i].metric || a[i].time != b[i].time ||
        a[i].value != b[i].value)
      return false;
  return true;
}

TEST(Simulator, DeterministicWithTheSeed) {
  const auto a = ticks(42), b = ticks(42), other = ticks(43);
  ASSERT_EQ(a.size(), 2u * 60 + 120);  // two cameras every minute, the station every 30 s, for an hour
  EXPECT_TRUE(same(a, b));
  EXPECT_FALSE(same(a, other));
}

TEST(Simulator, BackfillWritesHistoryForSeriesWithoutData) {
  auto c = config(kNoisy);
  ManualClock clock(kNow + 90 * 1000);  // not on a 5-minute boundary
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  ASSERT_TRUE(sim.backfill(2).ok());
  ASSERT_EQ(st.ingested.size(), 3u * 25);  // 3 series x (kNow - 2 h .. kNow, every 5 minutes)
  for (const auto& o : st.ingested) {
    EXPECT_GE(o.time, kNow - 2 * 3600000);
    EXPECT_LT(o.time, clock.nowMs());
    EXPECT_EQ(o.time % (5 * kMinute), 0);
  }
}

}  // namespace
