#pragma once
// CAP 1.2 (OASIS Common Alerting Protocol) messages for flood alerts: one message per CAP-relevant transition of
// an alert (raise → Alert, escalate/deescalate → Update, resolve → Cancel), bilingual (vi-VN, en-US), with the
// affected zones as polygons. Deterministic: the same alert, inputs and settings give the same bytes.
// Mappings, identifiers and validation: docs/cap.md.
#include "alerts/Alert.hpp"
#include "common/Result.hpp"
#include "model/Entity.hpp"
#include "model/Geometry.hpp"
#include "rules/Rule.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cityops::flood {

inline constexpr std::string_view kCapNamespace = "urn:oasis:names:tc:emergency:cap:1.2";

/// CAP `status`. Exercise for the demo and replays, Actual in production.
enum class CapStatus { Actual, Exercise, Test };
std::string_view capStatusName(CapStatus s);  // "Actual", "Exercise", "Test"

struct CapSettings {
  /// CAP `sender` and the first part of every identifier; letters, digits and . _ @ - only (CAP forbids spaces,
  /// commas, '<' and '&'; the Atom feed also uses it as the authority of its tag: URIs).
  std::string sender = "ioc.tamky.danang.gov.vn";
  std::string senderName = "Trung tâm Giám sát, điều hành đô thị thông minh Tam Kỳ";  // info/senderName, vi-VN
  std::string senderNameEn = "Tam Kỳ Intelligent Operations Center";                   // info/senderName, en-US
  /// Absolute http(s) base of the public server, no trailing slash, e.g. "https://ioc.tamky.danang.gov.vn".
  /// Empty: no `web` element in CAP and relative links in the Atom feed.
  std::string webBase;
  /// `web` of a message: this template with "{id}" replaced by the alert id; empty → webBase +
  /// "/api/v1/alerts/{id}/cap" (the alert's latest message).
  std::string webPage;
  std::string contact;            // info/contact when not empty (e.g. a hotline)
  int utcOffsetMinutes = 7 * 60;  // the city's offset: Asia/Ho_Chi_Minh is UTC+07:00 all year
  CapStatus status = CapStatus::Actual;
  /// info/expires = sent + this; 0 → no `expires`.
  int64_t expiresAfterMs = 24LL * 3600 * 1000;
};

/// A sender and base URL CAP and the feed can carry: "bad_request" naming the setting otherwise.
Status validateCapSettings(const CapSettings& s);

/// An affected zone: its name and its outline. Every ring is written as its own CAP `polygon` (lat,lon order,
/// closed); CAP cannot express holes, so give outer rings only (capZoneFromEntity drops holes).
struct CapZone {
  std::string name;    // vi-VN, e.g. "Vùng trũng ven sông Tam Kỳ"
  std::string nameEn;  // en-US; empty → name
  std::vector<std::vector<model::LonLat>> rings;  // GeoJSON order: {lon, lat}
};

/// A Zone entity as a CapZone: name, attribute "name_en", the outer ring of a Polygon geometry (none otherwise).
CapZone capZoneFromEntity(const model::Entity& e);
/// The zones a station warns for: entities of type "Zone" whose attribute "watch_station" is the station's id,
/// ordered by id.
std::vector<CapZone> capZonesFor(const model::Entity& station, const std::vector<model::Entity>& candidates);

struct CapInput {
  CapInput(const alerts::Alert& a, const model::Entity* e = nullptr, std::vector<CapZone> z = {},
           std::optional<int> risk = std::nullopt, bool isForecast = false)
      : alert(a), entity(e), zones(std::move(z)), riskLevel(risk), forecast(isForecast) {}

  const alerts::Alert& alert;     // with its history (AlertManager::get); must outlive the CapInput
  const model::Entity* entity;    // the station, or null: name; attributes name_en, river, river_en, and the
                                  // alarm levels bd1, bd2, bd3 or alarm_levels_m [I, II, III] (metres)
  std::vector<CapZone> zones;     // affected zones; none → `area` with `areaDesc` only
  std::optional<int> riskLevel;   // Decision 18/2021/QĐ-TTg disaster risk level 1..5, when declared
  bool forecast;                  // the alert is about a forecast (also when the rule id starts with "forecast")
  /// The kind of the alert's rule; unset: Rate when the rule id starts with "rise." (StationRules' rate-of-rise
  /// rules), else Threshold. Only a threshold alert on water_level_m names alarm levels; a rate alert's value is
  /// metres per hour.
  std::optional<rules::Kind> ruleKind;
};

enum class CapMsgType { Alert, Update, Cancel };
std::string_view capMsgTypeName(CapMsgType t);  // "Alert", "Update", "Cancel"

/// One CAP message of an alert: one per raise, escalate, deescalate and resolve (ack and comment make none).
struct CapVersion {
  size_t version = 0;  // 1..n
  CapMsgType msgType = CapMsgType::Alert;
  std::string action;  // "raise", "escalate", "deescalate", "resolve"
  int64_t atMs = 0;    // the transition's time: the message's `sent`
  rules::Severity severity = rules::Severity::Minor;  // the alert's severity after the transition
  std::optional<double> value;                        // the value that caused it (none for an operator's resolve)
  bool byOperator = false;                            // a person (not the rule) made the transition
};

/// The CAP messages of an alert, oldest first. Without history, the alert itself: its raise, and a Cancel when
/// it is resolved.
std::vector<CapVersion> capVersions(const alerts::Alert& a);

/// "<sender>:alert:<id>:<version>", e.g. "ioc.tamky.danang.gov.vn:alert:42:3".
std::string capIdentifier(const CapSettings& s, int64_t alertId, size_t version);
/// A CAP time at the given offset, whole seconds: "2025-10-29T18:00:00+07:00"; UTC is "-00:00" (CAP 1.2 §3.3.2).
std::string capTime(int64_t epochMs, int utcOffsetMinutes);
/// Text for XML character data and attribute values: & < > " ' escaped, control characters other than tab,
/// newline and carriage return (not allowed in XML 1.0) dropped.
std::string xmlEscape(std::string_view text);

/// One language's texts of a message.
struct CapInfoText {
  std::string language;  // "vi-VN", "en-US"
  std::string event;     // "Lũ", "Flood"
  std::string senderName;
  std::string headline;
  std::string description;
  std::string instruction;
  std::string areaDesc;
};

/// A message with every field decided; toXml writes it.
struct CapMessage {
  int64_t alertId = 0;
  CapVersion version;
  size_t versionCount = 0;  // messages the alert has so far
  std::string identifier;
  std::string sender;
  std::string sent;
  std::string status;
  std::string msgType;
  std::string references;  // empty for the first message
  std::string category = "Met";
  std::string responseType;
  std::string urgency;
  std::string severity;
  std::string certainty;
  std::string effective, onset, expires;  // expires may be empty
  std::string web;                        // may be empty
  std::string contact;                    // may be empty
  std::vector<std::pair<std::string, std::string>> parameters;  // valueName, value
  std::vector<std::string> polygons;                              // "lat,lon lat,lon ..." closed
  std::array<CapInfoText, 2> info;                                // vi-VN, en-US
};

/// The message `version` (1..n; 0 = the latest) of an alert. "not_found" when the alert has no such message,
/// "bad_request" for invalid settings, a risk level outside 1..5 or a coordinate outside WGS84.
Result<CapMessage> capMessage(const CapInput& in, const CapSettings& s, size_t version = 0);
/// The CAP 1.2 XML document (UTF-8, with the XML declaration, ending in a newline).
std::string toXml(const CapMessage& m);
/// capMessage then toXml: the body of GET /api/v1/alerts/{id}/cap[?version=n] (application/cap+xml).
Result<std::string> capXml(const CapInput& in, const CapSettings& s, size_t version = 0);

}  // namespace cityops::flood
