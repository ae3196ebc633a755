#pragma once
// Flood monitoring: GET /api/v1/flood/stations and /api/v1/flood/stations/{id} (each water-level station with its
// latest reading, alarm level, Decision 18/2021 risk level, quality-control counts and open alerts), its forecast
// GET /api/v1/flood/stations/{id}/forecast?horizon=1h..6h (docs/forecast.md); the CAP 1.2
// message of a flood alert, GET /api/v1/alerts/{id}/cap[?version=n], and the Atom feed of current flood warnings,
// GET /api/v1/cap/feed.atom — both public, as warnings for the population are (docs/cap.md).
#include "alerts/AlertManager.hpp"
#include "common/Clock.hpp"
#include "flood/AtomFeed.hpp"
#include "flood/CapMessage.hpp"
#include "flood/QualityControl.hpp"
#include "http/Router.hpp"
#include "store/Store.hpp"


namespace cityops::api {

class FloodApi {
 public:
  FloodApi(store::Store& store, alerts::AlertManager& alerts, const flood::QualityControl& qc, const Clock& clock,
           flood::CapSettings cap, flood::AtomSettings atom)
      : store_(store), alerts_(alerts), qc_(qc), clock_(clock), cap_(std::move(cap)), atom_(std::move(atom)) {}
  void registerRoutes(http::Router& router);


 private:
  boost::json::object stationJson(const model::Entity& e, const std::vector<alerts::Alert>& open) const;
  /// The CAP input of a flood alert's station: the zones that watch it and its risk level; "not_found" for an alert
  /// whose entity is not a flood station or rain gauge.
  Result<std::string> capFor(const alerts::Alert& a, size_t version) const;

  store::Store& store_;
  alerts::AlertManager& alerts_;
  const flood::QualityControl& qc_;
  const Clock& clock_;
  const flood::CapSettings cap_;
  const flood::AtomSettings atom_;
};

}  // namespace cityops::api
