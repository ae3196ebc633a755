#include "api/AuthCodec.hpp"

#include "api/QueryParams.hpp"
#include "auth/PasswordHasher.hpp"
#include "common/Time.hpp"
#include "model/Names.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <optional>

namespace cityops::api {

namespace json = boost::json;

namespace {

/// At most `max` bytes of `s`, cut at a UTF-8 character boundary (an error message must stay valid UTF-8).
std::string shortened(std::string_view s, size_t max = 64) {
  if (s.size() <= max) return std::string(s);
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

Result<json::object> parseObject(std::string_view body) {
  if (body.empty()) return BadRequest("the request body is empty; send a JSON object");
  json::parse_options opt;
  opt.max_depth = kAuthBodyMaxDepth;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(body.data(), body.size()), ec, {}, opt);
  if (ec == json::error::too_deep)
    return BadRequest("JSON nesting is too deep (at most " + std::to_string(kAuthBodyMaxDepth) + " levels)");
  if (ec) return BadRequest("malformed JSON: " + ec.message());  // Boost's message never quotes the input
  if (!v.is_object()) return BadRequest("the body must be a JSON object");
  return std::move(v.get_object());
}

Status onlyMembers(const json::object& o, std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) != allowed.end()) continue;
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return BadRequest("unknown field '" + shortened(kv.key()) + "' (allowed: " + list + ")");
  }
  return {};
}

/// The member as a string: "<name> is required" when absent (unless optional), "<name> must be a string" otherwise.
Result<std::optional<std::string>> stringMember(const json::object& o, std::string_view name, bool required) {
  const json::value* v = o.if_contains(name);
  if (!v) {
    if (required) return BadRequest(std::string(name) + " is required");
    return std::optional<std::string>();
  }
  if (!v->is_string()) return BadRequest(std::string(name) + " must be a string");
  const auto& s = v->get_string();
  return std::optional<std::string>(std::string(s.data(), s.size()));
}

Result<auth::Role> userRole(std::string_view s) {
  auto r = auth::parseRole(s);  // its message repeats the value: ours does not
  if (!r || !auth::isUserRole(*r))
    return BadRequest("role must be one of admin, operator, viewer (device is for device keys only)");
  return *r;
}

bool printable(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

json::value auditText(const std::string& text) {
  if (text.empty()) return nullptr;
  json::parse_options opt;
  opt.max_depth = 64;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, {}, opt);
  if (ec) return json::string(text);
  return v;
}

}  // namespace

Result<LoginRequest> decodeLogin(std::string_view body) {
  auto o = parseObject(body);
  if (!o) return o.error();
  if (auto s = onlyMembers(*o, {"username", "password"}); !s) return s.error();
  auto username = stringMember(*o, "username", true);
  if (!username) return username.error();
  if ((*username)->size() > kMaxLoginUsername)
    return BadRequest("username must be at most " + std::to_string(kMaxLoginUsername) + " bytes");
  auto password = stringMember(*o, "password", true);
  if (!password) return password.error();
  if ((*password)->size() > auth::PasswordHasher::kMaxLength)
    return BadRequest("password must be at most " + std::to_string(auth::PasswordHasher::kMaxLength) + " bytes");
  return LoginRequest{std::move(**username), std::move(**password)};
}

Result<NewUserRequest> decodeNewUser(std::string_view body) {
  auto o = parseObject(body);
  if (!o) return o.error();
  if (auto s = onlyMembers(*o, {"username", "role", "password"}); !s) return s.error();
  NewUserRequest out;
  auto username = stringMember(*o, "username", true);
  if (!username) return username.error();
  if (!auth::AccountStore::isValidUsername(**username))
    return BadRequest("username must be 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-'");
  out.username = std::move(**username);
  auto role = stringMember(*o, "role", true);
  if (!role) return role.error();
  auto r = userRole(**role);
  if (!r) return r.error();
  out.role = *r;
  auto password = stringMember(*o, "password", true);
  if (!password) return password.error();
  if (auto s = auth::PasswordHasher::checkPolicy(**password); !s) return s.error();
  out.password = std::move(**password);
  return out;
}

Result<auth::UserUpdate> decodeUserUpdate(std::string_view body) {
  auto o = parseObject(body);
  if (!o) return o.error();
  if (auto s = onlyMembers(*o, {"role", "password", "disabled"}); !s) return s.error();
  if (o->empty()) return BadRequest("nothing to change: send at least one of role, password, disabled");
  auth::UserUpdate out;
  auto role = stringMember(*o, "role", false);
  if (!role) return role.error();
  if (*role) {
    auto r = userRole(**role);
    if (!r) return r.error();
    out.role = *r;
  }
  auto password = stringMember(*o, "password", false);
  if (!password) return password.error();
  if (*password) {
    if (auto s = auth::PasswordHasher::checkPolicy(**password); !s) return s.error();
    out.password = std::move(**password);
  }
  if (const json::value* d = o->if_contains("disabled")) {
    if (!d->is_bool()) return BadRequest("disabled must be true or false");
    out.disabled = d->get_bool();
  }
  return out;
}

Result<NewDeviceKeyRequest> decodeNewDeviceKey(std::string_view body) {
  auto o = parseObject(body);
  if (!o) return o.error();
  if (auto s = onlyMembers(*o, {"name", "scope"}); !s) return s.error();
  NewDeviceKeyRequest out;
  auto name = stringMember(*o, "name", true);
  if (!name) return name.error();
  if ((*name)->empty() || (*name)->size() > kMaxDeviceKeyName || !printable(**name))
    return BadRequest("name must be 1 to " + std::to_string(kMaxDeviceKeyName) + " printable characters");
  out.name = std::move(**name);
  const json::value* scope = o->if_contains("scope");
  if (!scope) return BadRequest("scope is required");
  if (!scope->is_array()) return BadRequest("scope must be an array of entity ids");
  const auto& a = scope->get_array();
  if (a.empty()) return BadRequest("scope must list at least one entity id");
  if (a.size() > auth::AccountStore::kMaxScope)
    return BadRequest("scope may list at most " + std::to_string(auth::AccountStore::kMaxScope) + " entity ids");
  out.scope.reserve(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const auto* s = a[i].if_string();
    if (!s || !model::isValidEntityId(*s))
      return BadRequest("scope[" + std::to_string(i) +
                        "] must be an entity id: a string of letters, digits and . _ : - (1-128 characters)");
    out.scope.emplace_back(s->data(), s->size());
  }
  return out;
}

json::object userJson(const auth::User& u) {
  json::object o;
  o["id"] = u.id;
  o["username"] = u.username;
  o["role"] = auth::roleName(u.role);
  o["created_at"] = formatTime(u.createdMs);
  o["disabled"] = u.disabled;
  return o;
}

json::object deviceKeyJson(const auth::DeviceKeyInfo& k) {
  json::object o;
  o["id"] = k.id;
  o["name"] = k.name;
  json::array scope;
  scope.reserve(k.scope.size());
  for (const auto& s : k.scope) scope.emplace_back(s);
  o["scope"] = std::move(scope);
  o["created_at"] = formatTime(k.createdMs);
  o["revoked"] = k.revoked;
  return o;
}

json::object auditJson(const auth::AuditEntry& e) {
  json::object o;
  o["id"] = e.id;
  o["time"] = formatTime(e.timeMs);
  o["actor"] = e.actor;
  o["role"] = e.role;
  o["action"] = e.action;
  o["target"] = e.target;
  o["address"] = e.address;
  o["before"] = auditText(e.before);
  o["after"] = auditText(e.after);
  return o;
}

Result<auth::AuditQuery> decodeAuditQuery(const std::map<std::string, std::string>& query) {
  QueryParams p(query);
  if (auto s = p.onlyAllow({"actor", "action", "from", "to", "limit"}); !s) return s.error();
  auth::AuditQuery q;
  q.actor = p.text("actor");
  if (q.actor && q.actor->empty()) return BadRequest("actor must not be empty");
  q.action = p.text("action");
  if (q.action && q.action->empty()) return BadRequest("action must not be empty");
  for (const char* name : {"from", "to"}) {
    if (!query.count(name)) continue;
    auto t = p.time(name, 0);
    if (!t) return t.error();
    (std::string_view(name) == "from" ? q.fromMs : q.toMs) = *t;
  }
  if (q.fromMs && q.toMs && *q.fromMs > *q.toMs) return BadRequest("from must not be after to");
  auto limit = p.integer("limit", kDefaultAuditLimit, 1, kMaxAuditLimit);
  if (!limit) return limit.error();
  q.limit = static_cast<int>(*limit);
  return q;
}

}  // namespace cityops::api
