#pragma once
// Live traffic cameras (docs/traffic.md, "Cameras in the server"):
//   GET /api/v1/cameras                              every TrafficCamera with its worker's state and latest interval
//   GET /api/v1/cameras/{id}                         the same in full: status (connected, fps, frames, dropped
//                                                    frames, reconnects, last error), latest interval metrics,
//                                                    active and recent incidents with their pictures, open alerts
//   GET /api/v1/cameras/{id}/snapshot.jpg            the latest frame with the overlays
//   GET /api/v1/cameras/{id}/stream.mjpeg            the same as a multipart/x-mixed-replace stream (?fps=,
//                                                    ?max_frames=), until the client goes away
//   GET /api/v1/cameras/{id}/incidents/{n}.jpg       the picture of incident n (route pattern .../incidents/{file})
#include "alerts/AlertManager.hpp"
#include "cameras/CameraManager.hpp"
#include "common/Clock.hpp"
#include "http/Router.hpp"
#include "store/Store.hpp"

#include <boost/json/object.hpp>

namespace cityops::api {

class CamerasApi {
 public:
  CamerasApi(store::Store& store, cameras::CameraManager& manager, alerts::AlertManager& alerts, const Clock& clock)
      : store_(store), manager_(manager), alerts_(alerts), clock_(clock) {}
  void registerRoutes(http::Router& router);

 private:
  boost::json::object cameraJson(const model::Entity& e, bool detail, const std::vector<alerts::Alert>& open) const;
  /// The live camera `id` (its worker), or the error response: 404 for no such TrafficCamera or one not live.
  Result<std::shared_ptr<cameras::CameraWorker>> live(const std::string& id) const;

  store::Store& store_;
  cameras::CameraManager& manager_;
  alerts::AlertManager& alerts_;
  const Clock& clock_;
};

}  // namespace cityops::api
