// sim::Simulator: observations due per track, values inside [min, max], integer rounding, peak_hour placing the
// daily maximum at the right UTC hour, determinism with the seed, an entity's spec taking precedence over its type's,
// episodes, and the Tam Kỳ air-quality demo reaching the VN_AQI categories its comments promise. Specs come from CityConfig::parse, so the
// city's time zone reaches the simulator the same way as in the server.
#include "ParseHelpers.hpp"
#include "common/Clock.hpp"
#include "config/CityConfig.hpp"
#include "environment/VnAqi.hpp"
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

// --- Precedence: an entity's own spec over a type-wide one -------------------------------------------------------

TEST(Simulator, EntitySpecTakesPrecedenceOverTheTypeSpec) {
  // cam.b has its own vehicle_count spec: the type-wide one drives cam.a only, so cam.b's series has one curve.
  auto c = config(kEntities + R"(
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 35
every_seconds = 60
[[simulate]]
entity = "cam.b"
metric = "vehicle_count"
base = 100
every_seconds = 60
[[simulate]]
type = "TrafficCamera"
metric = "avg_speed_kmh"
base = 30
every_seconds = 60
)");
  ASSERT_EQ(c.simulations.size(), 3u);
  ManualClock clock(kNow);
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  const auto first = sim.tick(clock.nowMs());
  // One observation per series: cam.a and cam.b each once per metric, not cam.b twice.
  EXPECT_EQ(keys(first), (std::vector<std::string>{"cam.a/avg_speed_kmh", "cam.a/vehicle_count", "cam.b/avg_speed_kmh",
                                                   "cam.b/vehicle_count"}));
  const auto values = run(sim, clock, 120);
  for (double v : values.at("cam.a/vehicle_count")) ASSERT_EQ(v, 35);
  for (double v : values.at("cam.b/vehicle_count")) ASSERT_EQ(v, 100);
  // The type-wide spec of the other metric still drives cam.b.
  for (double v : values.at("cam.b/avg_speed_kmh")) ASSERT_EQ(v, 30);
  // The order of the entries does not matter.
  auto reversed = config(kEntities + R"(
[[simulate]]
entity = "cam.b"
metric = "vehicle_count"
base = 100
every_seconds = 60
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 35
every_seconds = 60
)");
  ManualClock clock2(kNow);
  TestStore st2(reversed, clock2);
  Simulator sim2(st2.get(), clock2, reversed.simulations, reversed.entities);
  const auto batch = sim2.tick(clock2.nowMs());
  ASSERT_EQ(keys(batch), (std::vector<std::string>{"cam.a/vehicle_count", "cam.b/vehicle_count"}));
  for (const auto& o : batch) EXPECT_EQ(o.value, o.entity == "cam.b" ? 100 : 35) << o.entity;
}

TEST(Simulator, TwoSpecsForTheSameSeriesAreRefused) {
  using cityops::config::testing::err;
  const std::string camSpec = "[[simulate]]\ntype = \"TrafficCamera\"\nmetric = \"vehicle_count\"\n";
  EXPECT_EQ(err(kEntities + camSpec + "base = 1\n" + camSpec + "base = 2\n"),
            "city.toml: simulate[1]: metric 'vehicle_count' of type 'TrafficCamera' is already driven by simulate[0]");
  const std::string wlSpec = "[[simulate]]\nentity = \"wl.tamky\"\nmetric = \"water_level_m\"\n";
  EXPECT_EQ(err(kEntities + camSpec + wlSpec + wlSpec),
            "city.toml: simulate[2]: metric 'water_level_m' of entity 'wl.tamky' is already driven by simulate[1]");
  // Another metric, or an entity spec beside a type spec, is fine.
  cityops::config::testing::ok(kEntities + camSpec + "[[simulate]]\ntype = \"TrafficCamera\"\nmetric = \"speed\"\n" +
                               "[[simulate]]\nentity = \"cam.a\"\nmetric = \"vehicle_count\"\n");
}

// --- Episodes ----------------------------------------------------------------------------------------------------

// Flat 10 plus a 6-hour bump of +20 starting at 02:00 local every day: in UTC+7 that is 19:00 to 01:00 UTC, the
// middle (05:00 local, 22:00 UTC) at base + 20.
const std::string kEpisode = R"(
[[simulate]]
type = "TrafficCamera"
metric = "vehicle_count"
base = 10
every_seconds = 60
episode_every_hours = 24
episode_hours = 6
episode_add = 20
episode_offset_hours = 2
)";

TEST(Simulator, EpisodeIsASmoothBumpAtTheLocalHour) {
  auto c = config("[city]\ntimezone = \"Asia/Ho_Chi_Minh\"\n" + kEntities + kEpisode);
  ASSERT_EQ(c.simulations.size(), 1u);
  EXPECT_EQ(c.simulations[0].episodeEveryHours, 24);
  EXPECT_EQ(c.simulations[0].episodeHours, 6);
  EXPECT_EQ(c.simulations[0].episodeAdd, 20);
  EXPECT_EQ(c.simulations[0].episodeOffsetHours, 2);
  ManualClock clock(kNow);  // 00:00 UTC = 07:00 local
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  const auto values = run(sim, clock, 1440);
  const auto& vs = values.at("cam.a/vehicle_count");
  ASSERT_EQ(vs.size(), 1440u);
  EXPECT_EQ(vs, values.at("cam.b/vehicle_count")) << "episodes are at the same time for every entity";
  // The run covers 07:00 to 07:00 local: the last hour of one episode (minutes 0-59, 00:00-01:00 UTC) and the first
  // five of the next (from minute 1140, 19:00 UTC).
  const int start = 19 * 60;  // 02:00 local
  for (int m = 0; m < 1440; ++m) {
    SCOPED_TRACE("minute " + std::to_string(m));
    const int into = (m - start + 1440) % 1440;  // minutes since the latest episode start
    if (into == 0 || into >= 360) {
      ASSERT_EQ(vs[m], 10);  // outside the episode (and exactly 10 at its start: sin 0)
    } else {
      // 10 + 20·sin(π x), x = minutes into the episode / 360, rounded to 3 decimals as the simulator does
      const double expected = std::round((10 + 20 * std::sin(M_PI * into / 360.0)) * 1000) / 1000;
      ASSERT_NEAR(vs[m], expected, 1e-9);
      ASSERT_GT(vs[m], 10);
    }
  }
  EXPECT_EQ(vs[59], std::round((10 + 20 * std::sin(M_PI * 359 / 360.0)) * 1000) / 1000);  // the episode's last minute
  EXPECT_EQ(vs[60], 10);                                                                  // 08:00 local: over
  EXPECT_EQ(vs[start + 180], 30);                      // the middle, 05:00 local: base + add
  EXPECT_NEAR(vs[start + 60], 10 + 20 * 0.5, 1e-9);    // one hour in: sin(π/6) = 1/2
  EXPECT_EQ(std::max_element(vs.begin(), vs.end()) - vs.begin(), start + 180);
  EXPECT_EQ(std::count_if(vs.begin(), vs.end(), [](double v) { return v > 10; }), 359);  // 60 + 299 minutes
  // The same instant directly.
  EXPECT_NEAR(Simulator::episodeAt(c.simulations[0], kNow + (start + 180) * kMinute), 20, 1e-12);
  EXPECT_EQ(Simulator::episodeAt(c.simulations[0], kNow + start * kMinute), 0);
}

TEST(Simulator, EpisodesRepeatEveryEpisodeEveryHours) {
  // Every 72 h, 10 h long, from 18:00 local (11:00 UTC): over nine days there are exactly three episodes, 72 h apart,
  // each with 599 minutes above the base (x = 0 itself adds nothing).
  auto c = config("[city]\ntimezone = \"Asia/Ho_Chi_Minh\"\n" + kEntities + R"(
[[simulate]]
entity = "wl.tamky"
metric = "water_level_m"
base = 1
every_seconds = 60
min = 0
max = 1.5
episode_every_hours = 72
episode_hours = 10
episode_add = 0.9
episode_offset_hours = 18
)");
  ManualClock clock(kNow);
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  const auto values = run(sim, clock, 9 * 1440);
  const auto& vs = values.at("wl.tamky/water_level_m");
  std::vector<int> starts;
  int above = 0;
  for (size_t m = 0; m < vs.size(); ++m) {
    if (vs[m] > 1) {
      ++above;
      if (m == 0 || vs[m - 1] <= 1) starts.push_back(static_cast<int>(m));
    }
    ASSERT_LE(vs[m], 1.5);  // the clamp applies after the bump
  }
  EXPECT_EQ(above, 3 * 599);
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(starts[1] - starts[0], 72 * 60);
  EXPECT_EQ(starts[2] - starts[1], 72 * 60);
  for (int s : starts) EXPECT_EQ((s - 1 + 7 * 60) % 1440, 18 * 60) << "starts at 18:00 local";  // first minute > base
  // The first episode of the grid: 1970-01-01 18:00 local = 11:00 UTC; kNow is a whole number of days later, so
  // the episodes fall on the days whose index since 1970 is ≡ 0 (mod 3).
  EXPECT_EQ(((kNow + starts[0] * kMinute - 11 * 3600000LL) / kDay) % 3, 0);
}

TEST(Simulator, EpisodeKeysAreValidated) {
  using cityops::config::testing::err;
  const std::string head = kEntities + "[[simulate]]\ntype = \"TrafficCamera\"\nmetric = \"vehicle_count\"\n";
  const std::string all3 = "episode_every_hours = 24\nepisode_hours = 6\nepisode_add = 20\n";
  cityops::config::testing::ok(head + all3);  // episode_offset_hours defaults to 0
  EXPECT_EQ(cityops::config::testing::ok(head + all3).simulations.at(0).episodeOffsetHours, 0);
  const std::string together =
      "city.toml: simulate[0]: an episode needs episode_every_hours, episode_hours and episode_add together "
      "(episode_offset_hours is optional)";
  EXPECT_EQ(err(head + "episode_every_hours = 24\nepisode_hours = 6\n"), together);
  EXPECT_EQ(err(head + "episode_add = 20\n"), together);
  EXPECT_EQ(err(head + "episode_offset_hours = 3\n"), together);
  EXPECT_EQ(err(head + "episode_every_hours = 0\nepisode_hours = 6\nepisode_add = 20\n"),
            "city.toml: simulate[0]: episode_every_hours must be > 0, got 0");
  EXPECT_EQ(err(head + "episode_every_hours = -24\nepisode_hours = 6\nepisode_add = 20\n"),
            "city.toml: simulate[0]: episode_every_hours must be > 0, got -24");
  EXPECT_EQ(err(head + "episode_every_hours = 24\nepisode_hours = 0\nepisode_add = 20\n"),
            "city.toml: simulate[0]: episode_hours must be > 0 and < episode_every_hours (24), got 0");
  EXPECT_EQ(err(head + "episode_every_hours = 24\nepisode_hours = 24\nepisode_add = 20\n"),
            "city.toml: simulate[0]: episode_hours must be > 0 and < episode_every_hours (24), got 24");
  EXPECT_EQ(err(head + all3 + "episode_offset_hours = -1\n"),
            "city.toml: simulate[0]: episode_offset_hours must be >= 0, got -1");
  EXPECT_EQ(err(head + all3 + "episode_offset_hours = nan\n"),
            "city.toml: simulate[0]: episode_offset_hours must be a finite number, got nan");
  EXPECT_EQ(err(head + "episode_every_hours = \"72\"\nepisode_hours = 6\nepisode_add = 20\n"),
            "city.toml: simulate[0]: episode_every_hours must be a number, got string \"72\"");
}

// --- The Tam Kỳ demo's air quality --------------------------------------------------------------------------------

std::filesystem::path exampleConfig() {
  const std::filesystem::path rel = std::filesystem::path("examples") / "tamky" / "cityops.toml";
  const std::filesystem::path here(__FILE__);
  if (here.is_absolute()) {
    auto p = here.parent_path().parent_path().parent_path() / rel;
    if (std::filesystem::exists(p)) return p;
  }
  for (auto d = std::filesystem::current_path(); !d.empty(); d = d.parent_path()) {
    if (std::filesystem::exists(d / rel)) return d / rel;
    if (d == d.root_path()) break;
  }
  return rel;
}

TEST(Simulator, TamKyAirQualityDemoReachesTheCategoriesItPromises) {
  // examples/tamky/cityops.toml, four days with its noise, every value once a minute; hourly means → hourly VN_AQI
  // (12-hour NowCast) as the server's AqiPublisher computes it. The comments in the file work the numbers out.
  namespace env = cityops::environment;
  auto loaded = CityConfig::load(exampleConfig().string(), kNow);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  const CityConfig& c = *loaded;
  ManualClock clock(kNow);  // 2025-11-27 00:00 UTC = 07:00 in Tam Kỳ
  TestStore st(c, clock);
  Simulator sim(st.get(), clock, c.simulations, c.entities);
  constexpr int kHours = 4 * 24;
  // station -> pollutant -> per hour (sum, count)
  std::map<std::string, std::map<env::Pollutant, std::vector<std::pair<double, int>>>> acc;
  for (int m = 0; m < kHours * 60; ++m, clock.advance(kMinute))
    for (const auto& o : sim.tick(clock.nowMs())) {
      if (o.entity.rfind("aq.", 0) != 0) continue;
      auto p = env::parsePollutant(o.metric);
      if (!p) continue;
      auto& hours = acc[o.entity][*p];
      hours.resize(kHours);
      hours[m / 60].first += o.value;
      ++hours[m / 60].second;
    }
  ASSERT_EQ(acc.size(), 5u);
  // station -> hourly VN_AQI from hour 11 on (12 hours of history), index = hour since kNow
  std::map<std::string, std::vector<int>> aqi;
  for (const auto& [station, pollutants] : acc) {
    ASSERT_EQ(pollutants.size(), 6u) << station;
    for (int h = 11; h < kHours; ++h) {
      env::PollutantSeries in;
      for (const auto& [p, hours] : pollutants) {
        env::HourlySeries series;
        for (int k = std::max(0, h - 23); k <= h; ++k) series.push_back(hours[k].first / hours[k].second);
        in[p] = std::move(series);
      }
      auto r = env::VnAqi::hourly(in);
      ASSERT_TRUE(r.ok()) << station << " hour " << h << ": " << r.error().message;
      aqi[station].push_back(r->aqi);
    }
  }
  auto localHour = [](size_t i) { return static_cast<int>((i + 11 + 7) % 24); };  // the rated hour's local start
  for (const char* id : {"aq.tamky.center", "aq.tamthanh", "aq.tamky.school"}) {
    const auto& v = aqi.at(id);
    EXPECT_LE(*std::max_element(v.begin(), v.end()), 100) << id << " should stay 'Tốt' / 'Trung bình'";
    EXPECT_GE(*std::max_element(v.begin(), v.end()), 51) << id;
  }
  {  // The industrial park: one episode in these four days (2025-11-29 18:00 local), "Xấu" for several hours.
    const auto& v = aqi.at("aq.tamthang.kcn");
    const int xau = static_cast<int>(std::count_if(v.begin(), v.end(), [](int a) { return a > 150; }));
    const int aboveModerate = static_cast<int>(std::count_if(v.begin(), v.end(), [](int a) { return a > 100; }));
    EXPECT_GE(xau, 4);
    EXPECT_LE(aboveModerate, 12) << "only in the episode";
    EXPECT_LE(*std::max_element(v.begin(), v.end()), 200) << "'Xấu', never 'Rất xấu'";
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i] > 150) {
        EXPECT_TRUE(localHour(i) >= 19 || localHour(i) <= 4) << "hour " << i << " at " << localHour(i);
      }
  }
  {  // The roadside station: "Kém" at the morning and the evening peak of every full day, never "Xấu".
    const auto& v = aqi.at("aq.phanchutrinh");
    EXPECT_LE(*std::max_element(v.begin(), v.end()), 150);
    std::map<std::pair<size_t, bool>, int> peak;  // (day, evening) -> highest index
    std::map<size_t, int> midday;                  // day -> highest index 12:00-16:00
    for (size_t i = 0; i < v.size(); ++i) {
      const size_t day = (i + 11 + 7) / 24;  // local days since 2025-11-27 00:00 local
      if (day < 1 || day > 3) continue;      // the days whose both peaks are inside the run
      const int h = localHour(i);
      if (h >= 5 && h <= 10) peak[{day, false}] = std::max(peak[{day, false}], v[i]);
      if (h >= 17 && h <= 22) peak[{day, true}] = std::max(peak[{day, true}], v[i]);
      if (h >= 12 && h <= 15) midday[day] = std::max(midday[day], v[i]);
    }
    EXPECT_EQ(peak.size(), 6u);
    for (const auto& [key, a] : peak) {
      EXPECT_GT(a, 100) << "day " << key.first << (key.second ? " evening" : " morning");
      EXPECT_LE(a, 150);
    }
    for (const auto& [day, a] : midday) EXPECT_LE(a, 100) << "day " << day << " midday";
  }
}

}  // namespace
