#include "config/CityConfig.hpp"

#include "model/EntityCodec.hpp"
#include "model/Names.hpp"

#include <boost/json.hpp>
#include <toml++/toml.h>

#include <fstream>
#include <sstream>

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
  c.name = root["city"]["name"].value_or(c.name);
  c.timezone = root["city"]["timezone"].value_or(c.timezone);
  c.centerLat = root["city"]["center"]["lat"].value_or(0.0);
  c.centerLon = root["city"]["center"]["lon"].value_or(0.0);
  c.listen = root["server"]["listen"].value_or(c.listen);
  c.threads = static_cast<int>(root["server"]["threads"].value_or(int64_t{2}));
  if (c.threads < 1 || c.threads > 64) return configError(source, "server.threads", "must be 1..64");
  c.dataDir = root["storage"]["data"].value_or(c.dataDir);
  c.fullSync = root["storage"]["full_sync"].value_or(false);

  if (auto* list = root["entity"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string where = "entity[" + std::to_string(i) + "]";
      auto* t = (*list)[i].as_table();
      if (!t) return configError(source, where, "must be a table ([[entity]])");
      json::value v = toJson(*t);
      auto& o = v.get_object();
      if (auto* p = o.if_contains("point")) {  // shorthand: point = [lon, lat]
        o["geometry"] = json::object{{"type", "Point"}, {"coordinates", *p}};
        o.erase("point");
      }
      auto e = model::EntityCodec::fromJson(v, nowMs);
      if (!e) return configError(source, where + " (" + std::string(o.contains("id") && o["id"].is_string()
                                                                        ? o["id"].get_string().c_str()
                                                                        : "?") + ")",
                                 e.error().message);
      for (const auto& prev : c.entities)
        if (prev.id == e->id) return configError(source, where, "id '" + e->id + "' is declared twice");
      c.entities.push_back(std::move(*e));
    }
  }
  if (auto* list = root["simulate"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string where = "simulate[" + std::to_string(i) + "]";
      auto* t = (*list)[i].as_table();
      if (!t) return configError(source, where, "must be a table ([[simulate]])");
      SimulationSpec s;
      s.entity = (*t)["entity"].value_or(std::string());
      s.type = (*t)["type"].value_or(std::string());
      s.metric = (*t)["metric"].value_or(std::string());
      s.base = (*t)["base"].value_or(0.0);
      s.amplitude = (*t)["amplitude"].value_or(0.0);
      s.periodMinutes = (*t)["period_minutes"].value_or(1440.0);
      s.noise = (*t)["noise"].value_or(0.0);
      s.min = (*t)["min"].value_or(-1e300);
      s.max = (*t)["max"].value_or(1e300);
      s.everySeconds = static_cast<int>((*t)["every_seconds"].value_or(int64_t{10}));
      if (s.entity.empty() == s.type.empty()) return configError(source, where, "set exactly one of entity or type");
      if (!model::isValidMetric(s.metric)) return configError(source, where, "metric must match [a-z0-9_]{1,64}");
      if (s.everySeconds < 1 || s.periodMinutes <= 0 || s.noise < 0 || s.min > s.max)
        return configError(source, where, "every_seconds >= 1, period_minutes > 0, noise >= 0, min <= max");
      c.simulations.push_back(std::move(s));
    }
  }
  return c;
}

}  // namespace cityops::config
