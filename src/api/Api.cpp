#include "api/Api.hpp"

#include "api/OpenApi.hpp"
#include "api/QueryParams.hpp"
#include "common/JsonText.hpp"
#include "common/Time.hpp"
#include "model/EntityCodec.hpp"
#include "model/ObservationDecoder.hpp"

#include <boost/json.hpp>

#include <unordered_set>

namespace cityops::api {

namespace json = boost::json;
using http::Reply;
using http::Request;
using http::Response;

namespace {

constexpr int64_t kDefaultWindowMs = 86400000;

Result<json::value> parseBody(const Request& req) {
  if (req.body.empty()) return BadRequest("the request body is empty; send JSON");
  json::parse_options opt;
  opt.max_depth = 32;
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec, {}, opt);
  if (ec == json::error::too_deep) return BadRequest("JSON nesting is too deep (at most 32 levels)");
  if (ec) return BadRequest("malformed JSON: " + ec.message());
  return v;
}

Result<store::Agg> parseAgg(const std::optional<std::string>& s) {
  if (!s || *s == "avg") return store::Agg::Avg;
  if (*s == "min") return store::Agg::Min;
  if (*s == "max") return store::Agg::Max;
  if (*s == "sum") return store::Agg::Sum;
  if (*s == "count") return store::Agg::Count;
  if (*s == "last") return store::Agg::Last;
  return BadRequest("agg must be one of avg, min, max, sum, count, last");
}

}  // namespace

Api::Api(store::Store& store, stream::Hub& hub, metrics::Registry& metrics, const Clock& clock)
    : store_(store), hub_(hub), metrics_(metrics), clock_(clock) {}

Response Api::errorResponse(const Error& e) {
  int status = 500;
  if (e.code == "bad_request") status = 400;
  else if (e.code == "unauthenticated") status = 401;
  else if (e.code == "forbidden") status = 403;
  else if (e.code == "too_many_requests") status = 429;
  else if (e.code == "not_found") status = 404;
  else if (e.code == "conflict") status = 409;
  else if (e.code == "too_large") status = 413;
  else if (e.code == "unknown_entity") status = 422;
  else if (e.code == "unavailable" || e.code == "busy") status = 503;
  auto r = Response::error(status, e.code, e.message);
  if (e.code == "busy") r.headers.emplace_back("Retry-After", "1");
  return r;
}

void Api::registerRoutes(http::Router& r) {
  auto bind = [this](void (Api::*m)(Request&&, Reply)) {
    return [this, m](Request&& req, Reply reply) { (this->*m)(std::move(req), std::move(reply)); };
  };
  r.add("GET", "/healthz", [](Request&&, Reply reply) { reply(Response::json(200, {{"status", "ok"}})); });
  r.add("GET", "/readyz", [this](Request&&, Reply reply) {
    if (store_.ready()) reply(Response::json(200, {{"status", "ready"}}));
    else reply(Response::error(503, "unavailable", "the store is not open"));
  });
  registerMetricsRoute(r);
  r.add("GET", "/api/v1/openapi.json",
        [](Request&&, Reply reply) { reply(Response::text(200, std::string(OpenApi::document()), "application/json")); });
  r.add("POST", "/api/v1/entities", bind(&Api::createEntities));
  r.add("GET", "/api/v1/entities", bind(&Api::listEntities));
  r.add("GET", "/api/v1/entities/{id}", bind(&Api::getEntity));
  r.add("PATCH", "/api/v1/entities/{id}", bind(&Api::patchEntity));
  r.add("DELETE", "/api/v1/entities/{id}", bind(&Api::deleteEntity));
  r.add("POST", "/api/v1/observations", bind(&Api::ingest));
  r.add("GET", "/api/v1/entities/{id}/observations", bind(&Api::querySeries));
  r.add("GET", "/api/v1/latest", bind(&Api::latest));
}

void Api::registerMetricsRoute(http::Router& r) {
  r.add("GET", "/metrics", [this](Request&&, Reply reply) {
    auto st = store_.stats();
    metrics_.gauge("cityops_entities", "Entities known").set(static_cast<double>(st.entities));
    metrics_.gauge("cityops_series", "Series known").set(static_cast<double>(st.series));
    metrics_.gauge("cityops_head_samples", "Samples not yet sealed into chunks").set(static_cast<double>(st.headSamples));
    metrics_.gauge("cityops_stream_subscribers", "Live stream clients").set(static_cast<double>(hub_.subscriberCount()));
    reply(Response::text(200, metrics_.render(), "text/plain; version=0.0.4; charset=utf-8"));
  });
}

void Api::createEntities(Request&& req, Reply reply) {
  auto body = parseBody(req);
  if (!body) return reply(errorResponse(body.error()));
  const int64_t now = clock_.nowMs();
  if (body->is_object()) {
    auto e = model::EntityCodec::fromJson(*body, now);
    if (!e) return reply(errorResponse(e.error()));
    auto created = store_.createEntity(std::move(*e));
    if (!created) return reply(errorResponse(created.error()));
    auto createdJson = model::EntityCodec::toJson(*created);
    if (auditor_) auditor_->record(req, "entity.create", "entity:" + created->id, {}, toJsonText(createdJson));
    auto resp = Response::json(201, std::move(createdJson));
    resp.headers.emplace_back("Location", "/api/v1/entities/" + created->id);
    return reply(std::move(resp));
  }
  if (!body->is_array()) return reply(Response::error(400, "bad_request", "send an entity object or an array of them"));
  const auto& arr = body->get_array();
  if (arr.size() > 10000) return reply(Response::error(413, "too_large", "at most 10000 entities per request"));
  std::vector<model::Entity> es;
  es.reserve(arr.size());
  for (size_t i = 0; i < arr.size(); ++i) {
    auto e = model::EntityCodec::fromJson(arr[i], now);
    if (!e) return reply(errorResponse({e.error().code, "item " + std::to_string(i) + ": " + e.error().message}));
    es.push_back(std::move(*e));
  }
  auto created = store_.createEntities(std::move(es));
  if (!created) return reply(errorResponse(created.error()));
  json::array out;
  out.reserve(created->size());
  for (const auto& e : *created) out.push_back(model::EntityCodec::toJson(e));
  if (auditor_) {
    json::array ids;
    for (const auto& e : *created) ids.emplace_back(e.id);
    const std::string target = created->size() == 1 ? "entity:" + created->front().id
                                                     : "entities:" + std::to_string(created->size());
    auditor_->record(req, "entity.create", target, {}, toJsonText(json::object{{"ids", std::move(ids)}}));
  }
  reply(Response::json(201, out));
}

void Api::listEntities(Request&& req, Reply reply) {
  QueryParams p(req.query);
  if (auto s = p.onlyAllow({"type", "tag", "bbox", "near", "q", "limit", "offset"}); !s)
    return reply(errorResponse(s.error()));
  store::EntityQuery q;
  q.type = p.text("type");
  q.tag = p.text("tag");
  q.nameContains = p.text("q");
  auto limit = p.integer("limit", 100, 1, 10000);
  if (!limit) return reply(errorResponse(limit.error()));
  auto offset = p.integer("offset", 0, 0, INT32_MAX);
  if (!offset) return reply(errorResponse(offset.error()));
  q.limit = static_cast<size_t>(*limit);
  q.offset = static_cast<size_t>(*offset);
  auto bbox = p.numbers("bbox", 4);
  if (!bbox) return reply(errorResponse(bbox.error()));
  if (*bbox) {
    const auto& b = **bbox;
    if (b[0] > b[2] || b[1] > b[3] || b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90)
      return reply(Response::error(400, "bad_request",
                                   "bbox must be minLon,minLat,maxLon,maxLat within WGS84 with min <= max"));
    q.bbox = model::BBox{b[0], b[1], b[2], b[3]};
  }
  auto near = p.numbers("near", 3);
  if (!near) return reply(errorResponse(near.error()));
  if (*near) {
    const auto& n = **near;
    if (n[0] < -90 || n[0] > 90 || n[1] < -180 || n[1] > 180 || n[2] <= 0 || n[2] > 1000000)
      return reply(Response::error(400, "bad_request", "near must be lat,lon,radius_m with radius 0 < r <= 1000000"));
    q.near = store::NearFilter{n[0], n[1], n[2]};
  }
  auto page = store_.listEntities(q);
  if (!page) return reply(errorResponse(page.error()));
  json::array out;
  out.reserve(page->items.size());
  for (const auto& e : page->items) out.push_back(model::EntityCodec::toJson(e));
  auto resp = Response::json(200, out);
  resp.headers.emplace_back("X-Total-Count", std::to_string(page->total));
  reply(std::move(resp));
}

void Api::getEntity(Request&& req, Reply reply) {
  auto e = store_.getEntity(req.params["id"]);
  if (!e) return reply(errorResponse(e.error()));
  auto o = model::EntityCodec::toJson(*e);
  json::array metrics;
  for (auto& m : store_.metricsOf(e->id)) metrics.emplace_back(m);
  o["metrics"] = std::move(metrics);
  reply(Response::json(200, o));
}

void Api::patchEntity(Request&& req, Reply reply) {
  auto body = parseBody(req);
  if (!body) return reply(errorResponse(body.error()));
  // A bad patch is a 400 whether or not the entity exists: check it on a blank entity with the same id first.
  model::Entity blank;
  blank.id = req.params["id"];
  if (auto checked = model::EntityCodec::applyPatch(blank, *body, 0); !checked)
    return reply(errorResponse(checked.error()));
  const int64_t now = clock_.nowMs();
  std::string before;
  auto saved = store_.updateEntity(req.params["id"], [&](model::Entity current) {
    if (auditor_) before = toJsonText(model::EntityCodec::toJson(current));
    return model::EntityCodec::applyPatch(std::move(current), *body, now);
  });
  if (!saved) return reply(errorResponse(saved.error()));
  auto savedJson = model::EntityCodec::toJson(*saved);
  if (auditor_) auditor_->record(req, "entity.update", "entity:" + saved->id, std::move(before), toJsonText(savedJson));
  reply(Response::json(200, std::move(savedJson)));
}

void Api::deleteEntity(Request&& req, Reply reply) {
  std::string before;
  if (auditor_) {
    if (auto e = store_.getEntity(req.params["id"])) before = toJsonText(model::EntityCodec::toJson(*e));
  }
  if (auto s = store_.deleteEntity(req.params["id"]); !s) return reply(errorResponse(s.error()));
  if (auditor_) auditor_->record(req, "entity.delete", "entity:" + req.params["id"], std::move(before));
  reply(Response{204, "application/json", "", {}});
}

void Api::ingest(Request&& req, Reply reply) {
  const auto type = req.contentType();
  const bool ndjson = type == "application/x-ndjson" || type == "application/ndjson";
  // Anything but NDJSON is read as JSON (curl -d sends form-urlencoded by default); the parser judges.
  auto batch = model::ObservationDecoder::decode(req.body, ndjson, clock_.nowMs());
  if (!batch) return reply(errorResponse(batch.error()));
  if (req.principal && req.principal->kind == auth::Principal::Kind::Device) {
    // A device key writes only the entities it is scoped to; one foreign observation refuses the whole batch.
    const auto& scope = req.principal->scope;
    const std::unordered_set<std::string_view> allowed(scope.begin(), scope.end());
    for (const auto& o : *batch) {
      if (!allowed.contains(o.entity))
        return reply(Response::error(403, "forbidden",
                                     "this device key may not write observations for entity '" + o.entity + "'"));
    }
  }
  if (batch->empty()) return reply(Response::json(200, {{"accepted", 0}}));
  store_.ingest(std::move(*batch), [reply = std::move(reply)](Result<size_t> r) {
    if (!r) return reply(errorResponse(r.error()));
    reply(Response::json(200, {{"accepted", *r}}));
  });
}

void Api::querySeries(Request&& req, Reply reply) {
  QueryParams p(req.query);
  if (auto s = p.onlyAllow({"metric", "from", "to", "interval", "agg", "limit"}); !s)
    return reply(errorResponse(s.error()));
  store::SeriesQuery q;
  q.entity = req.params["id"];
  auto metric = p.text("metric");
  if (!metric) return reply(Response::error(400, "bad_request", "metric is required, e.g. ?metric=water_level_m"));
  q.metric = *metric;
  auto to = p.time("to", clock_.nowMs());
  if (!to) return reply(errorResponse(to.error()));
  auto from = p.time("from", *to - kDefaultWindowMs);
  if (!from) return reply(errorResponse(from.error()));
  if (*from > *to) return reply(Response::error(400, "bad_request", "from must not be after to"));
  q.from = *from;
  q.to = *to;
  auto interval = QueryParams::interval(p.text("interval").value_or("raw"));
  if (!interval) return reply(errorResponse(interval.error()));
  q.intervalMs = *interval;
  auto agg = parseAgg(p.text("agg"));
  if (!agg) return reply(errorResponse(agg.error()));
  q.agg = *agg;
  auto limit = p.integer("limit", 10000, 1, 100000);
  if (!limit) return reply(errorResponse(limit.error()));
  q.limit = static_cast<size_t>(*limit) + 1;  // one more tells whether the answer was cut
  auto points = store_.querySeries(q);
  if (!points) return reply(errorResponse(points.error()));
  const bool truncated = points->size() > static_cast<size_t>(*limit);
  if (truncated) points->pop_back();
  json::array arr;
  arr.reserve(points->size());
  for (const auto& pt : *points) {
    json::object o;
    o["time"] = formatTime(pt.time);
    o["value"] = pt.value;
    if (q.intervalMs == 0) o["quality"] = model::qualityName(pt.quality);
    else o["count"] = pt.count;
    arr.push_back(std::move(o));
  }
  json::object out;
  out["entity"] = q.entity;
  out["metric"] = q.metric;
  out["from"] = formatTime(q.from);
  out["to"] = formatTime(q.to);
  out["interval"] = p.text("interval").value_or("raw");
  if (q.intervalMs) out["agg"] = p.text("agg").value_or("avg");
  out["points"] = std::move(arr);
  out["truncated"] = truncated;  // true: more points exist after the last one; ask again from there
  reply(Response::json(200, out));
}

void Api::latest(Request&& req, Reply reply) {
  QueryParams p(req.query);
  if (auto s = p.onlyAllow({"type", "metric", "entity"}); !s) return reply(errorResponse(s.error()));
  store::LatestQuery q{p.text("type"), p.text("metric"), p.text("entity")};
  auto values = store_.latest(q);
  if (!values) return reply(errorResponse(values.error()));
  // Written directly: this answer can hold every series of the city.
  std::string out = "[";
  out.reserve(values->size() * 128 + 2);
  for (const auto& v : *values) {
    if (out.size() > 1) out += ',';
    out += "{\"entity\":";
    appendJsonText(out, json::string_view(v.entity));
    out += ",\"type\":";
    appendJsonText(out, json::string_view(v.type));
    out += ",\"metric\":\"" + v.metric + "\",\"time\":\"" + formatTime(v.time) + "\",\"value\":";
    appendJsonText(out, v.value);
    out += ",\"quality\":\"";
    out += model::qualityName(v.quality);
    out += "\"}";
  }
  out += ']';
  reply(Response::text(200, std::move(out), "application/json"));
}

}  // namespace cityops::api
