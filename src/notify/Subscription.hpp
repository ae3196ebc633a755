#pragma once
// A subscription: where alert changes go (POSTed to an http:// webhook, or published to an MQTT broker: mqtt://),
// which ones (the filter), the secret (the webhook signing key; the broker password of an mqtt:// URL with a user
// name), and the delivery status the outbox keeps up to date. Both transports share the outbox, its order, retries,
// filters and status (see Deliverer.hpp).
//
// The notifier knows nothing of alerts: a caller hands it an already serialised JSON payload plus the few attributes
// filters look at (EventAttributes), so src/notify/ does not depend on the alert engine's implementation.
#include "common/Result.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cityops::notify {

/// Which events a subscription wants. Every list that is empty matches anything; a non-empty list matches when the
/// event's value is one of its items (exact, case-sensitive); every non-empty list must match (AND across lists, OR
/// within one). The empty Filter matches every event.
struct Filter {
  std::vector<std::string> severities;  // "info", "minor", "major", "critical" (exact severities, not "at least")
  std::vector<std::string> types;       // entity types, e.g. "station"
  std::vector<std::string> rules;       // rule ids
  std::vector<std::string> entities;    // entity ids, e.g. "station:tamky"
  bool operator==(const Filter&) const = default;
};

/// What a filter looks at, for one event (one alert change).
struct EventAttributes {
  std::string severity;    // "info", "minor", "major", "critical"
  std::string entityType;  // the alert's entity's type
  std::string rule;        // the rule id
  std::string entity;      // the entity id
};

bool matches(const Filter& filter, const EventAttributes& event);

/// Limits of a filter: at most kMaxFilterItems per list, each item 1..kMaxFilterItem bytes without control characters.
inline constexpr size_t kMaxFilterItems = 1000;
inline constexpr size_t kMaxFilterItem = 256;

/// {"severities": [...], "types": [...], "rules": [...], "entities": [...]}: every key optional, unknown keys and
/// non-string items are "bad_request", duplicates are removed (first kept). null (or an absent filter) is the empty
/// Filter.
Result<Filter> parseFilter(const boost::json::value& v);
Result<Filter> parseFilterText(std::string_view jsonText);
/// The canonical form (all four keys, arrays), as stored in the subscriptions table.
boost::json::object filterToJson(const Filter& f);

/// The delivery status of one subscription, maintained by the outbox.
struct DeliveryStatus {
  std::optional<int64_t> lastSuccessMs;  // last 2xx answer (mqtt: PUBACK)
  std::optional<int64_t> lastFailureMs;  // last failed attempt
  std::string lastError;                 // of the last failed attempt (kept after a success: see the times)
  int64_t failures = 0;                  // failed attempts, ever (one row retried 5 times counts 5)
  int64_t delivered = 0;                 // rows delivered (answered 2xx; mqtt: acknowledged by the broker)
  int64_t dropped = 0;                   // rows given up after 24 h of failures
  int64_t pending = 0;                   // rows in the outbox now (filled by SubscriptionStore::list/get)
};

struct Subscription {
  int64_t id = 0;
  std::string url;
  /// Kept in clear in the database, exactly as given: the deliverer needs it to compute every signature (http) or to
  /// log in to the broker (mqtt with a user name), so a digest would not do. Never logged, never shown by toJson().
  std::string secret;
  Filter filter;
  int64_t createdMs = 0;
  bool enabled = true;
  DeliveryStatus status;
};

/// The API's shape of a subscription: everything but the secret, times in RFC 3339.
/// {"id", "url", "filter", "enabled", "created_at", "status": {"last_success_at", "last_failure_at", "last_error",
///  "failures", "delivered", "dropped", "pending"}} (absent times are null).
boost::json::object toJson(const Subscription& s);

/// What POST /api/v1/subscriptions carries: {"url", "secret", "filter"?, "enabled"?}. Only the shape is checked here;
/// SubscriptionStore::create validates the URL and the secret.
struct NewSubscription {
  std::string url;
  std::string secret;
  Filter filter;
  bool enabled = true;
};
Result<NewSubscription> parseNewSubscription(const boost::json::value& v);

/// Where to deliver: a subscription URL taken apart.
struct Endpoint {
  enum class Transport { Http, Mqtt };
  Transport transport = Transport::Http;
  std::string host;    // a name or an IP address, without brackets; what the resolver gets
  uint16_t port = 80;  // the URL's port; without one 80 (http) or 1883 (mqtt)
  std::string hostHeader;  // host[:port] as written in the URL: the Host header (http), the broker in logs (both)
  std::string target;  // http: path and query, "/" when empty; mqtt: empty
  std::string topicPrefix;  // mqtt: the path without its leading '/' (percent-decoded), kDefaultTopicPrefix if empty
  std::string user;         // mqtt: the user name (percent-decoded), empty for none; http: always empty
};

/// The topic prefix of an mqtt:// URL without a path; the topics are <prefix>/<severity>/<entity type>.
inline constexpr std::string_view kDefaultTopicPrefix = "cityops/alerts";
/// Longest topic prefix, in bytes.
inline constexpr size_t kMaxTopicPrefix = 512;

/// Validates a subscription URL with Boost.URL: absolute, at most 2048 bytes, a non-empty host (name, IPv4 or IPv6),
/// a port (when written) in 1..65535, no fragment, and a scheme:
///  - http: (https is refused: cityops has no TLS client yet), no userinfo;
///  - mqtt: mqtt://[user@]host[:port][/topic/prefix], port 1883 by default. The path without its leading '/' is the
///    topic prefix (kDefaultTopicPrefix when empty): at most kMaxTopicPrefix bytes of UTF-8, no '+', '#', NUL or
///    other control character, no empty level ("a//b", a trailing '/'), not starting with '$' (reserved by brokers).
///    A user name is allowed (no password in the URL: the subscription's secret is the broker password when a user
///    is given; without one the broker is used anonymously and the secret is unused). No query. mqtts (TLS) is refused.
/// Errors are "bad_request" with a sentence saying which rule was broken.
Result<Endpoint> parseEndpoint(std::string_view url);

}  // namespace cityops::notify
