#include "api/AuthCodec.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

namespace cityops::api {
namespace {

namespace json = boost::json;
using auth::Role;

constexpr std::string_view kSecret = "Sup3r-Secret-Pa55word";  // appears in no message text

template <class T>
void expectBad(const Result<T>& r, std::string_view messagePart, std::string_view context = {}) {
  ASSERT_FALSE(r.ok()) << context;
  EXPECT_EQ(r.error().code, "bad_request") << context;
  EXPECT_NE(r.error().message.find(messagePart), std::string::npos)
      << "message: " << r.error().message << " | wanted: " << messagePart << " | " << context;
  EXPECT_EQ(r.error().message.find(kSecret), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("Secret"), std::string::npos) << r.error().message;
}

std::string withSecret(std::string_view tpl) {  // replaces every "@" by the secret
  std::string out;
  for (char c : tpl) {
    if (c == '@') out += kSecret;
    else out += c;
  }
  return out;
}

// --- bodies in general (decodeLogin as the example, then each decoder) ---

TEST(AuthCodec, BodyMustBeAJsonObject) {
  expectBad(decodeLogin(""), "empty");
  expectBad(decodeLogin("   "), "malformed JSON");
  expectBad(decodeLogin("{"), "malformed JSON");
  expectBad(decodeLogin(R"({"username":"a","password":"b"} x)"), "malformed JSON");
  expectBad(decodeLogin(R"({"username":"a","password":"b"}{})"), "malformed JSON");
  expectBad(decodeLogin("[]"), "must be a JSON object");
  expectBad(decodeLogin("null"), "must be a JSON object");
  expectBad(decodeLogin(R"("username")"), "must be a JSON object");
  expectBad(decodeLogin("42"), "must be a JSON object");
  expectBad(decodeNewUser("[1]"), "must be a JSON object");
  expectBad(decodeUserUpdate("true"), "must be a JSON object");
  expectBad(decodeNewDeviceKey(R"(["scope"])"), "must be a JSON object");
}

TEST(AuthCodec, NestingIsLimited) {
  expectBad(decodeNewDeviceKey(R"({"name":"k","scope":[[[["a"]]]]})"), "too deep");
  expectBad(decodeLogin(R"({"username":{"a":{"b":{"c":{}}}}})"), "too deep");
  // Four levels parse (and are then refused for their type, not their depth).
  expectBad(decodeNewDeviceKey(R"({"name":"k","scope":[[["a"]]]})"), "scope[0]");
}

TEST(AuthCodec, InvalidUtf8IsMalformed) {
  expectBad(decodeLogin("{\"username\":\"a\xff\",\"password\":\"b\"}"), "malformed JSON");
}

TEST(AuthCodec, MalformedJsonDoesNotRepeatTheBody) {
  for (std::string body : {withSecret(R"({"username":"a","password":"@)"), withSecret(R"({"password":"@",})"),
                           withSecret(R"({"password":@})"), withSecret(R"(@)")}) {
    expectBad(decodeLogin(body), "", body);
    expectBad(decodeNewUser(body), "", body);
    expectBad(decodeUserUpdate(body), "", body);
  }
}

// --- login ---

TEST(AuthCodec, Login) {
  auto r = decodeLogin(withSecret(R"({"username":"an.admin","password":"@"})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->username, "an.admin");
  EXPECT_EQ(r->password, kSecret);
  // Member order does not matter; escapes are decoded; the password policy is not applied at login.
  auto r2 = decodeLogin(R"({ "password" : "a\"b\\c\u00e9\n" , "username" : "x" })");
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->username, "x");
  EXPECT_EQ(r2->password, "a\"b\\c\xc3\xa9\n");
}

TEST(AuthCodec, LoginAcceptsShortAndEmptyValues) {
  auto r = decodeLogin(R"({"username":"","password":""})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->username, "");
  EXPECT_EQ(r->password, "");
}

TEST(AuthCodec, LoginLengthLimits) {
  const std::string u64(64, 'u'), p1024(1024, 'p');
  auto ok = decodeLogin(R"({"username":")" + u64 + R"(","password":")" + p1024 + R"("})");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->username.size(), 64u);
  EXPECT_EQ(ok->password.size(), 1024u);
  expectBad(decodeLogin(R"({"username":")" + u64 + "u" + R"(","password":"p"})"), "username must be at most 64 bytes");
  const std::string longSecret = std::string(kSecret) + std::string(1100, 'x');
  expectBad(decodeLogin(R"({"username":"u","password":")" + longSecret + R"("})"),
            "password must be at most 1024 bytes");
  // Bytes, not characters: 513 two-byte characters are 1026 bytes.
  std::string wide;
  for (int i = 0; i < 513; ++i) wide += "\xc3\xa9";
  expectBad(decodeLogin(R"({"username":"u","password":")" + wide + R"("})"), "at most 1024 bytes");
}

TEST(AuthCodec, LoginMissingAndWrongTypes) {
  expectBad(decodeLogin(withSecret(R"({"password":"@"})")), "username is required");
  expectBad(decodeLogin(R"({"username":"u"})"), "password is required");
  expectBad(decodeLogin("{}"), "username is required");
  expectBad(decodeLogin(withSecret(R"({"username":7,"password":"@"})")), "username must be a string");
  expectBad(decodeLogin(withSecret(R"({"username":null,"password":"@"})")), "username must be a string");
  expectBad(decodeLogin(R"({"username":"u","password":12345678901})"), "password must be a string");
  expectBad(decodeLogin(R"({"username":"u","password":["x"]})"), "password must be a string");
  expectBad(decodeLogin(R"({"username":"u","password":null})"), "password must be a string");
}

TEST(AuthCodec, LoginUnknownMember) {
  auto r = decodeLogin(withSecret(R"({"username":"u","password":"@","remember":true})"));
  expectBad(r, "unknown field 'remember'");
  expectBad(r, "allowed: username, password");
  // Long member names are cut (to 64 bytes and "...").
  auto longName = decodeLogin(R"({")" + std::string(300, 'k') + R"(":1})");
  expectBad(longName, "unknown field '" + std::string(64, 'k') + "...'");
  EXPECT_LT(longName.error().message.size(), 200u);
  // ... at a character boundary: 63 'k' then "é" (2 bytes) would straddle byte 64.
  auto cut = decodeLogin(R"({")" + std::string(63, 'k') + "\xc3\xa9" + R"(xyz":1})");
  expectBad(cut, "unknown field '" + std::string(63, 'k') + "...'");
}

// --- new user ---

TEST(AuthCodec, NewUser) {
  const std::pair<const char*, Role> roles[] = {{"admin", Role::Admin}, {"operator", Role::Operator},
                                                {"viewer", Role::Viewer}};
  for (auto [name, role] : roles) {
    auto r = decodeNewUser(withSecret(R"({"username":"Ann_01.x-y","role":")" + std::string(name) +
                                      R"(","password":"@"})"));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->username, "Ann_01.x-y");
    EXPECT_EQ(r->role, role);
    EXPECT_EQ(r->password, kSecret);
  }
}

TEST(AuthCodec, NewUserUsername) {
  const std::string pw = withSecret(R"(,"role":"viewer","password":"@"})");
  auto ok64 = decodeNewUser(R"({"username":")" + std::string(64, 'a') + "\"" + pw);
  ASSERT_TRUE(ok64.ok()) << ok64.error().message;
  const std::string bad[] = {"", "a b", "a/b", "ann@example", "é", std::string(65, 'a'), "tab\\t", "nul\\u0000"};
  for (const auto& b : bad)
    expectBad(decodeNewUser(R"({"username":")" + b + "\"" + pw), "username must be 1 to 64 characters", b);
  expectBad(decodeNewUser(R"({"username":5)" + pw), "username must be a string");
  expectBad(decodeNewUser(withSecret(R"({"role":"viewer","password":"@"})")), "username is required");
}

TEST(AuthCodec, NewUserRole) {
  auto body = [](std::string roleJson) {
    return withSecret(R"({"username":"u","password":"@","role":)" + roleJson + "}");
  };
  expectBad(decodeNewUser(body(R"("device")")), "role must be one of admin, operator, viewer");
  expectBad(decodeNewUser(body(R"("Admin")")), "role must be one of admin, operator, viewer");
  expectBad(decodeNewUser(body(R"("root")")), "role must be one of admin, operator, viewer");
  expectBad(decodeNewUser(body(R"("")")), "role must be one of admin, operator, viewer");
  expectBad(decodeNewUser(body("1")), "role must be a string");
  expectBad(decodeNewUser(body("null")), "role must be a string");
  expectBad(decodeNewUser(withSecret(R"({"username":"u","password":"@"})")), "role is required");
  // The role's value is not repeated (it might be a mistyped secret).
  auto r = decodeNewUser(body(R"("hunter2-role")"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
}

TEST(AuthCodec, NewUserPasswordPolicy) {
  auto body = [](const std::string& pw) { return R"({"username":"u","role":"viewer","password":")" + pw + "\"}"; };
  ASSERT_TRUE(decodeNewUser(body(std::string(10, 'p'))).ok());
  ASSERT_TRUE(decodeNewUser(body(std::string(1024, 'p'))).ok());
  expectBad(decodeNewUser(body("Secret123")), "at least 10");
  expectBad(decodeNewUser(body("")), "at least 10");
  expectBad(decodeNewUser(body(std::string(kSecret) + std::string(1010, 'p'))), "at most 1024");
  expectBad(decodeNewUser(R"({"username":"u","role":"viewer","password":false})"), "password must be a string");
  expectBad(decodeNewUser(R"({"username":"u","role":"viewer"})"), "password is required");
  // A short password's text never shows up in the message.
  auto r = decodeNewUser(body("Secretz"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("Secretz"), std::string::npos);
}

TEST(AuthCodec, NewUserUnknownMember) {
  expectBad(decodeNewUser(withSecret(R"({"username":"u","role":"viewer","password":"@","disabled":false})")),
            "unknown field 'disabled' (allowed: username, role, password)");
  expectBad(decodeNewUser(withSecret(R"({"username":"u","role":"viewer","password":"@","id":1})")),
            "unknown field 'id'");
}

// --- user update ---

TEST(AuthCodec, UserUpdateEachMember) {
  auto role = decodeUserUpdate(R"({"role":"operator"})");
  ASSERT_TRUE(role.ok()) << role.error().message;
  EXPECT_EQ(role->role, Role::Operator);
  EXPECT_FALSE(role->password.has_value());
  EXPECT_FALSE(role->disabled.has_value());

  auto pw = decodeUserUpdate(withSecret(R"({"password":"@"})"));
  ASSERT_TRUE(pw.ok()) << pw.error().message;
  EXPECT_EQ(pw->password, std::string(kSecret));
  EXPECT_FALSE(pw->role.has_value());

  auto off = decodeUserUpdate(R"({"disabled":true})");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_EQ(off->disabled, true);
  auto on = decodeUserUpdate(R"({"disabled":false})");
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(on->disabled, false);

  auto all = decodeUserUpdate(withSecret(R"({"disabled":false,"password":"@","role":"admin"})"));
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(all->role, Role::Admin);
  EXPECT_EQ(all->password, std::string(kSecret));
  EXPECT_EQ(all->disabled, false);
}

TEST(AuthCodec, UserUpdateErrors) {
  expectBad(decodeUserUpdate("{}"), "at least one of role, password, disabled");
  expectBad(decodeUserUpdate(R"({"role":"device"})"), "role must be one of admin, operator, viewer");
  expectBad(decodeUserUpdate(R"({"role":null})"), "role must be a string");
  expectBad(decodeUserUpdate(R"({"password":"short"})"), "at least 10");
  expectBad(decodeUserUpdate(R"({"password":null})"), "password must be a string");
  expectBad(decodeUserUpdate(R"({"disabled":"true"})"), "disabled must be true or false");
  expectBad(decodeUserUpdate(R"({"disabled":1})"), "disabled must be true or false");
  expectBad(decodeUserUpdate(R"({"disabled":null})"), "disabled must be true or false");
  expectBad(decodeUserUpdate(withSecret(R"({"password":"@","username":"new"})")),
            "unknown field 'username' (allowed: role, password, disabled)");
  // An invalid member elsewhere still fails a valid password change, without naming the password.
  expectBad(decodeUserUpdate(withSecret(R"({"password":"@","role":"x"})")), "role must be");
}

// --- device keys ---

TEST(AuthCodec, NewDeviceKey) {
  auto r = decodeNewDeviceKey(R"({"name":"Trạm đo mưa #3","scope":["tk-wl-01","rain:03","tk-wl-01"]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name, "Trạm đo mưa #3");
  EXPECT_EQ(r->scope, (std::vector<std::string>{"tk-wl-01", "rain:03", "tk-wl-01"}));  // the store de-duplicates
}

TEST(AuthCodec, NewDeviceKeyName) {
  auto body = [](std::string nameJson) { return R"({"scope":["a"],"name":)" + nameJson + "}"; };
  ASSERT_TRUE(decodeNewDeviceKey(body("\"" + std::string(128, 'n') + "\"")).ok());
  expectBad(decodeNewDeviceKey(body("\"" + std::string(129, 'n') + "\"")), "name must be 1 to 128 printable");
  expectBad(decodeNewDeviceKey(body(R"("")")), "name must be 1 to 128 printable");
  expectBad(decodeNewDeviceKey(body(R"("a\nb")")), "name must be 1 to 128 printable");
  expectBad(decodeNewDeviceKey(body(R"("a\u007fb")")), "name must be 1 to 128 printable");
  expectBad(decodeNewDeviceKey(body("3")), "name must be a string");
  expectBad(decodeNewDeviceKey(R"({"scope":["a"]})"), "name is required");
}

TEST(AuthCodec, NewDeviceKeyScope) {
  auto body = [](std::string scopeJson) { return R"({"name":"k","scope":)" + scopeJson + "}"; };
  expectBad(decodeNewDeviceKey(R"({"name":"k"})"), "scope is required");
  expectBad(decodeNewDeviceKey(body("[]")), "at least one entity id");
  expectBad(decodeNewDeviceKey(body(R"("a")")), "scope must be an array");
  expectBad(decodeNewDeviceKey(body("null")), "scope must be an array");
  expectBad(decodeNewDeviceKey(body(R"({"a":1})")), "scope must be an array");
  expectBad(decodeNewDeviceKey(body(R"(["a",1])")), "scope[1] must be an entity id");
  expectBad(decodeNewDeviceKey(body(R"(["a","b c"])")), "scope[1] must be an entity id");
  expectBad(decodeNewDeviceKey(body(R"([""])")), "scope[0] must be an entity id");
  expectBad(decodeNewDeviceKey(body("[\"" + std::string(129, 'e') + "\"]")), "scope[0] must be an entity id");
  ASSERT_TRUE(decodeNewDeviceKey(body("[\"" + std::string(128, 'e') + "\"]")).ok());

  std::string big = "[";
  for (size_t i = 0; i < auth::AccountStore::kMaxScope; ++i) big += (i ? ",\"e" : "\"e") + std::to_string(i) + "\"";
  auto atMax = decodeNewDeviceKey(body(big + "]"));
  ASSERT_TRUE(atMax.ok()) << atMax.error().message;
  EXPECT_EQ(atMax->scope.size(), auth::AccountStore::kMaxScope);
  EXPECT_EQ(atMax->scope.back(), "e9999");
  expectBad(decodeNewDeviceKey(body(big + ",\"one-more\"]")), "at most 10000 entity ids");
}

TEST(AuthCodec, NewDeviceKeyUnknownMember) {
  expectBad(decodeNewDeviceKey(R"({"name":"k","scope":["a"],"key":"cok_x"})"),
            "unknown field 'key' (allowed: name, scope)");
}

// --- encoders ---

TEST(AuthCodec, UserJson) {
  auth::User u{7, "ann", Role::Operator, 1761735600000, true};
  const json::object o = userJson(u);
  EXPECT_EQ(o, json::parse(R"({"id":7,"username":"ann","role":"operator","created_at":"2025-10-29T11:00:00.000Z",)"
                           R"("disabled":true})")
                   .as_object());
}

TEST(AuthCodec, DeviceKeyJson) {
  auth::DeviceKeyInfo k{3, "gauge 3", {"tk-wl-01", "tk-wl-02"}, 1761735600250, false};
  EXPECT_EQ(deviceKeyJson(k), json::parse(R"({"id":3,"name":"gauge 3","scope":["tk-wl-01","tk-wl-02"],)"
                                          R"("created_at":"2025-10-29T11:00:00.250Z","revoked":false})")
                                  .as_object());
}

TEST(AuthCodec, AuditJson) {
  auth::AuditEntry e;
  e.id = 42;
  e.timeMs = 0;
  e.actor = "ann";
  e.role = "admin";
  e.action = "user.update";
  e.target = "user:7";
  e.address = "10.0.0.9";
  e.before = R"({"id":7,"role":"viewer"})";
  e.after = R"( {"id":7,"role":"operator","password_changed":true} )";
  EXPECT_EQ(auditJson(e),
            json::parse(R"({"id":42,"time":"1970-01-01T00:00:00.000Z","actor":"ann","role":"admin",)"
                        R"("action":"user.update","target":"user:7","address":"10.0.0.9",)"
                        R"("before":{"id":7,"role":"viewer"},)"
                        R"("after":{"id":7,"role":"operator","password_changed":true}})")
                .as_object());
}

TEST(AuthCodec, AuditJsonBeforeAfterForms) {
  auth::AuditEntry e;
  e.actor = "anonymous";
  const json::object empty = auditJson(e);
  EXPECT_TRUE(empty.at("before").is_null());
  EXPECT_TRUE(empty.at("after").is_null());
  EXPECT_EQ(empty.at("role"), json::value(""));

  e.before = "not json {";
  e.after = "[1,2,\"x\"]";
  const json::object o = auditJson(e);
  EXPECT_EQ(o.at("before"), json::value("not json {"));
  EXPECT_EQ(o.at("after"), json::parse(R"([1,2,"x"])"));

  e.before = "12";
  e.after = R"("text")";
  const json::object s = auditJson(e);
  EXPECT_EQ(s.at("before"), json::value(12));
  EXPECT_EQ(s.at("after"), json::value("text"));

  e.before = "{} {}";  // two values: not one JSON text
  EXPECT_EQ(auditJson(e).at("before"), json::value("{} {}"));
}

// --- audit query ---

TEST(AuthCodec, AuditQueryDefaults) {
  auto q = decodeAuditQuery({});
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_FALSE(q->actor || q->action || q->fromMs || q->toMs);
  EXPECT_EQ(q->limit, 100);
}

TEST(AuthCodec, AuditQueryAll) {
  auto q = decodeAuditQuery({{"actor", "ann"},
                             {"action", "login.failure"},
                             {"from", "2025-10-29T18:00:00+07:00"},
                             {"to", "1761739200000"},
                             {"limit", "1000"}});
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ(q->actor, "ann");
  EXPECT_EQ(q->action, "login.failure");
  EXPECT_EQ(q->fromMs, 1761735600000);
  EXPECT_EQ(q->toMs, 1761739200000);
  EXPECT_EQ(q->limit, 1000);
  // '+' of an unencoded offset arrives as a space.
  auto plus = decodeAuditQuery({{"from", "2025-10-29T18:00:00 07:00"}});
  ASSERT_TRUE(plus.ok()) << plus.error().message;
  EXPECT_EQ(plus->fromMs, 1761735600000);
  auto one = decodeAuditQuery({{"limit", "1"}});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->limit, 1);
  auto same = decodeAuditQuery({{"from", "5"}, {"to", "5"}});  // empty window, allowed
  ASSERT_TRUE(same.ok());
}

TEST(AuthCodec, AuditQueryErrors) {
  using Q = std::map<std::string, std::string>;
  expectBad(decodeAuditQuery(Q{{"user", "ann"}}), "unknown query parameter 'user'");
  expectBad(decodeAuditQuery(Q{{"offset", "1"}}), "allowed: actor, action, from, to, limit");
  expectBad(decodeAuditQuery(Q{{"limit", "0"}}), "limit must be an integer from 1 to 1000");
  expectBad(decodeAuditQuery(Q{{"limit", "1001"}}), "limit must be an integer from 1 to 1000");
  expectBad(decodeAuditQuery(Q{{"limit", "ten"}}), "limit must be an integer");
  expectBad(decodeAuditQuery(Q{{"limit", ""}}), "limit must be an integer");
  expectBad(decodeAuditQuery(Q{{"limit", "-5"}}), "limit must be an integer");
  expectBad(decodeAuditQuery(Q{{"from", "yesterday"}}), "from:");
  expectBad(decodeAuditQuery(Q{{"to", "2025-13-01T00:00:00Z"}}), "to:");
  expectBad(decodeAuditQuery(Q{{"from", "2000"}, {"to", "1000"}}), "from must not be after to");
  expectBad(decodeAuditQuery(Q{{"actor", ""}}), "actor must not be empty");
  expectBad(decodeAuditQuery(Q{{"action", ""}}), "action must not be empty");
}

}  // namespace
}  // namespace cityops::api
