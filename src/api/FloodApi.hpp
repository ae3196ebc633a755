#pragma once
// Flood monitoring: GET /api/v1/flood/stations and /api/v1/flood/stations/{id} (each water-level station with its
// latest reading, alarm level, Decision 18/2021 risk level, quality-control counts and open alerts), its forecast
// GET /api/v1/flood/stations/{id}/forecast?horizon=1h..6h (docs/forecast.md); the CAP 1.2
// message of a flood alert, GET /api/v1/alerts/{id}/cap[?version=n], and the Atom feed of current flood warnings,
// GET /api/v1/cap/feed.atom — both public, as warnings for the population are (docs/cap.md); the flood zones with
// the entities inside them, GET /api/v1/flood/zones?level=; and the current warnings in plain Vietnamese and English
// with what to do, GET /api/v1/public/warnings (public: for a web page or an SMS gateway).
#include "alerts/AlertManager.hpp"
#include "common/Clock.hpp"
#include "flood/AtomFeed.hpp"
#include "flood/CapMessage.hpp"
#include "flood/QualityControl.hpp"
#include "http/Router.hpp"
#include "store/Store.hpp"

#include <functional>
#include <optional>


namespace cityops::api {

class FloodApi {
 public:
  FloodApi(store::Store& store, alerts::AlertManager& alerts, const flood::QualityControl& qc, const Clock& clock,
           flood::CapSettings cap, flood::AtomSettings atom)
      : store_(store), alerts_(alerts), qc_(qc), clock_(clock), cap_(std::move(cap)), atom_(std::move(atom)) {}
  void registerRoutes(http::Router& router);
  /// The kind of a rule by id (nullopt when unknown). Alerts of `stale` rules (a silent gauge) are for operators:
  /// they are left out of the public warnings and the feed. Without it every flood alert is a warning.
  using RuleKindOf = std::function<std::optional<rules::Kind>(const std::string& rule)>;
  void setRuleKindOf(RuleKindOf f) { ruleKindOf_ = std::move(f); }


 private:
  boost::json::object stationJson(const model::Entity& e, const std::vector<alerts::Alert>& open) const;
  /// Zones with a "watch_station": their alarm level (attribute "level", 1..3), whether the station is at it now,
  /// and the entities inside them.
  boost::json::array zonesJson(std::optional<int> level) const;
  /// The CAP input of a flood alert's station: the zones that watch it and its risk level; "not_found" for an alert
  /// whose entity is not a flood station or rain gauge.
  Result<std::string> capFor(const alerts::Alert& a, size_t version) const;

  store::Store& store_;
  alerts::AlertManager& alerts_;
  const flood::QualityControl& qc_;
  const Clock& clock_;
  const flood::CapSettings cap_;
  const flood::AtomSettings atom_;
  RuleKindOf ruleKindOf_;
  bool isWarning(const alerts::Alert& a) const;
};

}  // namespace cityops::api
