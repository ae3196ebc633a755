#include "notify/Subscription.hpp"

#include "common/Time.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

namespace cityops::notify {

namespace {

constexpr std::array<std::string_view, 4> kSeverities{"info", "minor", "major", "critical"};
constexpr size_t kMaxUrl = 2048;

bool anyOf(const std::vector<std::string>& list, const std::string& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

bool validItem(std::string_view s) {
  if (s.empty() || s.size() > kMaxFilterItem) return false;
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

Result<std::vector<std::string>> parseList(const boost::json::value& v, std::string_view key) {
  const std::string k(key);
  if (!v.is_array()) return BadRequest("filter." + k + " must be an array of strings");
  const auto& a = v.get_array();
  if (a.size() > kMaxFilterItems)
    return BadRequest("filter." + k + " may list at most " + std::to_string(kMaxFilterItems) + " items");
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& e : a) {
    if (!e.is_string()) return BadRequest("filter." + k + " must be an array of strings");
    std::string s(e.get_string().data(), e.get_string().size());
    if (!validItem(s))
      return BadRequest("filter." + k + " items must be 1 to " + std::to_string(kMaxFilterItem) +
                        " bytes without control characters");
    if (key == "severities" && std::find(kSeverities.begin(), kSeverities.end(), s) == kSeverities.end())
      return BadRequest("filter.severities items must be info, minor, major or critical, not '" + s.substr(0, 64) +
                        "'");
    if (seen.insert(s).second) out.push_back(std::move(s));
  }
  return out;
}

boost::json::array toArray(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) a.emplace_back(boost::json::string_view(s.data(), s.size()));
  return a;
}

boost::json::value optTime(const std::optional<int64_t>& ms) {
  if (!ms) return nullptr;
  return boost::json::string(formatTime(*ms));
}

}  // namespace

bool matches(const Filter& f, const EventAttributes& e) {
  return anyOf(f.severities, e.severity) && anyOf(f.types, e.entityType) && anyOf(f.rules, e.rule) &&
         anyOf(f.entities, e.entity);
}

Result<Filter> parseFilter(const boost::json::value& v) {
  Filter f;
  if (v.is_null()) return f;
  if (!v.is_object()) return BadRequest("filter must be an object with severities, types, rules and entities");
  for (const auto& [key, value] : v.get_object()) {
    std::vector<std::string>* target = nullptr;
    if (key == "severities") target = &f.severities;
    else if (key == "types") target = &f.types;
    else if (key == "rules") target = &f.rules;
    else if (key == "entities") target = &f.entities;
    else
      return BadRequest("unknown filter key '" + std::string(key.data(), std::min<size_t>(key.size(), 64)) +
                        "' (expected severities, types, rules, entities)");
    auto list = parseList(value, std::string_view(key.data(), key.size()));
    if (!list) return list.error();
    *target = std::move(*list);
  }
  return f;
}

Result<Filter> parseFilterText(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(boost::json::string_view(text.data(), text.size()), ec);
  if (ec) return BadRequest("filter is not valid JSON");
  return parseFilter(v);
}

boost::json::object filterToJson(const Filter& f) {
  return boost::json::object{{"severities", toArray(f.severities)},
                             {"types", toArray(f.types)},
                             {"rules", toArray(f.rules)},
                             {"entities", toArray(f.entities)}};
}

boost::json::object toJson(const Subscription& s) {
  const auto& st = s.status;
  boost::json::object status{{"last_success_at", optTime(st.lastSuccessMs)},
                             {"last_failure_at", optTime(st.lastFailureMs)},
                             {"last_error", st.lastError},
                             {"failures", st.failures},
                             {"delivered", st.delivered},
                             {"dropped", st.dropped},
                             {"pending", st.pending}};
  return boost::json::object{{"id", s.id},
                             {"url", s.url},
                             {"filter", filterToJson(s.filter)},
                             {"enabled", s.enabled},
                             {"created_at", formatTime(s.createdMs)},
                             {"status", std::move(status)}};
}

Result<NewSubscription> parseNewSubscription(const boost::json::value& v) {
  if (!v.is_object()) return BadRequest("a subscription must be a JSON object with url and secret");
  NewSubscription n;
  bool haveUrl = false, haveSecret = false;
  for (const auto& [key, value] : v.get_object()) {
    if (key == "url") {
      if (!value.is_string()) return BadRequest("url must be a string");
      n.url.assign(value.get_string().data(), value.get_string().size());
      haveUrl = true;
    } else if (key == "secret") {
      if (!value.is_string()) return BadRequest("secret must be a string");
      n.secret.assign(value.get_string().data(), value.get_string().size());
      haveSecret = true;
    } else if (key == "filter") {
      auto f = parseFilter(value);
      if (!f) return f.error();
      n.filter = std::move(*f);
    } else if (key == "enabled") {
      if (!value.is_bool()) return BadRequest("enabled must be true or false");
      n.enabled = value.get_bool();
    } else {
      return BadRequest("unknown subscription key '" + std::string(key.data(), std::min<size_t>(key.size(), 64)) +
                        "' (expected url, secret, filter, enabled)");
    }
  }
  if (!haveUrl) return BadRequest("a subscription needs a url");
  if (!haveSecret) return BadRequest("a subscription needs a secret");
  return n;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// Well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF) without NUL or other control characters
/// (C0, DEL, C1): what MQTT allows in topics and user names, and what brokers accept.
bool mqttText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t n = 0;
    if (c < 0x80) cp = c, n = 1;
    else if ((c & 0xE0) == 0xC0) cp = c & 0x1F, n = 2;
    else if ((c & 0xF0) == 0xE0) cp = c & 0x0F, n = 3;
    else if ((c & 0xF8) == 0xF0) cp = c & 0x07, n = 4;
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return false;
    i += n;
  }
  return true;
}

/// The mqtt:// parts of an endpoint whose host and port are set: user name and topic prefix.
Result<Endpoint> mqttEndpoint(const boost::urls::url_view& u, Endpoint ep) {
  ep.transport = Endpoint::Transport::Mqtt;
  if (u.has_query()) return BadRequest("an mqtt url must not have a query");
  if (u.has_password())
    return BadRequest(
        "an mqtt url may carry a user name but no password (the subscription's secret is the broker password)");
  if (u.has_userinfo()) {
    ep.user = u.user();
    if (ep.user.empty()) return BadRequest("the mqtt url's user name is empty");
    if (ep.user.size() > kMaxFilterItem || !mqttText(ep.user))
      return BadRequest("the mqtt url's user name must be 1 to " + std::to_string(kMaxFilterItem) +
                        " bytes of UTF-8 without control characters");
  }
  std::string prefix = u.path();
  if (!prefix.empty() && prefix.front() == '/') prefix.erase(prefix.begin());
  if (prefix.empty()) {
    ep.topicPrefix = std::string(kDefaultTopicPrefix);
    return ep;
  }
  if (prefix.size() > kMaxTopicPrefix)
    return BadRequest("the mqtt topic prefix (the url's path) may be at most " + std::to_string(kMaxTopicPrefix) +
                      " bytes");
  if (prefix.find_first_of("+#") != std::string::npos)
    return BadRequest("the mqtt topic prefix (the url's path) must not contain the wildcards '+' or '#'");
  if (!mqttText(prefix))
    return BadRequest("the mqtt topic prefix (the url's path) must be UTF-8 without NUL or control characters");
  if (prefix.back() == '/') return BadRequest("the mqtt topic prefix (the url's path) must not end with '/'");
  if (prefix.front() == '/' || prefix.find("//") != std::string::npos)
    return BadRequest("the mqtt topic prefix (the url's path) must not have empty levels (as in a//b)");
  if (prefix.front() == '$')
    return BadRequest("the mqtt topic prefix (the url's path) must not start with '$' (reserved by brokers)");
  ep.topicPrefix = std::move(prefix);
  return ep;
}

}  // namespace

Result<Endpoint> parseEndpoint(std::string_view text) {
  if (text.size() > kMaxUrl) return BadRequest("the url may be at most " + std::to_string(kMaxUrl) + " bytes");
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return BadRequest("the url is not an absolute URI (e.g. http://receiver.example:8080/hooks/cityops)");
  const boost::urls::url_view u = *parsed;
  if (u.scheme_id() == boost::urls::scheme::https)
    return BadRequest("https:// webhooks are not supported yet (cityops has no TLS client); use http://");
  if (iequals(u.scheme(), "mqtts"))
    return BadRequest("mqtts:// (MQTT over TLS) is not supported yet (cityops has no TLS client); use mqtt://");
  const bool mqtt = iequals(u.scheme(), "mqtt");
  if (u.scheme_id() != boost::urls::scheme::http && !mqtt)
    return BadRequest("the url's scheme must be http or mqtt");
  if (!u.has_authority()) return BadRequest("the url needs a host");
  if (u.has_userinfo() && !mqtt) return BadRequest("the url must not carry a user name or password (userinfo)");
  if (u.has_fragment()) return BadRequest("the url must not have a fragment");
  Endpoint ep;
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
    case boost::urls::host_type::name:
      ep.host = u.host_address();
      break;
    default:
      return BadRequest("the url's host must be a name, an IPv4 address or an IPv6 address");
  }
  if (ep.host.empty()) return BadRequest("the url needs a host");
  if (!std::all_of(ep.host.begin(), ep.host.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
               c == '_' || c == ':';
      }))
    return BadRequest("the url's host has characters a host name cannot have");
  ep.port = mqtt ? 1883 : 80;
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) return BadRequest("the url's port must be 1 to 65535");
    // port_number() is 0 when the digits do not fit 16 bits; reject "080"-style ambiguity too.
    if (std::to_string(u.port_number()) != std::string(u.port()))
      return BadRequest("the url's port must be 1 to 65535");
    ep.port = u.port_number();
  }
  ep.hostHeader = std::string(u.encoded_host_and_port());
  if (mqtt) return mqttEndpoint(u, std::move(ep));
  ep.target = std::string(u.encoded_target());
  if (ep.target.empty() || ep.target.front() != '/') ep.target.insert(ep.target.begin(), '/');
  return ep;
}

}  // namespace cityops::notify
