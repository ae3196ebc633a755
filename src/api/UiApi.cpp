#include "api/UiApi.hpp"

#include <boost/json.hpp>

namespace cityops::api {

namespace json = boost::json;

json::object UiApi::configJson() const {
  json::object o;
  o["city"] = settings_.city;
  o["center"] = json::object{{"lat", settings_.centerLat}, {"lon", settings_.centerLon}};
  o["zoom"] = settings_.zoom;
  o["tile_url"] = settings_.tileUrl;
  o["tile_attribution"] = settings_.tileAttribution;
  o["timezone"] = settings_.timezone;
  o["utc_offset_minutes"] = settings_.utcOffsetMinutes;
  o["languages"] = json::array{"vi", "en"};
  o["default_language"] = settings_.language;
  return o;
}

void UiApi::registerRoutes(http::Router& r) const {
  r.add("GET", "/api/v1/ui/config", [this](http::Request&& req, http::Reply reply) {
    if (!req.query.empty())
      return reply(http::Response::error(400, "bad_request", "this endpoint takes no query parameters"));
    reply(http::Response::json(200, configJson()));
  });
}

}  // namespace cityops::api
