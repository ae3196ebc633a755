#include "api/FloodApi.hpp"

#include "api/Api.hpp"
#include "api/QueryParams.hpp"
#include "common/Time.hpp"
#include "flood/AlarmLevels.hpp"
#include "flood/ForecastJson.hpp"
#include "flood/StationForecasts.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace cityops::api {

namespace json = boost::json;
using http::Reply;
using http::Request;
using http::Response;

namespace {

bool isFloodEntity(const model::Entity& e) { return e.type == flood::kStationType || e.type == flood::kRainGaugeType; }

json::value timeOrNull(int64_t ms) { return ms > 0 ? json::value(formatTime(ms)) : json::value(nullptr); }

std::vector<model::Entity> zones(const store::Store& store) {
  store::EntityQuery q;
  q.type = "Zone";
  q.limit = 10000;
  auto page = store.listEntities(q);
  return page ? std::move(page->items) : std::vector<model::Entity>{};
}

}  // namespace

json::object FloodApi::stationJson(const model::Entity& e, const std::vector<alerts::Alert>& open) const {
  json::object o;
  o["id"] = e.id;
  o["name"] = e.name;
  for (const char* k : {"name_en", "river", "upstream", "downstream", "peaks"})
    if (const auto* v = e.attributes.if_contains(k)) o[k] = *v;
  o["geometry"] = e.geometry ? e.geometry->toJson() : json::value(nullptr);
  auto levels = flood::alarmLevelsOf(e);
  json::object bd;
  for (size_t i = 0; i < 3; ++i) {
    const auto& v = levels ? levels->bd[i] : std::nullopt;
    bd["bd" + std::to_string(i + 1)] = v ? json::value(*v) : json::value(nullptr);
  }
  o["alarm_levels"] = std::move(bd);

  store::LatestQuery lq;
  lq.entity = e.id;
  lq.metric = std::string(flood::kLevelMetric);
  auto latest = store_.latest(lq);
  if (latest && !latest->empty()) {
    const auto& l = latest->front();
    o["latest"] = json::object{{"time", formatTime(l.time)}, {"value", l.value},
                               {"quality", std::string(model::qualityName(l.quality))}};
    const int level = levels ? levels->levelAt(l.value) : 0;
    o["alarm_level"] = level;
    const auto risk = levels ? flood::riskLevelAt(e, *levels, l.value) : flood::riskLevel(0);
    o["risk_level"] = json::object{{"level", risk.level}, {"colour", risk.colour}, {"colour_vi", risk.colourVi},
                                   {"hex", risk.hex}};
  } else {
    o["latest"] = nullptr;
    o["alarm_level"] = nullptr;
    o["risk_level"] = nullptr;
  }
  json::object qc;
  for (const auto& [metric, c] : qc_.counts(e.id))
    qc[metric] = json::object{{"checked", c.checked}, {"hard", c.hard}, {"soft", c.soft}, {"spike", c.spike},
                              {"flat", c.flat}, {"gap", c.gap}, {"last_flagged_at", timeOrNull(c.lastFlaggedMs)}};
  o["qc"] = std::move(qc);
  json::array alerts;
  for (const auto& a : open)
    if (a.entity == e.id)
      alerts.push_back(json::object{{"id", a.id}, {"rule", a.rule}, {"severity", std::string(rules::severityName(a.severity))},
                                    {"state", std::string(alerts::stateName(a.state))}, {"value", a.value},
                                    {"updated_at", formatTime(a.updatedMs)}});
  o["alerts"] = std::move(alerts);
  // The zones this station puts at risk, with what lies inside them (roads, schools, POIs, cameras).
  json::array mine;
  for (auto& z : zonesJson(std::nullopt))
    if (z.at("station").as_string() == e.id) mine.push_back(std::move(z));
  o["zones"] = std::move(mine);
  return o;
}

Result<std::string> FloodApi::capFor(const alerts::Alert& a, size_t version) const {
  auto e = store_.getEntity(a.entity);
  if (!e || !isFloodEntity(*e)) return NotFound("alert " + std::to_string(a.id) + " is not a flood alert (no CAP message)");
  std::optional<int> risk;
  if (auto levels = flood::alarmLevelsOf(*e); levels && levels->any() && a.metric == flood::kLevelMetric &&
                                               a.rule.rfind("rise.", 0) != 0) {
    const int level = flood::riskLevelAt(*e, *levels, a.value).level;
    if (level > 0) risk = level;
  }
  flood::CapInput in(a, &*e, flood::capZonesFor(*e, zones(store_)), risk);
  return flood::capXml(in, cap_, version);
}

bool FloodApi::isWarning(const alerts::Alert& a) const {
  if (!ruleKindOf_) return true;
  const auto kind = ruleKindOf_(a.rule);
  return !kind || *kind != rules::Kind::Stale;
}

json::array FloodApi::zonesJson(std::optional<int> level) const {
  const auto all = zones(store_);
  json::array out;
  for (const auto& z : all) {
    const auto* watch = z.attributes.if_contains("watch_station");
    if (!watch || !watch->is_string()) continue;  // not a flood zone
    int zoneLevel = 1;  // the alarm level at which the zone is at risk (attribute "level", default I)
    if (const auto* l = z.attributes.if_contains("level"); l && l->is_int64()) zoneLevel = static_cast<int>(l->as_int64());
    if (level && zoneLevel != *level) continue;
    const std::string station(watch->as_string());
    int current = 0;
    if (auto st = store_.getEntity(station)) {
      store::LatestQuery lq;
      lq.entity = station;
      lq.metric = std::string(flood::kLevelMetric);
      auto latest = store_.latest(lq);
      auto levels = flood::alarmLevelsOf(*st);
      if (latest && !latest->empty() && levels) current = levels->levelAt(latest->front().value);
    }
    json::object o;
    o["id"] = z.id;
    o["name"] = z.name;
    if (const auto* en = z.attributes.if_contains("name_en")) o["name_en"] = *en;
    o["station"] = station;
    o["level"] = zoneLevel;
    o["station_alarm_level"] = current;
    o["at_risk"] = current >= zoneLevel;
    o["geometry"] = z.geometry ? z.geometry->toJson() : json::value(nullptr);
    // What lies inside: the R-tree narrows by bounding box, the polygon decides.
    json::array inside;
    if (z.geometry && z.geometry->kind == model::Geometry::Kind::Polygon) {
      store::EntityQuery q;
      q.bbox = z.geometry->bbox();
      q.limit = 10000;
      if (auto page = store_.listEntities(q)) {
        for (const auto& e : page->items) {
          if (e.id == z.id || !e.geometry || e.geometry->kind != model::Geometry::Kind::Point) continue;
          if (!z.geometry->containsPoint(e.geometry->rings.at(0).at(0))) continue;
          inside.push_back(json::object{{"id", e.id}, {"type", e.type}, {"name", e.name}});
        }
      }
    }
    o["entities"] = std::move(inside);
    out.push_back(std::move(o));
  }
  return out;
}

void FloodApi::registerRoutes(http::Router& r) {
  r.add("GET", "/api/v1/flood/zones", [this](Request&& req, Reply reply) {
    QueryParams q(req.query);
    if (auto s = q.onlyAllow({"level"}); !s) return reply(Api::errorResponse(s.error()));
    std::optional<int> level;
    if (req.query.count("level")) {
      auto l = q.integer("level", 1, 1, 3);
      if (!l) return reply(Api::errorResponse(l.error()));
      level = static_cast<int>(*l);
    }
    reply(Response::json(200, zonesJson(level)));
  });

  r.add("GET", "/api/v1/public/warnings", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(Response::error(400, "bad_request", "this endpoint takes no query parameters"));
    const auto allZones = zones(store_);
    json::array items;
    auto open = alerts_.openAlerts();
    std::sort(open.begin(), open.end(), [](const alerts::Alert& a, const alerts::Alert& b) {
      return a.severity != b.severity ? a.severity > b.severity : a.updatedMs > b.updatedMs;
    });
    for (const auto& brief : open) {
      if (!isWarning(brief)) continue;
      auto e = store_.getEntity(brief.entity);
      if (!e || !isFloodEntity(*e)) continue;
      auto a = alerts_.get(brief.id);
      if (!a) continue;
      flood::CapInput in(*a, &*e, flood::capZonesFor(*e, allZones));
      auto m = flood::capMessage(in, cap_);
      if (!m) continue;
      json::object w;
      w["id"] = a->id;
      w["station"] = e->id;
      w["station_name"] = e->name;
      w["severity"] = std::string(rules::severityName(a->severity));
      w["certainty"] = m->certainty;
      w["updated_at"] = formatTime(a->updatedMs);
      for (const auto& info : m->info) {
        const std::string lang = info.language.substr(0, 2);  // "vi", "en"
        w[lang] = json::object{{"headline", info.headline}, {"description", info.description},
                               {"instruction", info.instruction}, {"area", info.areaDesc}};
      }
      w["cap"] = "/api/v1/alerts/" + std::to_string(a->id) + "/cap";
      items.push_back(std::move(w));
    }
    reply(Response::json(200, json::object{{"warnings", std::move(items)}, {"generated_at", formatTime(clock_.nowMs())}}));
  });

  r.add("GET", "/api/v1/flood/stations", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(Response::error(400, "bad_request", "this endpoint takes no query parameters"));
    store::EntityQuery q;
    q.type = std::string(flood::kStationType);
    q.limit = 10000;
    auto page = store_.listEntities(q);
    if (!page) return reply(Api::errorResponse(page.error()));
    const auto open = alerts_.openAlerts();
    json::array out;
    for (const auto& e : page->items) out.push_back(stationJson(e, open));
    reply(Response::json(200, out));
  });

  r.add("GET", "/api/v1/flood/stations/{id}", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(Response::error(400, "bad_request", "this endpoint takes no query parameters"));
    const auto& id = req.params.at("id");
    auto e = store_.getEntity(id);
    if (!e) return reply(Api::errorResponse(e.error()));
    if (e->type != flood::kStationType)
      return reply(Response::error(404, "not_found", "'" + id + "' is not a WaterLevelStation"));
    reply(Response::json(200, stationJson(*e, alerts_.openAlerts())));
  });

  r.add("GET", "/api/v1/flood/stations/{id}/forecast", [this](Request&& req, Reply reply) {
    QueryParams q(req.query);
    if (auto s = q.onlyAllow({"horizon"}); !s) return reply(Api::errorResponse(s.error()));
    int64_t horizon = 6 * 3600000;
    if (auto h = q.text("horizon")) {
      auto parsed = QueryParams::interval(*h);
      if (!parsed || *parsed < 3600000 || *parsed > 6 * 3600000 || *parsed % 3600000 != 0)
        return reply(Response::error(400, "bad_request", "horizon must be whole hours from 1h to 6h, e.g. 6h"));
      horizon = *parsed;
    }
    auto f = flood::StationForecasts(store_).forecast(req.params.at("id"), horizon, clock_.nowMs());
    if (!f) return reply(Api::errorResponse(f.error()));
    reply(Response::json(200, flood::forecastJson(*f)));
  });

  r.add("GET", "/api/v1/alerts/{id}/cap", [this](Request&& req, Reply reply) {
    QueryParams q(req.query);
    if (auto s = q.onlyAllow({"version"}); !s) return reply(Api::errorResponse(s.error()));
    auto id = QueryParams::pathId(req.params, "alert");
    if (!id) return reply(Api::errorResponse(id.error()));
    auto version = q.integer("version", 0, 0, 1000000);
    if (!version) return reply(Api::errorResponse(version.error()));
    auto a = alerts_.get(*id);
    if (!a) return reply(Api::errorResponse(a.error()));
    auto xml = capFor(*a, static_cast<size_t>(*version));
    if (!xml) return reply(Api::errorResponse(xml.error()));
    reply(Response::text(200, std::move(*xml), "application/cap+xml; charset=utf-8"));
  });

  r.add("GET", "/api/v1/cap/feed.atom", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(Response::error(400, "bad_request", "this endpoint takes no query parameters"));
    const int64_t now = clock_.nowMs();
    // Every open alert and the last resolved ones (newest first), flood ones only, each with its history.
    auto list = alerts_.openAlerts();
    alerts::AlertQuery q;
    q.state = alerts::State::Resolved;
    q.limit = 1000;
    auto resolved = alerts_.list(q);
    if (!resolved) return reply(Api::errorResponse(resolved.error()));
    list.insert(list.end(), resolved->begin(), resolved->end());
    std::vector<alerts::Alert> full;
    std::vector<model::Entity> entities;
    full.reserve(list.size());
    entities.reserve(list.size());
    for (const auto& brief : list) {
      if (!flood::inAtomFeed(brief, now, atom_) || !isWarning(brief)) continue;
      auto e = store_.getEntity(brief.entity);
      if (!e || !isFloodEntity(*e)) continue;
      auto a = alerts_.get(brief.id);
      if (!a) continue;
      full.push_back(std::move(*a));
      entities.push_back(std::move(*e));
    }
    const auto allZones = zones(store_);
    std::vector<flood::CapInput> inputs;
    inputs.reserve(full.size());
    for (size_t i = 0; i < full.size(); ++i)
      inputs.emplace_back(full[i], &entities[i], flood::capZonesFor(entities[i], allZones));
    auto feed = flood::atomFeed(inputs, cap_, atom_, now);
    if (!feed) return reply(Api::errorResponse(feed.error()));
    reply(Response::text(200, std::move(*feed), "application/atom+xml; charset=utf-8"));
  });
}

}  // namespace cityops::api
