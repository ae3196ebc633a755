#include "config/CityConfig.hpp"

#include "notify/SubscriptionStore.hpp"

#include "common/Time.hpp"
#include "config/TimeZone.hpp"
#include "model/EntityCodec.hpp"
#include "model/Names.hpp"
#include "rules/Duration.hpp"
#include "rules/RuleCodec.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string_view>

namespace cityops::config {

namespace json = boost::json;

namespace {

json::value toJson(const toml::node& n) {
  if (auto t = n.as_table()) {
    json::object o;
    for (const auto& [k, v] : *t) o[std::string(k.str())] = toJson(v);
    return o;
  }
  if (auto a = n.as_array()) {
    json::array arr;
    for (const auto& v : *a) arr.push_back(toJson(v));
    return arr;
  }
  if (auto s = n.as_string()) return json::string(s->get());
  if (auto i = n.as_integer()) return i->get();
  if (auto f = n.as_floating_point()) return f->get();
  if (auto b = n.as_boolean()) return b->get();
  std::ostringstream os;  // dates and times keep their TOML text
  if (auto d = n.as_date()) os << d->get();
  else if (auto t = n.as_time()) os << t->get();
  else if (auto dt = n.as_date_time()) os << dt->get();
  return json::string(os.str());
}

Error configError(const std::string& source, const std::string& where, const std::string& why) {
  return BadRequest(source + ": " + where + ": " + why);
}

std::string formatNumber(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::string("?");
}

std::string clip(std::string_view s) {
  constexpr size_t kMax = 64;
  if (s.size() <= kMax) return std::string(s);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // do not cut a UTF-8 sequence
  return std::string(s.substr(0, n)) + "...";
}

/// What a value is, for "got ..." in messages: `string "4"`, `integer 8080`, `a table`.
std::string describe(const toml::node& n) {
  if (auto s = n.as_string()) return "string \"" + clip(s->get()) + "\"";
  if (auto i = n.as_integer()) return "integer " + std::to_string(i->get());
  if (auto f = n.as_floating_point()) return "float " + formatNumber(f->get());
  if (auto b = n.as_boolean()) return std::string("boolean ") + (b->get() ? "true" : "false");
  if (n.is_table()) return "a table";
  if (n.is_array()) return "an array";
  if (n.is_date()) return "a date";
  if (n.is_time()) return "a time";
  return "a date-time";
}

std::string joined(std::initializer_list<std::string_view> keys) {
  std::string out;
  for (auto k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

/// Typed, strict access to the keys of one table. Errors read "<source>: <entry>.<key>: <problem>" for the
/// [city], [server] and [storage] sections (dotted) and "<source>: <entry>: <key> <problem>" for array entries.
class Reader {
 public:
  Reader(const std::string& source, std::string entry, bool dotted, const toml::table& t)
      : source_(source), entry_(std::move(entry)), dotted_(dotted), t_(t) {}

  Error bad(std::string_view key, const std::string& why) const {
    if (dotted_) return configError(source_, entry_ + "." + std::string(key), why);
    return configError(source_, entry_, std::string(key) + " " + why);
  }
  Error badEntry(const std::string& why) const { return configError(source_, entry_, why); }

  std::optional<Error> onlyKeys(std::initializer_list<std::string_view> known) const {
    for (const auto& [k, v] : t_)
      if (std::find(known.begin(), known.end(), k.str()) == known.end())
        return badEntry("unknown key '" + clip(k.str()) + "' (expected " + joined(known) + ")");
    return std::nullopt;
  }
  bool has(std::string_view key) const { return t_.contains(key); }
  const toml::node* get(std::string_view key) const { return t_.get(key); }

  std::optional<Error> string(std::string_view key, std::string& out) const {
    const auto* n = t_.get(key);
    if (!n) return std::nullopt;
    if (auto s = n->as_string()) {
      out = s->get();
      return std::nullopt;
    }
    return bad(key, "must be a string, got " + describe(*n));
  }
  std::optional<Error> boolean(std::string_view key, bool& out) const {
    const auto* n = t_.get(key);
    if (!n) return std::nullopt;
    if (auto b = n->as_boolean()) {
      out = b->get();
      return std::nullopt;
    }
    return bad(key, "must be true or false, got " + describe(*n));
  }
  std::optional<Error> strings(std::string_view key, std::vector<std::string>& out) const {
    const auto* n = t_.get(key);
    if (!n) return std::nullopt;
    const auto* a = n->as_array();
    if (!a) return bad(key, "must be an array of strings, got " + describe(*n));
    std::vector<std::string> v;
    for (const auto& item : *a) {
      const auto* s = item.as_string();
      if (!s) return bad(key, "must be an array of strings, got an element that is " + describe(item));
      v.push_back(s->get());
    }
    out = std::move(v);
    return std::nullopt;
  }
  /// An integer in lo..hi, checked before it is narrowed.
  std::optional<Error> integer(std::string_view key, int64_t lo, int64_t hi, int64_t& out) const {
    const auto* n = t_.get(key);
    if (!n) return std::nullopt;
    auto i = n->as_integer();
    if (!i) return bad(key, "must be an integer, got " + describe(*n));
    if (i->get() < lo || i->get() > hi)
      return bad(key, "must be " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(i->get()));
    out = i->get();
    return std::nullopt;
  }
  /// A finite number; an integer is accepted where a float is expected.
  std::optional<Error> number(std::string_view key, double& out) const {
    const auto* n = t_.get(key);
    if (!n) return std::nullopt;
    double d;
    if (auto i = n->as_integer()) d = static_cast<double>(i->get());
    else if (auto f = n->as_floating_point()) d = f->get();
    else return bad(key, "must be a number, got " + describe(*n));
    if (!std::isfinite(d)) return bad(key, "must be a finite number, got " + formatNumber(d));
    out = d;
    return std::nullopt;
  }

 private:
  const std::string& source_;
  std::string entry_;
  bool dotted_;
  const toml::table& t_;
};

#define CITYOPS_TRY(expr)                  \
  do {                                     \
    if (auto err_ = (expr)) return *err_;  \
  } while (0)

constexpr std::string_view kTopLevel =
    "[city], [server], [storage], [tls], [security], [flood], [cap], [ui], [demo], [[entity]], [[rule]], "
    "[[subscription]] or [[simulate]]";

}  // namespace

Result<CityConfig> CityConfig::load(const std::string& path, int64_t nowMs) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path, nowMs);
}

Result<CityConfig> CityConfig::parse(std::string_view text, const std::string& source, int64_t nowMs) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << e.description() << " (line " << e.source().begin.line << ")";
    return BadRequest(source + ": " + os.str());
  }
  CityConfig c;

  // Top level: only the five known tables, each of the right kind.
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k == "city" || k == "server" || k == "storage" || k == "tls" || k == "security" || k == "flood" || k == "cap" ||
        k == "ui" || k == "demo") {
      if (!node.is_table()) return configError(source, k, "must be a table ([" + k + "]), got " + describe(node));
    } else if (k == "entity" || k == "simulate" || k == "rule" || k == "subscription") {
      if (!node.is_array())
        return configError(source, k, "must be an array of tables ([[" + k + "]]), got " + describe(node));
    } else if (node.is_array_of_tables()) {
      return configError(source, "[[" + clip(k) + "]]", "unknown table (expected " + std::string(kTopLevel) + ")");
    } else if (node.is_table()) {
      return configError(source, "[" + clip(k) + "]", "unknown table (expected " + std::string(kTopLevel) + ")");
    } else {
      return configError(source, clip(k),
                         "unknown top-level key (expected the tables " + std::string(kTopLevel) +
                             "; keys written before the first table header are top-level)");
    }
  }

  static const toml::table kEmpty;
  auto section = [&](const char* name) -> const toml::table& {
    const auto* t = root.get_as<toml::table>(name);
    return t ? *t : kEmpty;
  };

  {
    Reader city(source, "city", true, section("city"));
    CITYOPS_TRY(city.onlyKeys({"name", "timezone", "center"}));
    CITYOPS_TRY(city.string("name", c.name));
    CITYOPS_TRY(city.string("timezone", c.timezone));
    if (!isTimeZoneName(c.timezone))
      return city.bad("timezone", "must be \"UTC\" or an IANA name of the form Area/City such as "
                                  "\"Asia/Ho_Chi_Minh\", got \"" + clip(c.timezone) + "\"");
    const auto offset = fixedUtcOffsetMinutes(c.timezone);
    c.utcOffsetKnown = offset.has_value();
    c.utcOffsetMinutes = offset.value_or(0);
    if (const auto* n = city.get("center")) {
      const auto* t = n->as_table();
      if (!t) return city.bad("center", "must be a table { lat = ..., lon = ... }, got " + describe(*n));
      Reader center(source, "city.center", true, *t);
      CITYOPS_TRY(center.onlyKeys({"lat", "lon"}));
      if (!center.has("lat") || !center.has("lon")) return center.badEntry("needs both lat and lon");
      CITYOPS_TRY(center.number("lat", c.centerLat));
      CITYOPS_TRY(center.number("lon", c.centerLon));
      if (c.centerLat < -90 || c.centerLat > 90)
        return center.bad("lat", "must be -90..90, got " + formatNumber(c.centerLat));
      if (c.centerLon < -180 || c.centerLon > 180)
        return center.bad("lon", "must be -180..180, got " + formatNumber(c.centerLon));
    }
  }
  {
    Reader server(source, "server", true, section("server"));
    CITYOPS_TRY(server.onlyKeys({"listen", "threads", "metrics_listen", "cors_origins", "web_root"}));
    CITYOPS_TRY(server.string("web_root", c.webRoot));
    CITYOPS_TRY(server.string("listen", c.listen));
    int64_t threads = c.threads;
    CITYOPS_TRY(server.integer("threads", 1, 64, threads));
    c.threads = static_cast<int>(threads);
    CITYOPS_TRY(server.string("metrics_listen", c.security.metricsListen));
    CITYOPS_TRY(server.strings("cors_origins", c.security.corsOrigins));
    for (const auto& o : c.security.corsOrigins) {
      const bool ok = o == "*" || ((o.starts_with("http://") || o.starts_with("https://")) &&
                                   o.find('/', o.find("//") + 2) == std::string::npos && o.size() > 8);
      if (!ok)
        return server.bad("cors_origins", "entries must be origins such as \"https://ioc.example.org\" (scheme and "
                                          "host, optional port, no path) or \"*\", got \"" + clip(o) + "\"");
    }
  }
  {
    Reader tls(source, "tls", true, section("tls"));
    CITYOPS_TRY(tls.onlyKeys({"cert", "key"}));
    CITYOPS_TRY(tls.string("cert", c.security.tlsCert));
    CITYOPS_TRY(tls.string("key", c.security.tlsKey));
    if (c.security.tlsCert.empty() != c.security.tlsKey.empty())
      return tls.badEntry("needs both cert and key (PEM file paths)");
  }
  {
    Reader sec(source, "security", true, section("security"));
    CITYOPS_TRY(sec.onlyKeys({"session_minutes", "rate_limit", "rate_burst", "anonymous_rate_limit",
                              "anonymous_burst"}));
    CITYOPS_TRY(sec.integer("session_minutes", 5, 60 * 24 * 30, c.security.sessionMinutes));
    auto rate = [&](std::string_view key, double& out) -> std::optional<Error> {
      CITYOPS_TRY(sec.number(key, out));
      if (out < 0 || out > 1e9) return sec.bad(key, "must be 0 (no limit) .. 1e9, got " + formatNumber(out));
      return std::nullopt;
    };
    CITYOPS_TRY(rate("rate_limit", c.security.rateLimit));
    CITYOPS_TRY(rate("rate_burst", c.security.rateBurst));
    CITYOPS_TRY(rate("anonymous_rate_limit", c.security.anonymousRateLimit));
    CITYOPS_TRY(rate("anonymous_burst", c.security.anonymousBurst));
  }
  {
    Reader flood(source, "flood", true, section("flood"));
    CITYOPS_TRY(flood.onlyKeys({"hysteresis", "for", "rise_per_hour", "rise_window", "forecast_warnings",
                                "forecast_every", "forecast_horizon", "qc"}));
    auto& o = c.flood.stationRules;
    CITYOPS_TRY(flood.number("hysteresis", o.hysteresis));
    if (o.hysteresis < 0 || o.hysteresis > 10)
      return flood.bad("hysteresis", "must be 0..10 metres, got " + formatNumber(o.hysteresis));
    auto duration = [&](std::string_view key, int64_t& out) -> std::optional<Error> {
      std::string text;
      CITYOPS_TRY(flood.string(key, text));
      if (text.empty()) return std::nullopt;
      auto d = rules::Duration::parse(text);
      if (!d) return flood.bad(key, d.error().message);
      out = *d;
      return std::nullopt;
    };
    CITYOPS_TRY(duration("for", o.forMs));
    CITYOPS_TRY(duration("rise_window", o.riseWindowMs));
    if (flood.has("rise_per_hour")) {
      double rise = 0;
      CITYOPS_TRY(flood.number("rise_per_hour", rise));
      if (rise <= 0) return flood.bad("rise_per_hour", "must be > 0 (metres per hour), got " + formatNumber(rise));
      o.risePerHour = rise;
    }
    if (o.riseWindowMs <= 0) return flood.bad("rise_window", "must be a positive duration");
    CITYOPS_TRY(flood.boolean("forecast_warnings", o.forecastWarnings));
    CITYOPS_TRY(duration("forecast_every", c.flood.forecastEveryMs));
    CITYOPS_TRY(duration("forecast_horizon", c.flood.forecastHorizonMs));
    if (c.flood.forecastEveryMs < 60000) return flood.bad("forecast_every", "must be at least 1m");
    if (c.flood.forecastHorizonMs < 3600000 || c.flood.forecastHorizonMs > 6 * 3600000 ||
        c.flood.forecastHorizonMs % 3600000 != 0)
      return flood.bad("forecast_horizon", "must be whole hours from 1h to 6h");
    if (const auto* qcNode = flood.get("qc")) {
      const auto* qc = qcNode->as_table();
      if (!qc) return flood.bad("qc", "must be a table of metrics ([flood.qc.water_level_m] ...)");
      for (const auto& [metric, limits] : *qc) {
        const std::string m(metric.str());
        if (!model::isValidMetric(m)) return configError(source, "flood.qc." + clip(m), "is not a metric name");
        if (!limits.is_table()) return configError(source, "flood.qc." + m, "must be a table");
        auto parsed = flood::parseQcLimits(toJson(limits), {});
        if (!parsed) return configError(source, "flood.qc." + m, parsed.error().message);
        c.flood.qc[m] = *parsed;
      }
    }
  }
  {
    Reader cap(source, "cap", true, section("cap"));
    CITYOPS_TRY(cap.onlyKeys({"sender", "sender_name", "sender_name_en", "web_base", "contact", "status"}));
    auto& o = c.flood.cap;
    CITYOPS_TRY(cap.string("sender", o.sender));
    CITYOPS_TRY(cap.string("sender_name", o.senderName));
    CITYOPS_TRY(cap.string("sender_name_en", o.senderNameEn));
    CITYOPS_TRY(cap.string("web_base", o.webBase));
    CITYOPS_TRY(cap.string("contact", o.contact));
    std::string status;
    CITYOPS_TRY(cap.string("status", status));
    if (!status.empty()) {
      if (status == "actual") o.status = flood::CapStatus::Actual;
      else if (status == "exercise") o.status = flood::CapStatus::Exercise;
      else if (status == "test") o.status = flood::CapStatus::Test;
      else return cap.bad("status", "must be \"actual\", \"exercise\" or \"test\", got \"" + clip(status) + "\"");
      c.flood.capStatusSet = true;
    }
    o.utcOffsetMinutes = c.utcOffsetMinutes;
    if (auto s = flood::validateCapSettings(o); !s) return cap.badEntry(s.error().message);
  }
  {
    Reader ui(source, "ui", true, section("ui"));
    CITYOPS_TRY(ui.onlyKeys({"tile_url", "tile_attribution", "zoom", "language"}));
    CITYOPS_TRY(ui.string("tile_url", c.ui.tileUrl));
    CITYOPS_TRY(ui.string("tile_attribution", c.ui.tileAttribution));
    CITYOPS_TRY(ui.integer("zoom", 1, 19, c.ui.zoom));
    CITYOPS_TRY(ui.string("language", c.ui.language));
    const auto& url = c.ui.tileUrl;
    if (!url.empty()) {
      const bool scheme = url.starts_with("https://") || url.starts_with("http://");
      const size_t hostStart = scheme ? url.find("//") + 2 : 0;
      const size_t hostEnd = scheme ? url.find('/', hostStart) : std::string::npos;
      if (!scheme || hostEnd == std::string::npos || hostEnd == hostStart ||
          url.find("{z}") == std::string::npos || url.find("{x}") == std::string::npos ||
          url.find("{y}") == std::string::npos || url.find_first_of(" \"';\t\r\n") != std::string::npos)
        return ui.bad("tile_url", "must be an http(s) URL template with {z}, {x} and {y} such as "
                                  "\"https://tile.openstreetmap.org/{z}/{x}/{y}.png\", or \"\" for no basemap, got \"" +
                                      clip(url) + "\"");
    }
    if (c.ui.language != "vi" && c.ui.language != "en")
      return ui.bad("language", "must be \"vi\" or \"en\", got \"" + clip(c.ui.language) + "\"");
  }
  {
    Reader demo(source, "demo", true, section("demo"));
    CITYOPS_TRY(demo.onlyKeys({"scenario", "from", "hours", "minutes", "faults"}));
    auto& d = c.demo;
    CITYOPS_TRY(demo.string("scenario", d.scenario));
    if (!d.scenario.empty()) {
      std::filesystem::path p(d.scenario);
      if (p.is_relative()) d.scenario = (std::filesystem::path(source).parent_path() / p).string();
      std::string from;
      CITYOPS_TRY(demo.string("from", from));
      auto t = parseTime(from);
      if (!t) return demo.bad("from", "must be an RFC 3339 time, e.g. \"2025-10-29T00:00:00+07:00\"");
      d.fromMs = *t;
      int64_t hours = 0, minutes = 10;
      CITYOPS_TRY(demo.integer("hours", 1, 24 * 30, hours));
      if (!demo.has("hours")) return demo.bad("hours", "is required with a scenario (the hours of the event played)");
      CITYOPS_TRY(demo.integer("minutes", 1, 24 * 60, minutes));
      d.lengthMs = hours * 3600000;
      d.wallMs = minutes * 60000;
      if (d.wallMs > d.lengthMs) return demo.bad("minutes", "must not be longer than the hours played");
      if (const auto* faults = demo.get("faults")) {
        const auto* list = faults->as_array();
        if (!list) return demo.bad("faults", "must be an array of { entity, metric, at, value }");
        for (size_t i = 0; i < list->size(); ++i) {
          const auto* t = (*list)[i].as_table();
          const std::string where = "demo.faults[" + std::to_string(i) + "]";
          if (!t) return configError(source, where, "must be a table { entity, metric, at, value }");
          Reader r(source, where, true, *t);
          CITYOPS_TRY(r.onlyKeys({"entity", "metric", "at", "value"}));
          DemoFault f;
          std::string at;
          CITYOPS_TRY(r.string("entity", f.entity));
          CITYOPS_TRY(r.string("metric", f.metric));
          CITYOPS_TRY(r.string("at", at));
          CITYOPS_TRY(r.number("value", f.value));
          auto ms = rules::Duration::parse(at);
          if (!ms || *ms >= d.lengthMs) return r.bad("at", "must be a duration into the scenario, e.g. \"9h\"");
          f.atMs = *ms;
          if (f.entity.empty() || !model::isValidMetric(f.metric)) return r.badEntry("needs an entity and a metric");
          d.faults.push_back(std::move(f));
        }
      }
    } else if (demo.has("from") || demo.has("hours") || demo.has("faults")) {
      return demo.badEntry("from, hours and faults need a scenario");
    }
  }
  {
    Reader storage(source, "storage", true, section("storage"));
    CITYOPS_TRY(storage.onlyKeys({"data", "full_sync"}));
    CITYOPS_TRY(storage.string("data", c.dataDir));
    CITYOPS_TRY(storage.boolean("full_sync", c.fullSync));
  }

  if (auto* list = root["entity"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string where = "entity[" + std::to_string(i) + "]";
      auto* t = (*list)[i].as_table();
      if (!t) return configError(source, where, "must be a table ([[entity]])");
      json::value v = toJson(*t);
      auto& o = v.get_object();
      const std::string named =
          where + " (" + (o.contains("id") && o["id"].is_string() ? std::string(o["id"].get_string()) : "?") + ")";
      for (const char* k : {"created_at", "updated_at"})
        if (o.contains(k)) return configError(source, named, std::string(k) + " is set by the server; leave it out");
      if (auto* p = o.if_contains("point")) {  // shorthand: point = [lon, lat]
        if (o.contains("geometry")) return configError(source, named, "give either point or geometry, not both");
        o["geometry"] = json::object{{"type", "Point"}, {"coordinates", *p}};
        o.erase("point");
      }
      auto e = model::EntityCodec::fromJson(v, nowMs);
      if (!e) return configError(source, named, e.error().message);
      for (size_t j = 0; j < c.entities.size(); ++j)
        if (c.entities[j].id == e->id)
          return configError(source, named, "id is declared twice (first in entity[" + std::to_string(j) + "])");
      c.entities.push_back(std::move(*e));
    }
  }

  bool anyPeakHour = false;
  if (auto* list = root["rule"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string where = "rule[" + std::to_string(i) + "]";
      auto* t = (*list)[i].as_table();
      if (!t) return configError(source, where, "must be a table ([[rule]])");
      json::value v = toJson(*t);
      const auto& o = v.get_object();
      const std::string named =
          where + " (" + (o.contains("id") && o.at("id").is_string() ? std::string(o.at("id").get_string()) : "?") + ")";
      auto rule = rules::fromJson(v, nowMs);
      if (!rule) return configError(source, named, rule.error().message);
      for (const auto& other : c.rules)
        if (other.id == rule->id) return configError(source, named, "a rule with this id is declared twice");
      c.rules.push_back(std::move(*rule));
    }
  }

  if (auto* list = root["subscription"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string where = "subscription[" + std::to_string(i) + "]";
      auto* t = (*list)[i].as_table();
      if (!t) return configError(source, where, "must be a table ([[subscription]])");
      json::value v = toJson(*t);
      auto& o = v.get_object();
      const std::string named =
          where + " (" + (o.contains("url") && o.at("url").is_string() ? clip(std::string(o.at("url").get_string())) : "?") + ")";
      // secret_file: the secret kept out of the config file, in a file of its own (relative to the config's folder).
      if (const auto* file = o.if_contains("secret_file")) {
        if (o.contains("secret")) return configError(source, named, "set secret or secret_file, not both");
        if (!file->is_string()) return configError(source, named, "secret_file must be a string");
        std::filesystem::path path(std::string(file->get_string()));
        if (path.is_relative()) path = std::filesystem::path(source).parent_path() / path;
        std::ifstream in(path, std::ios::binary);
        if (!in) return configError(source, named, "cannot read secret_file " + path.string());
        std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
        o.erase("secret_file");
        o["secret"] = secret;
      }
      auto sub = notify::parseNewSubscription(v);
      if (!sub) return configError(source, named, sub.error().message);
      if (auto ep = notify::parseEndpoint(sub->url); !ep) return configError(source, named, ep.error().message);
      if (sub->secret.size() < notify::SubscriptionStore::kMinSecret ||
          sub->secret.size() > notify::SubscriptionStore::kMaxSecret)
        return configError(source, named,
                           "the secret must be " + std::to_string(notify::SubscriptionStore::kMinSecret) + " to " +
                               std::to_string(notify::SubscriptionStore::kMaxSecret) + " bytes");
      for (const auto& other : c.subscriptions)
        if (other.url == sub->url) return configError(source, named, "a subscription with this url is declared twice");
      c.subscriptions.push_back(std::move(*sub));
    }
  }

  if (auto* list = root["simulate"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string where = "simulate[" + std::to_string(i) + "]";
      auto* t = (*list)[i].as_table();
      if (!t) return configError(source, where, "must be a table ([[simulate]])");
      Reader r(source, where, false, *t);
      CITYOPS_TRY(r.onlyKeys({"entity", "type", "metric", "base", "amplitude", "period_minutes", "noise", "min", "max",
                              "every_seconds", "peak_hour", "integer", "episode_every_hours", "episode_hours",
                              "episode_add", "episode_offset_hours"}));
      SimulationSpec s;
      CITYOPS_TRY(r.string("entity", s.entity));
      CITYOPS_TRY(r.string("type", s.type));
      CITYOPS_TRY(r.string("metric", s.metric));
      CITYOPS_TRY(r.number("base", s.base));
      CITYOPS_TRY(r.number("amplitude", s.amplitude));
      CITYOPS_TRY(r.number("period_minutes", s.periodMinutes));
      CITYOPS_TRY(r.number("noise", s.noise));
      CITYOPS_TRY(r.number("min", s.min));
      CITYOPS_TRY(r.number("max", s.max));
      int64_t every = s.everySeconds;
      CITYOPS_TRY(r.integer("every_seconds", 1, 86400, every));
      s.everySeconds = static_cast<int>(every);
      if (r.has("peak_hour")) {
        int64_t hour = 0;
        CITYOPS_TRY(r.integer("peak_hour", 0, 23, hour));
        s.peakHour = static_cast<int>(hour);
      }
      CITYOPS_TRY(r.boolean("integer", s.integer));
      CITYOPS_TRY(r.number("episode_every_hours", s.episodeEveryHours));
      CITYOPS_TRY(r.number("episode_hours", s.episodeHours));
      CITYOPS_TRY(r.number("episode_add", s.episodeAdd));
      CITYOPS_TRY(r.number("episode_offset_hours", s.episodeOffsetHours));
      s.utcOffsetMinutes = c.utcOffsetMinutes;

      if (s.entity.empty() == s.type.empty()) return r.badEntry("set exactly one of entity or type");
      if (!model::isValidMetric(s.metric)) return r.badEntry("metric must match [a-z0-9_]{1,64}");
      if (s.periodMinutes <= 0) return r.bad("period_minutes", "must be > 0, got " + formatNumber(s.periodMinutes));
      if (s.noise < 0) return r.bad("noise", "must be >= 0, got " + formatNumber(s.noise));
      if (s.min > s.max)
        return r.badEntry("min must be <= max, got min " + formatNumber(s.min) + " and max " + formatNumber(s.max));
      if (s.peakHour) {
        anyPeakHour = true;
        if (s.periodMinutes != 1440)
          return r.bad("peak_hour", "needs a daily cycle (period_minutes = 1440), got period_minutes " +
                                        formatNumber(s.periodMinutes));
        if (s.amplitude < 0)
          return r.bad("peak_hour", "needs amplitude >= 0 (a negative amplitude would put the low at peak_hour), "
                                    "got amplitude " + formatNumber(s.amplitude));
      }
      const bool episode = r.has("episode_every_hours") || r.has("episode_hours") || r.has("episode_add") ||
                           r.has("episode_offset_hours");
      if (episode) {
        if (!r.has("episode_every_hours") || !r.has("episode_hours") || !r.has("episode_add"))
          return r.badEntry("an episode needs episode_every_hours, episode_hours and episode_add together "
                            "(episode_offset_hours is optional)");
        if (s.episodeEveryHours <= 0)
          return r.bad("episode_every_hours", "must be > 0, got " + formatNumber(s.episodeEveryHours));
        if (s.episodeHours <= 0 || s.episodeHours >= s.episodeEveryHours)
          return r.bad("episode_hours", "must be > 0 and < episode_every_hours (" +
                                            formatNumber(s.episodeEveryHours) + "), got " +
                                            formatNumber(s.episodeHours));
        if (s.episodeOffsetHours < 0)
          return r.bad("episode_offset_hours", "must be >= 0, got " + formatNumber(s.episodeOffsetHours));
      }
      if (s.integer && std::ceil(s.min) > std::floor(s.max))
        return r.badEntry("integer = true needs a whole number between min and max, got min " + formatNumber(s.min) +
                          " and max " + formatNumber(s.max));

      if (!s.entity.empty() &&
          std::none_of(c.entities.begin(), c.entities.end(), [&](const model::Entity& e) { return e.id == s.entity; }))
        return r.badEntry("entity '" + clip(s.entity) + "' is not declared by any [[entity]]");
      if (!s.type.empty() &&
          std::none_of(c.entities.begin(), c.entities.end(), [&](const model::Entity& e) { return e.type == s.type; }))
        return r.badEntry("type '" + clip(s.type) + "' matches no [[entity]]");
      // One spec per (entity, metric) and per (type, metric): two would drive the same series twice. An entity's own
      // spec beside a type-wide one is fine (it takes precedence for that entity, see sim::Simulator).
      for (size_t j = 0; j < c.simulations.size(); ++j) {
        const auto& o = c.simulations[j];
        if (o.metric == s.metric && o.entity == s.entity && o.type == s.type)
          return r.badEntry("metric '" + s.metric + "' of " +
                            (s.entity.empty() ? "type '" + clip(s.type) + "'" : "entity '" + clip(s.entity) + "'") +
                            " is already driven by simulate[" + std::to_string(j) + "]");
      }
      c.simulations.push_back(std::move(s));
    }
  }
  if (anyPeakHour && !c.utcOffsetKnown)
    spdlog::warn("{}: the UTC offset of city.timezone '{}' is not in cityops' table of fixed-offset zones; "
                 "peak_hour is taken as a UTC hour",
                 source, c.timezone);
  return c;
}

}  // namespace cityops::config
