#pragma once
// Air quality: POST /api/v1/environment/aqi/compute (stateless: concentration series in, index out),
// GET /api/v1/environment/aqi?entity=&standard=vn|us&period=hour|day&at= (a station's index from the store) and
// GET /api/v1/public/air (every air-quality station's latest hourly index, for residents, without login).
// Formulas and shapes: docs/environment.md.
#include "common/Clock.hpp"
#include "http/Router.hpp"
#include "store/Store.hpp"

namespace cityops::api {

class EnvironmentApi {
 public:
  EnvironmentApi(store::Store& store, const Clock& clock, int utcOffsetMinutes)
      : store_(store), clock_(clock), utcOffsetMinutes_(utcOffsetMinutes) {}
  void registerRoutes(http::Router& router);

 private:
  store::Store& store_;
  const Clock& clock_;
  const int utcOffsetMinutes_;
};

}  // namespace cityops::api
