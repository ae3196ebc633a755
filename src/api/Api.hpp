#pragma once
// The HTTP API under /api/v1 plus /healthz, /readyz, /metrics: request parsing and JSON shapes only;
// every decision about data belongs to the Store.
#include "api/Auditor.hpp"
#include "common/Clock.hpp"
#include "http/Router.hpp"
#include "metrics/Registry.hpp"
#include "store/Store.hpp"
#include "stream/Hub.hpp"

namespace cityops::api {

class Api {
 public:
  Api(store::Store& store, stream::Hub& hub, metrics::Registry& metrics, const Clock& clock);
  void registerRoutes(http::Router& router);
  /// GET /metrics alone (registerRoutes includes it); for a separate metrics listener.
  void registerMetricsRoute(http::Router& router);
  /// Entity changes are recorded there (not owned; null: no audit trail).
  void setAuditor(Auditor* auditor) { auditor_ = auditor; }

  /// Maps an Error code to its HTTP status and JSON body.
  static http::Response errorResponse(const Error& e);

 private:
  void createEntities(http::Request&& req, http::Reply reply);
  void listEntities(http::Request&& req, http::Reply reply);
  void getEntity(http::Request&& req, http::Reply reply);
  void patchEntity(http::Request&& req, http::Reply reply);
  void deleteEntity(http::Request&& req, http::Reply reply);
  void ingest(http::Request&& req, http::Reply reply);
  void querySeries(http::Request&& req, http::Reply reply);
  void latest(http::Request&& req, http::Reply reply);

  store::Store& store_;
  stream::Hub& hub_;
  metrics::Registry& metrics_;
  const Clock& clock_;
  Auditor* auditor_ = nullptr;
};

}  // namespace cityops::api
