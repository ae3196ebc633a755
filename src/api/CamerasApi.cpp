#include "api/CamerasApi.hpp"

#include "api/Api.hpp"
#include "api/MjpegStream.hpp"
#include "api/QueryParams.hpp"
#include "cameras/CameraMetrics.hpp"
#include "common/Time.hpp"
#include "traffic/AnalysisResultCodec.hpp"
#include "traffic/CameraSpecCodec.hpp"
#include "traffic/FrameSource.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace cityops::api {

namespace json = boost::json;
using http::Reply;
using http::Request;
using http::Response;

namespace {

constexpr std::string_view kPrefix = "/api/v1/cameras/";

json::value timeOrNull(int64_t ms) { return ms > 0 ? json::value(formatTime(ms)) : json::value(nullptr); }

double round2(double v) { return std::isfinite(v) ? std::round(v * 100.0) / 100.0 : 0.0; }

std::string pictureUrl(const std::string& camera, int64_t n) {
  return std::string(kPrefix) + camera + "/incidents/" + std::to_string(n) + ".jpg";
}

json::object incidentJson(const std::string& camera, const cameras::IncidentRecord& r) {
  const auto* kind = cameras::incidentKind(r.kind);
  return json::object{
      {"n", r.n},
      {"kind", r.kind},
      {"start", formatTime(r.startMs)},
      {"end", r.endMs >= 0 ? json::value(formatTime(r.endMs)) : json::value(nullptr)},
      {"lane", r.lane.empty() ? json::value(nullptr) : json::value(r.lane)},
      {"track", r.track >= 0 ? json::value(r.track) : json::value(nullptr)},
      {"value", round2(r.value)},
      {"details", r.details},
      {"rule", kind ? json::value("camera." + camera + "." + std::string(kind->rule)) : json::value(nullptr)},
      {"snapshot_url", r.snapshot ? json::value(pictureUrl(camera, r.n)) : json::value(nullptr)}};
}

json::object statusJson(const cameras::CameraStatus& s) {
  return json::object{
      {"state", std::string(cameras::stateName(s.state))},
      {"connected", s.state == cameras::CameraState::Connected},
      {"started_at", timeOrNull(s.startedMs)},
      {"connected_at", timeOrNull(s.connectedMs)},
      {"last_frame_at", timeOrNull(s.lastFrameMs)},
      {"fps", round2(s.fps)},
      {"capture_fps", round2(s.captureFps)},
      {"frames", s.frames},
      {"captured", s.captured},
      {"dropped_frames", s.dropped},
      {"connects", s.connects},
      {"reconnects", s.reconnects},
      {"consecutive_failures", s.consecutiveFailures},
      {"retry_at", timeOrNull(s.retryAtMs)},
      {"last_error", s.lastError.empty() ? json::value(nullptr) : json::value(s.lastError)},
      {"last_error_at", timeOrNull(s.lastErrorMs)},
      {"frame_size", s.width > 0 ? json::value(json::array{s.width, s.height}) : json::value(nullptr)},
      {"write_errors", s.writeErrors}};
}

json::object latestJson(const traffic::IntervalMetrics& m) {
  json::object o = traffic::AnalysisResultCodec::intervalJson(m);
  o["start"] = formatTime(m.startMs);
  o["end"] = formatTime(m.endMs);
  return o;
}

/// "12.jpg" -> 12; nullopt for anything else.
std::optional<int64_t> pictureNumber(const std::string& file) {
  if (!file.ends_with(".jpg")) return std::nullopt;
  auto n = QueryParams::positiveId(std::string_view(file).substr(0, file.size() - 4));
  return n;
}

Response noQuery() { return Response::error(400, "bad_request", "this endpoint takes no query parameters"); }

}  // namespace

Result<std::shared_ptr<cameras::CameraWorker>> CamerasApi::live(const std::string& id) const {
  auto e = store_.getEntity(id);
  if (!e) return e.error();
  if (e->type != cameras::kCameraType) return NotFound("'" + id + "' is not a TrafficCamera");
  auto w = manager_.worker(id);
  if (!w) return NotFound("camera '" + id + "' is not live (no usable source: see GET /api/v1/cameras/" + id + ")");
  return w;
}

json::object CamerasApi::cameraJson(const model::Entity& e, bool detail, const std::vector<alerts::Alert>& open) const {
  json::object o;
  o["id"] = e.id;
  o["name"] = e.name;
  o["geometry"] = e.geometry ? e.geometry->toJson() : json::value(nullptr);
  const auto* source = e.attributes.if_contains("source");
  o["source"] = source && source->is_string() ? json::value(traffic::redactSource(source->as_string()))
                                              : json::value(nullptr);
  const auto worker = manager_.worker(e.id);
  const auto configError = manager_.configError(e.id);
  o["live"] = worker != nullptr;
  o["error"] = configError ? json::value(*configError) : json::value(nullptr);
  json::array active, recent;
  if (worker) {
    const auto s = worker->status();
    o["state"] = std::string(cameras::stateName(s.state));
    o["status"] = statusJson(s);
    o["latest"] = s.latest ? json::value(latestJson(*s.latest)) : json::value(nullptr);
    for (const auto& r : s.active) active.push_back(incidentJson(e.id, r));
    o["snapshot_url"] = std::string(kPrefix) + e.id + "/snapshot.jpg";
    o["stream_url"] = std::string(kPrefix) + e.id + "/stream.mjpeg";
    if (detail) {
      auto records = worker->archive().list();
      std::reverse(records.begin(), records.end());  // newest first
      for (const auto& r : records) recent.push_back(incidentJson(e.id, r));
      o["analytics"] = traffic::CameraSpecCodec::toJson(worker->config().spec);
    }
  } else {
    o["state"] = configError ? "invalid" : "off";
    o["status"] = nullptr;
    o["latest"] = nullptr;
    o["snapshot_url"] = nullptr;
    o["stream_url"] = nullptr;
  }
  o["active_incidents"] = std::move(active);
  if (detail) {
    o["incidents"] = std::move(recent);
    json::array alerts;
    for (const auto& a : open) {
      if (a.entity != e.id) continue;
      json::object j{{"id", a.id},
                     {"rule", a.rule},
                     {"severity", std::string(rules::severityName(a.severity))},
                     {"state", std::string(alerts::stateName(a.state))},
                     {"value", a.value},
                     {"message", a.message},
                     {"raised_at", formatTime(a.raisedMs)}};
      const auto* kind = [&]() -> const cameras::IncidentKind* {
        for (const auto& k : cameras::incidentKinds())
          if (a.rule == "camera." + e.id + "." + std::string(k.rule)) return &k;
        return nullptr;
      }();
      j["snapshot_url"] = kind && kind->snapshot && a.value >= 1 && worker &&
                                  worker->archive().get(static_cast<int64_t>(a.value))
                              ? json::value(pictureUrl(e.id, static_cast<int64_t>(a.value)))
                              : json::value(nullptr);
      alerts.push_back(std::move(j));
    }
    o["alerts"] = std::move(alerts);
  }
  return o;
}

void CamerasApi::registerRoutes(http::Router& r) {
  r.add("GET", "/api/v1/cameras", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(noQuery());
    store::EntityQuery q;
    q.type = std::string(cameras::kCameraType);
    q.limit = 10000;
    auto page = store_.listEntities(q);
    if (!page) return reply(Api::errorResponse(page.error()));
    json::array out;
    for (const auto& e : page->items) out.push_back(cameraJson(e, false, {}));
    reply(Response::json(200, out));
  });

  r.add("GET", "/api/v1/cameras/{id}", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(noQuery());
    const auto& id = req.params.at("id");
    auto e = store_.getEntity(id);
    if (!e) return reply(Api::errorResponse(e.error()));
    if (e->type != cameras::kCameraType)
      return reply(Response::error(404, "not_found", "'" + id + "' is not a TrafficCamera"));
    reply(Response::json(200, cameraJson(*e, true, alerts_.openAlerts())));
  });

  r.add("GET", "/api/v1/cameras/{id}/snapshot.jpg", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(noQuery());
    auto w = live(req.params.at("id"));
    if (!w) return reply(Api::errorResponse(w.error()));
    auto jpeg = (*w)->view()->snapshot.jpeg(85);
    if (!jpeg) return reply(Response::error(503, "unavailable", "the camera has no picture yet"));
    Response res = Response::text(200, std::move(*jpeg), "image/jpeg");
    res.headers.emplace_back("Cache-Control", "no-store");
    reply(std::move(res));
  });

  r.add("GET", "/api/v1/cameras/{id}/stream.mjpeg", [this](Request&& req, Reply reply) {
    QueryParams q(req.query);
    if (auto s = q.onlyAllow({"fps", "max_frames"}); !s) return reply(Api::errorResponse(s.error()));
    auto fps = q.integer("fps", 5, 1, 25);
    if (!fps) return reply(Api::errorResponse(fps.error()));
    auto maxFrames = q.integer("max_frames", 0, 0, 1000000);
    if (!maxFrames) return reply(Api::errorResponse(maxFrames.error()));
    auto w = live(req.params.at("id"));
    if (!w) return reply(Api::errorResponse(w.error()));
    Response res = Response::streaming(MjpegStream::contentType(),
                                       std::make_shared<MjpegStream>((*w)->view(), static_cast<double>(*fps), *maxFrames));
    res.headers.emplace_back("Cache-Control", "no-store");
    reply(std::move(res));
  });

  r.add("GET", "/api/v1/cameras/{id}/incidents/{file}", [this](Request&& req, Reply reply) {
    if (!req.query.empty()) return reply(noQuery());
    const auto& file = req.params.at("file");
    auto n = pictureNumber(file);
    if (!n) return reply(Response::error(404, "not_found", "no incident picture '" + file + "' (the form is <n>.jpg)"));
    auto w = live(req.params.at("id"));
    if (!w) return reply(Api::errorResponse(w.error()));
    auto jpeg = (*w)->archive().jpeg(*n);
    if (!jpeg) return reply(Api::errorResponse(jpeg.error()));
    Response res = Response::text(200, std::move(*jpeg), "image/jpeg");
    res.headers.emplace_back("Cache-Control", "private, max-age=86400");
    reply(std::move(res));
  });
}

}  // namespace cityops::api
