#include "cameras/CameraConfig.hpp"

#include "cameras/CameraMetrics.hpp"
#include "traffic/CameraSpecCodec.hpp"
#include "traffic/SyntheticScene.hpp"

#include <boost/json.hpp>

#include <set>

namespace cityops::cameras {

bool hasSource(const model::Entity& e) {
  if (e.type != kCameraType) return false;
  const auto* s = e.attributes.if_contains("source");
  return s && s->is_string();
}

Result<std::optional<CameraConfig>> CameraConfig::fromEntity(const model::Entity& e) {
  if (e.type != kCameraType) return std::optional<CameraConfig>();
  const auto* source = e.attributes.if_contains("source");
  if (!source) return std::optional<CameraConfig>();
  if (!source->is_string() || source->as_string().empty())
    return BadRequest("attributes.source must be a non-empty string (synthetic:..., a file, rtsp://, http://)");
  if (const auto* enabled = e.attributes.if_contains("enabled")) {
    if (!enabled->is_bool()) return BadRequest("attributes.enabled must be true or false");
    if (!enabled->as_bool()) return std::optional<CameraConfig>();
  }
  CameraConfig c;
  c.id = e.id;
  c.name = e.name;
  c.source = std::string(source->as_string());
  if (c.source.starts_with("synthetic:")) {
    auto o = traffic::SyntheticOptions::parse(c.source);
    if (!o) return BadRequest("attributes.source: " + o.error().message);
  }
  const auto* analytics = e.attributes.if_contains("analytics");
  if (!analytics || !analytics->is_object())
    return BadRequest("attributes.analytics must be an object (the camera file: lines, lanes, calibration, ...)");
  boost::json::object spec = analytics->as_object();
  spec.erase("id");  // the camera's id is the entity's
  auto decoded = traffic::CameraSpecCodec::fromJson(spec);
  if (!decoded) return BadRequest("attributes.analytics: " + decoded.error().message);
  c.spec = std::move(*decoded);
  c.spec.id = e.id;
  std::set<std::string> suffixes;
  const auto check = [&](const std::string& what, const std::string& id) -> Status {
    const std::string suffix = metricSuffix(id);
    if (suffix.size() > kMaxSuffix)
      return BadRequest("attributes.analytics: " + what + " id '" + id + "' is too long for a metric name (at most " +
                        std::to_string(kMaxSuffix) + " characters)");
    if (!suffixes.insert(suffix).second)
      return BadRequest("attributes.analytics: " + what + " id '" + id +
                        "' gives the same metric names as another line or lane ('__" + suffix + "')");
    return {};
  };
  for (const auto& l : c.spec.lines)
    if (auto s = check("line", l.id); !s) return s.error();
  for (const auto& l : c.spec.lanes)
    if (auto s = check("lane", l.id); !s) return s.error();
  c.signature = c.source + "\n" + boost::json::serialize(*analytics);
  return std::optional<CameraConfig>(std::move(c));
}

}  // namespace cityops::cameras
