#pragma once
// GET /api/v1/ui/config (public): what the web dashboard and the public page need before anyone logs in — the
// city's name, map centre and zoom, the basemap tile URL and its attribution, the time zone and the languages.
// From [city] and [ui] of the configuration.
#include "http/Router.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace cityops::api {

struct UiSettings {
  std::string city = "cityops";
  double centerLat = 0, centerLon = 0;
  int zoom = 13;
  std::string tileUrl;          // "" for no basemap
  std::string tileAttribution;
  std::string timezone = "UTC";
  int utcOffsetMinutes = 0;
  std::string language = "vi";  // the default one
};

class UiApi {
 public:
  explicit UiApi(UiSettings settings) : settings_(std::move(settings)) {}
  void registerRoutes(http::Router& router) const;
  /// {city, center: {lat, lon}, zoom, tile_url, tile_attribution, timezone, utc_offset_minutes, languages,
  ///  default_language}
  boost::json::object configJson() const;

 private:
  UiSettings settings_;
};

}  // namespace cityops::api
