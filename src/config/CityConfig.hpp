#pragma once
// The city's configuration file (TOML): server settings and the entities seeded at start.
#include "common/Result.hpp"
#include "flood/CapMessage.hpp"
#include "flood/QualityControl.hpp"
#include "flood/StationRules.hpp"
#include "model/Entity.hpp"
#include "notify/Subscription.hpp"
#include "rules/Rule.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cityops::config {

/// How the demo simulator drives one metric of an entity (or of every entity of a type). An entity's own spec for a
/// metric takes precedence over a type-wide one for the same metric (the type-wide spec drives the type's other
/// entities); the loader refuses two specs for the same entity and metric, or the same type and metric.
struct SimulationSpec {
  std::string entity;        // one entity, or
  std::string type;          // every entity of this type
  std::string metric;
  double base = 0;           // mean value
  double amplitude = 0;      // of the periodic part
  double periodMinutes = 1440;
  double noise = 0;          // standard deviation of the random walk step
  double min = -1e300, max = 1e300;
  int everySeconds = 10;     // 1..86400
  /// Local hour (0..23) at which the daily cycle peaks; only with periodMinutes == 1440. Without it each entity
  /// gets its own fixed phase.
  std::optional<int> peakHour;
  /// Round values to whole numbers (counts).
  bool integer = false;
  /// Episodes (a pollution episode, a rush hour): every `episodeEveryHours` hours a smooth bump
  /// episodeAdd × sin(π x), x = 0..1 across `episodeHours`, is added to the value before the clamp (so it peaks at
  /// base + episodeAdd in the episode's middle). Episodes start episodeOffsetHours after 1970-01-01 00:00 in the
  /// city's time zone, then every episodeEveryHours (a multiple of 24 keeps them at the same local hour).
  /// episodeEveryHours == 0: no episodes. The loader checks 0 < episodeHours < episodeEveryHours.
  double episodeEveryHours = 0;
  double episodeHours = 0;
  double episodeAdd = 0;
  double episodeOffsetHours = 0;
  /// The city's offset from UTC in minutes, copied from city.timezone by the loader (0 when the zone's offset is
  /// not known: see config/TimeZone.hpp). Used to place peakHour and the episodes.
  int utcOffsetMinutes = 0;
};

/// [server] cors_origins / metrics_listen, [tls] and [security].
struct SecurityConfig {
  std::string metricsListen;             // HOST:PORT of a separate /metrics-only listener; "" for none
  std::vector<std::string> corsOrigins;  // browser origins allowed to call the API; empty: CORS closed
  std::string tlsCert, tlsKey;           // PEM files; both empty: plain HTTP
  int64_t sessionMinutes = 12 * 60;      // session token lifetime
  double rateLimit = 200, rateBurst = 400;          // requests/s per user or device key; 0 turns limits off
  double anonymousRateLimit = 20, anonymousBurst = 60;  // per address, requests without credentials
};

/// [flood]: the station rules' settings and quality control defaults per metric ([flood.qc.<metric>]).
struct FloodConfig {
  flood::StationRuleOptions stationRules;
  int64_t forecastEveryMs = 15 * 60000;    // [flood] forecast_every
  int64_t forecastHorizonMs = 6 * 3600000; // [flood] forecast_horizon (1h..6h)
  std::map<std::string, flood::QcLimits> qc;
  /// [cap]: sender, sender_name, sender_name_en, web_base, contact, status ("actual" | "exercise" | "test"; unset:
  /// exercise with --demo, else actual). utcOffsetMinutes follows city.timezone.
  flood::CapSettings cap;
  bool capStatusSet = false;
};

/// [ui]: what the web dashboard is told (GET /api/v1/ui/config).
struct UiConfig {
  /// Basemap tiles ({z}, {x}, {y}, optional {s} and {r}); "" for none (the local vector layers only). Its origin is
  /// added to the Content-Security-Policy's img-src.
  std::string tileUrl = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  std::string tileAttribution = "© OpenStreetMap contributors";
  int64_t zoom = 13;              // initial zoom around city.center
  std::string language = "vi";    // default language of the dashboard ("vi" or "en")
};

/// [demo]: the scripted event `serve --demo` plays (see sim/Scenario, sim/DemoClock).
struct DemoFault {
  std::string entity, metric;
  int64_t atMs = 0;  // into the scenario
  double value = 0;
};
struct DemoConfig {
  std::string scenario;      // CSV path (relative paths: to the configuration file); "" = no scenario
  int64_t fromMs = 0;        // the part of the event played: from
  int64_t lengthMs = 0;      // ... for this long (event time)
  int64_t wallMs = 600000;   // played in this much wall time
  std::vector<DemoFault> faults;
};

struct CityConfig {
  std::string name = "cityops";
  std::string timezone = "UTC";  // "UTC" or an IANA-style Area/Location name (see config/TimeZone.hpp)
  int utcOffsetMinutes = 0;      // fixed offset of `timezone` if known, else 0 (UTC)
  bool utcOffsetKnown = true;
  double centerLat = 0, centerLon = 0;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  std::string dataDir = "data";
  bool fullSync = false;
  /// [server] web_root: the built dashboard (web/dist); "" looks for it (see web::StaticSite::findRoot).
  std::string webRoot;
  UiConfig ui;
  SecurityConfig security;
  FloodConfig flood;
  DemoConfig demo;
  std::vector<model::Entity> entities;
  std::vector<rules::Rule> rules;  // [[rule]]: the canonical rule JSON written as TOML (docs/rules.md)
  /// [[subscription]]: webhooks and MQTT channels, as POST /api/v1/subscriptions takes them (url, secret or
  /// secret_file, filter, enabled); declared at start (notify::SubscriptionStore::declare).
  std::vector<notify::NewSubscription> subscriptions;
  std::vector<SimulationSpec> simulations;

  /// Parses and validates; errors name the file, the entry or key and the problem. Unknown tables and keys and
  /// values of the wrong type are errors.
  static Result<CityConfig> load(const std::string& path, int64_t nowMs);
  static Result<CityConfig> parse(std::string_view toml, const std::string& sourceName, int64_t nowMs);
};

}  // namespace cityops::config
