// CityConfig::parse is strict: unknown tables and keys, values of the wrong type, non-finite or out-of-range
// numbers and [[simulate]] entries that drive nothing are errors naming the file, the key or entry and the problem.
#include "ParseHelpers.hpp"
#include "config/CityConfig.hpp"
#include "config/TimeZone.hpp"

#include <gtest/gtest.h>

#include <string>

using cityops::config::CityConfig;
using cityops::config::fixedUtcOffsetMinutes;
using cityops::config::isTimeZoneName;

namespace {

using cityops::config::testing::err;
using cityops::config::testing::kNow;
using cityops::config::testing::kSource;
using cityops::config::testing::ok;

const std::string kTopLevel =
    "[city], [server], [storage], [tls], [security], [flood], [cap], [ui], [demo], [[entity]], [[rule]], "
    "[[subscription]] or [[simulate]]";
const std::string kSimulateKeys =
    "entity, type, metric, base, amplitude, period_minutes, noise, min, max, every_seconds, peak_hour, integer, "
    "episode_every_hours, episode_hours, episode_add, episode_offset_hours";

// One declared entity and the head of a [[simulate]] entry that drives it.
const std::string kGauge = "[[entity]]\nid = \"rain.tamky\"\ntype = \"RainGauge\"\n";
const std::string kSim = kGauge + "[[simulate]]\ntype = \"RainGauge\"\nmetric = \"rain_mm\"\n";

// --- 1. unknown keys, unknown tables, wrong types -------------------------------------------------------------

TEST(CityConfigStrict, StorageFullSyncMisspelled) {
  EXPECT_EQ(err("[storage]\nfull-sync = true\n"),
            "city.toml: storage: unknown key 'full-sync' (expected data, full_sync)");
  EXPECT_EQ(err("[storage]\nfullsync = true\n"),
            "city.toml: storage: unknown key 'fullsync' (expected data, full_sync)");
}

TEST(CityConfigStrict, StorageWrongTypes) {
  EXPECT_EQ(err("[storage]\nfull_sync = \"true\"\n"),
            "city.toml: storage.full_sync: must be true or false, got string \"true\"");
  EXPECT_EQ(err("[storage]\nfull_sync = 1\n"), "city.toml: storage.full_sync: must be true or false, got integer 1");
  EXPECT_EQ(err("[storage]\ndata = 5\n"), "city.toml: storage.data: must be a string, got integer 5");
}

TEST(CityConfigStrict, ServerWrongTypes) {
  EXPECT_EQ(err("[server]\nthreads = \"4\"\n"), "city.toml: server.threads: must be an integer, got string \"4\"");
  EXPECT_EQ(err("[server]\nthreads = 4.0\n"), "city.toml: server.threads: must be an integer, got float 4");
  EXPECT_EQ(err("[server]\nlisten = 8080\n"), "city.toml: server.listen: must be a string, got integer 8080");
}

TEST(CityConfigStrict, ServerUnknownKey) {
  EXPECT_EQ(err("[server]\nport = 8080\n"), "city.toml: server: unknown key 'port' (expected listen, threads, metrics_listen, cors_origins, web_root)");
}

TEST(CityConfigStrict, CityUnknownKeyAndWrongTypes) {
  EXPECT_EQ(err("[city]\ntz = \"Asia/Ho_Chi_Minh\"\n"),
            "city.toml: city: unknown key 'tz' (expected name, timezone, center)");
  EXPECT_EQ(err("[city]\nname = 5\n"), "city.toml: city.name: must be a string, got integer 5");
  EXPECT_EQ(err("[city]\ntimezone = 7\n"), "city.toml: city.timezone: must be a string, got integer 7");
  EXPECT_EQ(err("[city]\ncenter = [15.57, 108.47]\n"),
            "city.toml: city.center: must be a table { lat = ..., lon = ... }, got an array");
  EXPECT_EQ(err("[city]\ncenter = { lat = 15.57, lng = 108.47 }\n"),
            "city.toml: city.center: unknown key 'lng' (expected lat, lon)");
  EXPECT_EQ(err("[city]\ncenter = { lat = 15.57 }\n"), "city.toml: city.center: needs both lat and lon");
  EXPECT_EQ(err("[city]\ncenter = { lat = \"15.57\", lon = 108.47 }\n"),
            "city.toml: city.center.lat: must be a number, got string \"15.57\"");
}

TEST(CityConfigStrict, UnknownTopLevelTables) {
  EXPECT_EQ(err("[[simulation]]\ntype = \"RainGauge\"\nmetric = \"rain_mm\"\n"),
            "city.toml: [[simulation]]: unknown table (expected " + kTopLevel + ")");
  EXPECT_EQ(err("[[entities]]\nid = \"a\"\ntype = \"Zone\"\n"),
            "city.toml: [[entities]]: unknown table (expected " + kTopLevel + ")");
  EXPECT_EQ(err("[servers]\nthreads = 4\n"), "city.toml: [servers]: unknown table (expected " + kTopLevel + ")");
}

TEST(CityConfigStrict, KeyBeforeAnyTableHeader) {
  EXPECT_EQ(err("threads = 4\n[server]\nlisten = \"127.0.0.1:8080\"\n"),
            "city.toml: threads: unknown top-level key (expected the tables " + kTopLevel +
                "; keys written before the first table header are top-level)");
}

TEST(CityConfigStrict, KnownTablesOfTheWrongKind) {
  EXPECT_EQ(err("[entity]\nid = \"a\"\ntype = \"Zone\"\n"),
            "city.toml: entity: must be an array of tables ([[entity]]), got a table");
  EXPECT_EQ(err("[simulate]\ntype = \"Zone\"\nmetric = \"people\"\n"),
            "city.toml: simulate: must be an array of tables ([[simulate]]), got a table");
  EXPECT_EQ(err("city = \"Tam Kỳ\"\n"), "city.toml: city: must be a table ([city]), got string \"Tam Kỳ\"");
  EXPECT_EQ(err("[[server]]\nthreads = 4\n"), "city.toml: server: must be a table ([server]), got an array");
}

TEST(CityConfigStrict, SimulateUnknownKey) {
  EXPECT_EQ(err(kSim + "period = 1440\n"),
            "city.toml: simulate[0]: unknown key 'period' (expected " + kSimulateKeys + ")");
}

TEST(CityConfigStrict, SimulateWrongTypes) {
  EXPECT_EQ(err(kSim + "every_seconds = \"30\"\n"),
            "city.toml: simulate[0]: every_seconds must be an integer, got string \"30\"");
  EXPECT_EQ(err(kSim + "every_seconds = 1.5\n"), "city.toml: simulate[0]: every_seconds must be an integer, got float 1.5");
  EXPECT_EQ(err(kSim + "base = \"5\"\n"), "city.toml: simulate[0]: base must be a number, got string \"5\"");
  EXPECT_EQ(err(kSim + "max = true\n"), "city.toml: simulate[0]: max must be a number, got boolean true");
  EXPECT_EQ(err(kSim + "integer = \"yes\"\n"), "city.toml: simulate[0]: integer must be true or false, got string \"yes\"");
  EXPECT_EQ(err(kGauge + "[[simulate]]\ntype = \"RainGauge\"\nmetric = 5\n"),
            "city.toml: simulate[0]: metric must be a string, got integer 5");
  EXPECT_EQ(err(kGauge + "[[simulate]]\nentity = [\"rain.tamky\"]\nmetric = \"rain_mm\"\n"),
            "city.toml: simulate[0]: entity must be a string, got an array");
}

// --- 2. [[simulate]] must drive something -----------------------------------------------------------------------

TEST(CityConfigStrict, SimulateUndeclaredEntity) {
  EXPECT_EQ(err(kGauge + "[[simulate]]\nentity = \"rain.tamkyy\"\nmetric = \"rain_mm\"\n"),
            "city.toml: simulate[0]: entity 'rain.tamkyy' is not declared by any [[entity]]");
}

TEST(CityConfigStrict, SimulateUndeclaredType) {
  EXPECT_EQ(err(kGauge + "[[simulate]]\ntype = \"RainGauge\"\nmetric = \"rain_mm\"\n"
                         "[[simulate]]\ntype = \"Raingauge\"\nmetric = \"rain_mm\"\n"),
            "city.toml: simulate[1]: type 'Raingauge' matches no [[entity]]");
  EXPECT_EQ(err("[[simulate]]\ntype = \"TrafficCamera\"\nmetric = \"vehicle_count\"\n"),
            "city.toml: simulate[0]: type 'TrafficCamera' matches no [[entity]]");
}

// --- 3. finite numbers only -------------------------------------------------------------------------------------

TEST(CityConfigStrict, SimulateNonFiniteNumbers) {
  for (const std::string key : {"noise", "min", "max", "base", "amplitude", "period_minutes"}) {
    SCOPED_TRACE(key);
    EXPECT_EQ(err(kSim + key + " = nan\n"), "city.toml: simulate[0]: " + key + " must be a finite number, got nan");
    EXPECT_EQ(err(kSim + key + " = +inf\n"), "city.toml: simulate[0]: " + key + " must be a finite number, got inf");
    EXPECT_EQ(err(kSim + key + " = -inf\n"), "city.toml: simulate[0]: " + key + " must be a finite number, got -inf");
  }
}

// --- 4. every_seconds is range-checked before it is narrowed --------------------------------------------------

TEST(CityConfigStrict, EverySecondsRange) {
  EXPECT_EQ(err(kSim + "every_seconds = 4294967297\n"),
            "city.toml: simulate[0]: every_seconds must be 1..86400, got 4294967297");
  EXPECT_EQ(err(kSim + "every_seconds = 86401\n"), "city.toml: simulate[0]: every_seconds must be 1..86400, got 86401");
  EXPECT_EQ(err(kSim + "every_seconds = -1\n"), "city.toml: simulate[0]: every_seconds must be 1..86400, got -1");
  EXPECT_EQ(ok(kSim + "every_seconds = 86400\n").simulations.at(0).everySeconds, 86400);
  EXPECT_EQ(ok(kSim + "every_seconds = 1\n").simulations.at(0).everySeconds, 1);
}

// --- 5. city.center and city.timezone ---------------------------------------------------------------------------

TEST(CityConfigStrict, CenterOutOfRange) {
  // lat and lon swapped: 108.474 is not a latitude.
  EXPECT_EQ(err("[city]\ncenter = { lat = 108.474, lon = 15.5736 }\n"),
            "city.toml: city.center.lat: must be -90..90, got 108.474");
  EXPECT_EQ(err("[city]\ncenter = { lat = 15.5736, lon = 208.474 }\n"),
            "city.toml: city.center.lon: must be -180..180, got 208.474");
  EXPECT_EQ(err("[city]\ncenter = { lat = 15.5736, lon = -180.5 }\n"),
            "city.toml: city.center.lon: must be -180..180, got -180.5");
  EXPECT_EQ(err("[city]\ncenter = { lat = nan, lon = 108.474 }\n"),
            "city.toml: city.center.lat: must be a finite number, got nan");
  auto c = ok("[city]\ncenter = { lat = -90, lon = 180 }\n");  // the edges are inside
  EXPECT_EQ(c.centerLat, -90);
  EXPECT_EQ(c.centerLon, 180);
}

TEST(CityConfigStrict, TimezoneMustLookLikeAnIanaName) {
  const std::string why =
      "city.toml: city.timezone: must be \"UTC\" or an IANA name of the form Area/City such as \"Asia/Ho_Chi_Minh\", "
      "got ";
  EXPECT_EQ(err("[city]\ntimezone = \"\"\n"), why + "\"\"");
  EXPECT_EQ(err("[city]\ntimezone = \"ICT\"\n"), why + "\"ICT\"");
  EXPECT_EQ(err("[city]\ntimezone = \"UTC+7\"\n"), why + "\"UTC+7\"");
  EXPECT_EQ(err("[city]\ntimezone = \"Asia/Ho Chi Minh\"\n"), why + "\"Asia/Ho Chi Minh\"");
  EXPECT_EQ(err("[city]\ntimezone = \"Vietnam/Hanoi\"\n"), why + "\"Vietnam/Hanoi\"");
  for (const char* tz : {"UTC", "Asia/Ho_Chi_Minh", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT-7"})
    EXPECT_EQ(ok(std::string("[city]\ntimezone = \"") + tz + "\"\n").timezone, tz);
}

TEST(TimeZone, NameShape) {
  EXPECT_TRUE(isTimeZoneName("UTC"));
  EXPECT_TRUE(isTimeZoneName("Asia/Ho_Chi_Minh"));
  EXPECT_TRUE(isTimeZoneName("America/Port-au-Prince"));
  EXPECT_TRUE(isTimeZoneName("America/Indiana/Indianapolis"));
  EXPECT_TRUE(isTimeZoneName("Etc/GMT+5"));
  EXPECT_FALSE(isTimeZoneName(""));
  EXPECT_FALSE(isTimeZoneName("utc"));
  EXPECT_FALSE(isTimeZoneName("Asia"));
  EXPECT_FALSE(isTimeZoneName("Asia/"));
  EXPECT_FALSE(isTimeZoneName("Asia//Saigon"));
  EXPECT_FALSE(isTimeZoneName("/Asia/Saigon"));
  EXPECT_FALSE(isTimeZoneName("Asia/Saigon/"));
  EXPECT_FALSE(isTimeZoneName("GMT+7"));
}

TEST(TimeZone, FixedOffsets) {
  EXPECT_EQ(fixedUtcOffsetMinutes("UTC"), 0);
  EXPECT_EQ(fixedUtcOffsetMinutes("Etc/UTC"), 0);
  EXPECT_EQ(fixedUtcOffsetMinutes("Asia/Ho_Chi_Minh"), 420);
  EXPECT_EQ(fixedUtcOffsetMinutes("Asia/Saigon"), 420);
  EXPECT_EQ(fixedUtcOffsetMinutes("Asia/Bangkok"), 420);
  EXPECT_EQ(fixedUtcOffsetMinutes("Asia/Kolkata"), 330);
  EXPECT_EQ(fixedUtcOffsetMinutes("Asia/Tokyo"), 540);
  EXPECT_EQ(fixedUtcOffsetMinutes("Etc/GMT-7"), 420);  // POSIX sign: GMT-7 is seven hours east
  EXPECT_EQ(fixedUtcOffsetMinutes("Etc/GMT+5"), -300);
  EXPECT_EQ(fixedUtcOffsetMinutes("Etc/GMT-14"), 840);
  EXPECT_EQ(fixedUtcOffsetMinutes("Etc/GMT+0"), 0);
  EXPECT_EQ(fixedUtcOffsetMinutes("Etc/GMT+13"), std::nullopt);
  EXPECT_EQ(fixedUtcOffsetMinutes("Etc/GMT+07"), std::nullopt);
  EXPECT_EQ(fixedUtcOffsetMinutes("Europe/Paris"), std::nullopt);  // daylight saving time: not in the table
}

TEST(CityConfigStrict, OffsetComesFromTheTimezoneAndReachesSimulateEntries) {
  auto c = ok("[city]\ntimezone = \"Asia/Ho_Chi_Minh\"\n" + kSim + "peak_hour = 14\n");
  EXPECT_EQ(c.utcOffsetMinutes, 420);
  EXPECT_TRUE(c.utcOffsetKnown);
  EXPECT_EQ(c.simulations.at(0).utcOffsetMinutes, 420);
  // A zone whose offset is not in the table falls back to UTC (and logs a warning when peak_hour is used).
  auto paris = ok("[city]\ntimezone = \"Europe/Paris\"\n" + kSim + "peak_hour = 14\n");
  EXPECT_EQ(paris.utcOffsetMinutes, 0);
  EXPECT_FALSE(paris.utcOffsetKnown);
  EXPECT_EQ(paris.simulations.at(0).utcOffsetMinutes, 0);
}

// --- 6. point or geometry ---------------------------------------------------------------------------------------

TEST(CityConfigStrict, PointAndGeometryTogether) {
  EXPECT_EQ(err(R"(
[[entity]]
id = "wl.tamky"
type = "WaterLevelStation"
point = [108.482, 15.567]
geometry = { type = "Point", coordinates = [108.482, 15.567] }
)"),
            "city.toml: entity[0] (wl.tamky): give either point or geometry, not both");
}

TEST(CityConfigStrict, ServerTimestampsAreNotAccepted) {
  EXPECT_EQ(err("[[entity]]\nid = \"a\"\ntype = \"Zone\"\ncreated_at = \"2025-11-27T00:00:00Z\"\n"),
            "city.toml: entity[0] (a): created_at is set by the server; leave it out");
  EXPECT_EQ(err("[[entity]]\nid = \"a\"\ntype = \"Zone\"\nupdated_at = 2025-11-27T00:00:00Z\n"),
            "city.toml: entity[0] (a): updated_at is set by the server; leave it out");
}

// --- 7. the duplicate-id error names the entry like the other entity errors ----------------------------------

TEST(CityConfigStrict, DuplicateIdNamesBothEntries) {
  EXPECT_EQ(err(kGauge + kGauge), "city.toml: entity[1] (rain.tamky): id is declared twice (first in entity[0])");
}

// --- 8, 9. peak_hour and integer ---------------------------------------------------------------------------------

TEST(CityConfigStrict, PeakHour) {
  EXPECT_EQ(ok(kSim + "peak_hour = 0\n").simulations.at(0).peakHour, 0);
  EXPECT_EQ(ok(kSim + "peak_hour = 23\n").simulations.at(0).peakHour, 23);
  EXPECT_EQ(err(kSim + "peak_hour = 24\n"), "city.toml: simulate[0]: peak_hour must be 0..23, got 24");
  EXPECT_EQ(err(kSim + "peak_hour = -1\n"), "city.toml: simulate[0]: peak_hour must be 0..23, got -1");
  EXPECT_EQ(err(kSim + "peak_hour = \"17\"\n"), "city.toml: simulate[0]: peak_hour must be an integer, got string \"17\"");
  EXPECT_EQ(err(kSim + "peak_hour = 17.5\n"), "city.toml: simulate[0]: peak_hour must be an integer, got float 17.5");
  EXPECT_EQ(err(kSim + "period_minutes = 745.2\npeak_hour = 17\n"),
            "city.toml: simulate[0]: peak_hour needs a daily cycle (period_minutes = 1440), got period_minutes 745.2");
  EXPECT_EQ(err(kSim + "amplitude = -3\npeak_hour = 17\n"),
            "city.toml: simulate[0]: peak_hour needs amplitude >= 0 (a negative amplitude would put the low at "
            "peak_hour), got amplitude -3");
}

TEST(CityConfigStrict, Integer) {
  EXPECT_TRUE(ok(kSim + "integer = true\nmin = 0\nmax = 150\n").simulations.at(0).integer);
  EXPECT_FALSE(ok(kSim + "integer = false\n").simulations.at(0).integer);
  EXPECT_TRUE(ok(kSim + "integer = true\nmin = 0.5\nmax = 1.5\n").simulations.at(0).integer);  // 1 fits
  EXPECT_EQ(err(kSim + "integer = true\nmin = 0.2\nmax = 0.8\n"),
            "city.toml: simulate[0]: integer = true needs a whole number between min and max, got min 0.2 and max 0.8");
}

}  // namespace

TEST(CityConfigSecurity, DefaultsWhenAbsent) {
  auto c = CityConfig::parse("[city]\nname = \"x\"\n", "city.toml", 0);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->security.sessionMinutes, 720);
  EXPECT_EQ(c->security.rateLimit, 200);
  EXPECT_EQ(c->security.rateBurst, 400);
  EXPECT_EQ(c->security.anonymousRateLimit, 20);
  EXPECT_TRUE(c->security.corsOrigins.empty());
  EXPECT_TRUE(c->security.tlsCert.empty());
  EXPECT_TRUE(c->security.metricsListen.empty());
}

TEST(CityConfigSecurity, AllKeysRead) {
  auto c = CityConfig::parse(
      "[server]\nmetrics_listen = \"127.0.0.1:9464\"\ncors_origins = [\"https://ioc.tamky.example\", "
      "\"http://localhost:5173\"]\n[tls]\ncert = \"/etc/cityops/cert.pem\"\nkey = \"/etc/cityops/key.pem\"\n"
      "[security]\nsession_minutes = 60\nrate_limit = 0\nrate_burst = 10\nanonymous_rate_limit = 2.5\n"
      "anonymous_burst = 5\n",
      "city.toml", 0);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->security.metricsListen, "127.0.0.1:9464");
  EXPECT_EQ(c->security.corsOrigins, (std::vector<std::string>{"https://ioc.tamky.example", "http://localhost:5173"}));
  EXPECT_EQ(c->security.tlsCert, "/etc/cityops/cert.pem");
  EXPECT_EQ(c->security.tlsKey, "/etc/cityops/key.pem");
  EXPECT_EQ(c->security.sessionMinutes, 60);
  EXPECT_EQ(c->security.rateLimit, 0);
  EXPECT_EQ(c->security.rateBurst, 10);
  EXPECT_EQ(c->security.anonymousRateLimit, 2.5);
  EXPECT_EQ(c->security.anonymousBurst, 5);
}

TEST(CityConfigSecurity, BadValuesNamed) {
  EXPECT_EQ(err("[tls]\ncert = \"/c.pem\"\n"), "city.toml: tls: needs both cert and key (PEM file paths)");
  EXPECT_EQ(err("[security]\nsession_minutes = 1\n"),
            "city.toml: security.session_minutes: must be 5..43200, got 1");
  EXPECT_EQ(err("[security]\nrate_limit = -1\n"),
            "city.toml: security.rate_limit: must be 0 (no limit) .. 1e9, got -1");
  EXPECT_EQ(err("[security]\nlogin_attempts = 3\n"),
            "city.toml: security: unknown key 'login_attempts' (expected session_minutes, rate_limit, rate_burst, "
            "anonymous_rate_limit, anonymous_burst)");
  EXPECT_NE(err("[server]\ncors_origins = [\"https://a.example/path\"]\n").find("no path"), std::string::npos);
  EXPECT_NE(err("[server]\ncors_origins = \"https://a.example\"\n").find("array of strings"), std::string::npos);
  EXPECT_NE(err("[server]\ncors_origins = [1]\n").find("array of strings"), std::string::npos);
}
