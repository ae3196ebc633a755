// Fuzz target: the parsers of the account routes. The whole input goes to auth::bearerToken as an Authorization
// header value (and once more after "Bearer "), to each api::decode* function as a request body, to
// decodeAuditQuery as a query string (k=v&k=v, no percent-decoding) and as the value of each parameter, and to
// auditJson as stored before/after text.
//
// Oracles besides "no crash, no sanitizer report":
//  - bearerToken: a success is Tokens::wellFormed and a view into the input, framed by "bearer" (any case) and
//    blanks; a failure is "unauthenticated" with one of two fixed messages (so never a piece of the token).
//  - decoders: what they accept satisfies their rules and survives a re-encode -> decode round trip; they fail only
//    with "bad_request"; and an error message never depends on a password's content: the same body with the
//    password replaced by another of the same length gives the same answer (so no message can contain it).
//  - auditJson: JSON text that parses back, before/after as documented.
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "FuzzCheck.hpp"
#include "api/AuthCodec.hpp"
#include "auth/AccountStore.hpp"
#include "auth/Credentials.hpp"
#include "auth/PasswordHasher.hpp"
#include "auth/Tokens.hpp"
#include "common/JsonText.hpp"
#include "model/Names.hpp"

namespace json = boost::json;
using namespace cityops;

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void checkBearer(std::string_view in) {
  auto r = auth::bearerToken(in);
  if (!r.ok()) {
    FUZZ_CHECK(r.error().code == "unauthenticated", "bearerToken: unexpected error code");
    FUZZ_CHECK(r.error().message == "expected Authorization: Bearer <token>" ||
                   r.error().message == "malformed bearer token",
               "bearerToken: unexpected (input-dependent?) message");
    return;
  }
  const std::string_view t = *r;
  FUZZ_CHECK(auth::Tokens::wellFormed(t), "bearerToken: accepted a token that is not wellFormed");
  FUZZ_CHECK(t.size() == auth::Tokens::kTokenLength, "bearerToken: wrong token length");
  FUZZ_CHECK(t.data() >= in.data() && t.data() + t.size() <= in.data() + in.size(),
             "bearerToken: result is not a view into the input");
  const auto start = static_cast<size_t>(t.data() - in.data());
  // Before the token: blanks, "bearer" in any case, at least one blank; after it: blanks only.
  std::string_view before = in.substr(0, start), after = in.substr(start + t.size());
  FUZZ_CHECK(std::all_of(after.begin(), after.end(), blank), "bearerToken: something other than blanks follows");
  FUZZ_CHECK(!before.empty() && blank(before.back()), "bearerToken: no blank between scheme and token");
  while (!before.empty() && blank(before.back())) before.remove_suffix(1);
  while (!before.empty() && blank(before.front())) before.remove_prefix(1);
  FUZZ_CHECK(lower(before) == "bearer", "bearerToken: the scheme is not Bearer");
  // The canonical form gives the same token.
  const std::string canonical = "Bearer " + std::string(t);
  auto again = auth::bearerToken(canonical);
  FUZZ_CHECK(again.ok() && *again == t, "bearerToken: canonical header not accepted");
}

void checkError(const Error& e, const char* who) {
  FUZZ_CHECK(e.code == "bad_request", who);
  FUZZ_CHECK(!e.message.empty() && e.message.size() < 400, who);
}

/// The body as the decoders see it (same depth limit), or nullopt when they reject it as JSON.
std::optional<json::object> parseLikeTheDecoders(std::string_view in) {
  json::parse_options opt;
  opt.max_depth = api::kAuthBodyMaxDepth;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(in.data(), in.size()), ec, {}, opt);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

/// Error messages must not depend on the content of the "password" member: decode the body again with another
/// password of the same byte length and compare the outcomes.
template <class Decode>
void checkPasswordBlind(std::string_view in, Decode decode, const char* who) {
  auto o = parseLikeTheDecoders(in);
  if (!o) return;
  const json::value* pw = o->if_contains("password");
  if (!pw || !pw->is_string()) return;
  const std::string original(pw->get_string().data(), pw->get_string().size());
  const char fill = original.find_first_not_of('x') == std::string::npos ? 'y' : 'x';
  (*o)["password"] = std::string(original.size(), fill);
  const std::string variant = toJsonText(*o);
  if (!parseLikeTheDecoders(variant)) return;  // not re-encodable as the same JSON (e.g. an infinite number)

  auto a = decode(in);
  auto b = decode(variant);
  FUZZ_CHECK(a.ok() == b.ok(), who);
  if (!a.ok()) {
    FUZZ_CHECK(a.error().message == b.error().message, who);
    if (original.size() >= 4 && b.error().message.find(original) == std::string::npos)
      FUZZ_CHECK(a.error().message.find(original) == std::string::npos, who);
  }
}

void checkLogin(std::string_view in) {
  auto r = api::decodeLogin(in);
  checkPasswordBlind(in, api::decodeLogin, "decodeLogin: an error message depends on the password");
  if (!r.ok()) return checkError(r.error(), "decodeLogin: unexpected error");
  FUZZ_CHECK(r->username.size() <= 64, "decodeLogin: username too long");
  FUZZ_CHECK(r->password.size() <= auth::PasswordHasher::kMaxLength, "decodeLogin: password too long");
  // Round trip, in both member orders.
  json::object o{{"username", r->username}, {"password", r->password}};
  json::object reversed{{"password", r->password}, {"username", r->username}};
  for (const auto& body : {toJsonText(o), toJsonText(reversed)}) {
    auto again = api::decodeLogin(body);
    FUZZ_CHECK(again.ok(), "decodeLogin: re-encoded request rejected");
    FUZZ_CHECK(again->username == r->username && again->password == r->password, "decodeLogin: round trip changed it");
  }
  // An extra member makes it fail, and the message names the member, not the password.
  o["zz_extra"] = 1;
  auto extra = api::decodeLogin(toJsonText(o));
  FUZZ_CHECK(!extra.ok() && extra.error().message.find("zz_extra") != std::string::npos,
             "decodeLogin: unknown member accepted or not named");
  checkPasswordBlind(toJsonText(o), api::decodeLogin, "decodeLogin: unknown-member message depends on the password");
}

void checkNewUser(std::string_view in) {
  auto r = api::decodeNewUser(in);
  checkPasswordBlind(in, api::decodeNewUser, "decodeNewUser: an error message depends on the password");
  if (!r.ok()) return checkError(r.error(), "decodeNewUser: unexpected error");
  FUZZ_CHECK(auth::AccountStore::isValidUsername(r->username), "decodeNewUser: invalid username accepted");
  FUZZ_CHECK(auth::isUserRole(r->role), "decodeNewUser: non-user role accepted");
  FUZZ_CHECK(auth::PasswordHasher::checkPolicy(r->password).ok(), "decodeNewUser: password policy not applied");
  json::object o{{"username", r->username}, {"role", auth::roleName(r->role)}, {"password", r->password}};
  auto again = api::decodeNewUser(toJsonText(o));
  FUZZ_CHECK(again.ok() && again->username == r->username && again->role == r->role &&
                 again->password == r->password,
             "decodeNewUser: round trip changed it");
}

void checkUserUpdate(std::string_view in) {
  auto r = api::decodeUserUpdate(in);
  checkPasswordBlind(in, api::decodeUserUpdate, "decodeUserUpdate: an error message depends on the password");
  if (!r.ok()) return checkError(r.error(), "decodeUserUpdate: unexpected error");
  FUZZ_CHECK(r->role || r->password || r->disabled, "decodeUserUpdate: empty update accepted");
  if (r->role) FUZZ_CHECK(auth::isUserRole(*r->role), "decodeUserUpdate: non-user role accepted");
  if (r->password)
    FUZZ_CHECK(auth::PasswordHasher::checkPolicy(*r->password).ok(), "decodeUserUpdate: password policy not applied");
  json::object o;
  if (r->role) o["role"] = auth::roleName(*r->role);
  if (r->password) o["password"] = *r->password;
  if (r->disabled) o["disabled"] = *r->disabled;
  auto again = api::decodeUserUpdate(toJsonText(o));
  FUZZ_CHECK(again.ok() && again->role == r->role && again->password == r->password && again->disabled == r->disabled,
             "decodeUserUpdate: round trip changed it");
}

void checkNewDeviceKey(std::string_view in) {
  auto r = api::decodeNewDeviceKey(in);
  if (!r.ok()) return checkError(r.error(), "decodeNewDeviceKey: unexpected error");
  FUZZ_CHECK(!r->name.empty() && r->name.size() <= 128, "decodeNewDeviceKey: name length");
  for (char c : r->name)
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "decodeNewDeviceKey: control character in name");
  FUZZ_CHECK(!r->scope.empty() && r->scope.size() <= auth::AccountStore::kMaxScope, "decodeNewDeviceKey: scope size");
  for (const auto& id : r->scope) FUZZ_CHECK(model::isValidEntityId(id), "decodeNewDeviceKey: invalid entity id");
  json::array scope;
  for (const auto& id : r->scope) scope.emplace_back(id);
  json::object o{{"name", r->name}, {"scope", std::move(scope)}};
  auto again = api::decodeNewDeviceKey(toJsonText(o));
  FUZZ_CHECK(again.ok() && again->name == r->name && again->scope == r->scope,
             "decodeNewDeviceKey: round trip changed it");
}

void checkAuditQueryMap(const std::map<std::string, std::string>& q) {
  auto r = api::decodeAuditQuery(q);
  if (!r.ok()) return checkError(r.error(), "decodeAuditQuery: unexpected error");
  for (const auto& [k, v] : q)
    FUZZ_CHECK(k == "actor" || k == "action" || k == "from" || k == "to" || k == "limit",
               "decodeAuditQuery: unknown parameter accepted");
  FUZZ_CHECK(r->limit >= 1 && r->limit <= 1000, "decodeAuditQuery: limit out of range");
  FUZZ_CHECK(r->limit == 100 || q.count("limit"), "decodeAuditQuery: limit default");
  FUZZ_CHECK(r->actor.has_value() == (q.count("actor") > 0), "decodeAuditQuery: actor presence");
  FUZZ_CHECK(r->action.has_value() == (q.count("action") > 0), "decodeAuditQuery: action presence");
  FUZZ_CHECK(r->fromMs.has_value() == (q.count("from") > 0), "decodeAuditQuery: from presence");
  FUZZ_CHECK(r->toMs.has_value() == (q.count("to") > 0), "decodeAuditQuery: to presence");
  if (r->actor) FUZZ_CHECK(!r->actor->empty() && *r->actor == q.at("actor"), "decodeAuditQuery: actor");
  if (r->action) FUZZ_CHECK(!r->action->empty() && *r->action == q.at("action"), "decodeAuditQuery: action");
  if (r->fromMs && r->toMs) FUZZ_CHECK(*r->fromMs <= *r->toMs, "decodeAuditQuery: from after to");
}

void checkAuditQuery(std::string_view in) {
  std::map<std::string, std::string> q;
  std::string_view rest = in;
  while (true) {
    const size_t amp = rest.find('&');
    const std::string_view part = rest.substr(0, amp);
    const size_t eq = part.find('=');
    q.emplace(std::string(part.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(part.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  checkAuditQueryMap(q);
  for (const char* name : {"actor", "action", "from", "to", "limit"}) checkAuditQueryMap({{name, std::string(in)}});
}

bool validUtf8(std::string_view s) {
  json::string_view sv(s.data(), s.size());
  json::array a;
  a.emplace_back(sv);
  boost::system::error_code ec;
  json::parse(toJsonText(a), ec);  // the parser validates UTF-8
  return !ec;
}

bool sameJson(const json::value& a, const json::value& b) {
  if (a.is_number() || b.is_number()) {
    if (!a.is_number() || !b.is_number()) {  // a non-finite double is written as null
      const json::value& n = a.is_number() ? a : b;
      const json::value& other = a.is_number() ? b : a;
      return other.is_null() && n.is_double() && !std::isfinite(n.get_double());
    }
    const double x = a.to_number<double>(), y = b.to_number<double>();
    if (!std::isfinite(x) || !std::isfinite(y)) return false;
    return x == y || std::fabs(x - y) <= 1e-12 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (!other || !sameJson(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

void checkAuditJson(std::string_view in) {
  auth::AuditEntry e;
  e.id = static_cast<int64_t>(in.size());
  e.timeMs = 1761735600000;
  e.actor = "fuzz";
  e.before = std::string(in);
  e.after = std::string(in.substr(0, in.size() / 2));
  const json::object o = api::auditJson(e);
  FUZZ_CHECK(o.size() == 9, "auditJson: wrong member count");
  for (const char* k : {"id", "time", "actor", "role", "action", "target", "address", "before", "after"})
    FUZZ_CHECK(o.contains(k), "auditJson: member missing");
  for (const char* k : {"before", "after"}) {
    const std::string& text = std::string_view(k) == "before" ? e.before : e.after;
    const json::value& v = o.at(k);
    if (text.empty()) FUZZ_CHECK(v.is_null(), "auditJson: empty text is not null");
    else if (v.is_string() && v.get_string() == json::string_view(text.data(), text.size())) continue;
    else if (!text.empty()) {
      boost::system::error_code ec;
      json::parse_options opt;
      opt.max_depth = 64;
      const json::value direct = json::parse(json::string_view(text.data(), text.size()), ec, {}, opt);
      // Compared as text: Boost 1.81 reads 0e999 as NaN, and NaN != NaN.
      FUZZ_CHECK(!ec && toJsonText(direct) == toJsonText(v), "auditJson: neither the text nor its JSON");
    }
  }
  // Stored before/after are always valid UTF-8 (they come from toJsonText); the halving may cut a character.
  if (!validUtf8(e.before) || !validUtf8(e.after)) return;
  // The text parses back to the same JSON (numbers within rounding: Boost 1.81 does not always read a double's
  // shortest text back to the same bits; Inf and NaN become null).
  boost::system::error_code ec;
  json::parse_options opt;
  opt.max_depth = 128;
  const json::value once = json::parse(toJsonText(o), ec, {}, opt);
  FUZZ_CHECK(!ec, "auditJson output does not parse");
  FUZZ_CHECK(sameJson(once, o), "auditJson output does not round trip");
  FUZZ_CHECK(once.as_object().at("actor") == "fuzz" && once.as_object().at("id") == e.id, "auditJson: fields lost");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  checkBearer(in);
  checkBearer("Bearer " + std::string(in));
  checkLogin(in);
  checkNewUser(in);
  checkUserUpdate(in);
  checkNewDeviceKey(in);
  checkAuditQuery(in);
  checkAuditJson(in);
  return 0;
}
