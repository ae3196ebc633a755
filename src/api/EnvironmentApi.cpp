#include "api/EnvironmentApi.hpp"

#include "api/Api.hpp"
#include "api/QueryParams.hpp"
#include "common/Time.hpp"
#include "environment/AqiCategory.hpp"
#include "environment/AqiCodec.hpp"
#include "environment/StationAqi.hpp"

#include <boost/json.hpp>

namespace cityops::api {

namespace json = boost::json;
using http::Reply;
using http::Request;
using http::Response;

namespace {

/// The latest value of `metric` per station of the type, by entity id.
std::map<std::string, store::LatestValue> latestOf(const store::Store& store, const char* metric) {
  std::map<std::string, store::LatestValue> out;
  store::LatestQuery q;
  q.type = std::string(environment::kAirQualityType);
  q.metric = metric;
  if (auto values = store.latest(q))
    for (auto& v : *values) out.emplace(v.entity, std::move(v));
  return out;
}

json::object categoryJson(const environment::AqiCategory& c) {
  json::object o;
  o["level"] = c.level;
  o["category"] = c.name.vi;
  o["category_en"] = c.name.en;
  o["colour"] = c.colour.en;
  o["colour_hex"] = c.hex;
  o["advice"] = json::object{{"vi", c.adviceGeneral.vi}, {"en", c.adviceGeneral.en}};
  return o;
}

}  // namespace

void EnvironmentApi::registerRoutes(http::Router& r) {
  r.add("POST", "/api/v1/environment/aqi/compute", [](Request&& req, Reply reply) {
    if (req.body.empty())
      return reply(Response::error(400, "bad_request", "send {\"standard\", \"period\", \"hourly\": {\"pm25\": [...]}}"));
    boost::system::error_code ec;
    json::parse_options opt;
    opt.max_depth = 8;
    auto v = json::parse(req.body, ec, {}, opt);
    if (ec) return reply(Response::error(400, "bad_request", "malformed JSON: " + ec.message()));
    auto out = environment::AqiCodec::compute(v);
    if (!out) return reply(Api::errorResponse(out.error()));
    reply(Response::json(200, *out));
  });

  r.add("GET", "/api/v1/environment/aqi", [this](Request&& req, Reply reply) {
    QueryParams q(req.query);
    if (auto s = q.onlyAllow({"entity", "standard", "period", "at"}); !s) return reply(Api::errorResponse(s.error()));
    const auto entity = q.text("entity");
    if (!entity || entity->empty())
      return reply(Response::error(400, "bad_request", "entity is required (an AirQualityStation id)"));
    auto standard = environment::parseStandard(q.text("standard").value_or("vn"));
    if (!standard) return reply(Api::errorResponse(standard.error()));
    auto period = environment::parsePeriod(q.text("period").value_or("hour"));
    if (!period) return reply(Api::errorResponse(period.error()));
    auto at = q.time("at", clock_.nowMs());
    if (!at) return reply(Api::errorResponse(at.error()));
    auto report = environment::stationAqi(store_, *entity, *standard, *period, *at, utcOffsetMinutes_);
    if (!report) return reply(Api::errorResponse(report.error()));
    auto out = environment::AqiCodec::encodeReport(*report);
    const auto w = environment::aqiWindow(*period, *at, utcOffsetMinutes_);
    out["entity"] = *entity;
    out["from"] = formatTime(w.toMs - (*period == environment::Period::Hour ? environment::kHourMs : 24 * environment::kHourMs));
    out["to"] = formatTime(w.toMs);
    reply(Response::json(200, out));
  });

  r.add("GET", "/api/v1/public/air", [this](Request&& req, Reply reply) {
    if (!req.query.empty())
      return reply(Response::error(400, "bad_request", "this endpoint takes no query parameters"));
    store::EntityQuery eq;
    eq.type = std::string(environment::kAirQualityType);
    eq.limit = 10000;
    auto stations = store_.listEntities(eq);
    if (!stations) return reply(Api::errorResponse(stations.error()));
    const auto vn = latestOf(store_, "aqi_vn");
    const auto us = latestOf(store_, "aqi_us");
    const auto pm25 = latestOf(store_, "pm25");
    json::array items;
    for (const auto& e : stations->items) {
      json::object o;
      o["id"] = e.id;
      o["name"] = e.name;
      if (const auto* en = e.attributes.if_contains("name_en"); en && en->is_string()) o["name_en"] = *en;
      o["geometry"] = e.geometry ? e.geometry->toJson() : json::value(nullptr);
      auto index = [&](const std::map<std::string, store::LatestValue>& m, bool vnScale) -> json::value {
        auto it = m.find(e.id);
        if (it == m.end()) return nullptr;
        const int aqi = static_cast<int>(it->second.value);
        json::object a = categoryJson(vnScale ? environment::AqiCategory::vn(aqi) : environment::AqiCategory::us(aqi));
        a["aqi"] = aqi;
        a["at"] = formatTime(it->second.time);
        return a;
      };
      o["vn"] = index(vn, true);
      o["us"] = index(us, false);
      if (auto it = pm25.find(e.id); it != pm25.end())
        o["pm25"] = json::object{{"value", it->second.value}, {"at", formatTime(it->second.time)}};
      else
        o["pm25"] = nullptr;
      items.push_back(std::move(o));
    }
    json::object out;
    out["stations"] = std::move(items);
    out["generated_at"] = formatTime(clock_.nowMs());
    reply(Response::json(200, out));
  });
}

}  // namespace cityops::api
