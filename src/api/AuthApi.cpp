#include "api/AuthApi.hpp"

#include "api/Api.hpp"
#include "api/AuthCodec.hpp"
#include "api/QueryParams.hpp"
#include "common/JsonText.hpp"
#include "common/Time.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>


namespace cityops::api {

namespace json = boost::json;
using http::Reply;
using http::Request;
using http::Response;

namespace {

std::string userText(const auth::User& u) { return toJsonText(userJson(u)); }

Response noContent() { return Response{204, "", "", {}}; }

}  // namespace

AuthApi::AuthApi(auth::AccountStore& accounts, auth::Gatekeeper& gate, auth::LoginThrottle& throttle,
                 Auditor& auditor, const Clock& clock, Options options)
    : accounts_(accounts),
      gate_(gate),
      throttle_(throttle),
      auditor_(auditor),
      clock_(clock),
      options_(options),
      pool_(std::make_unique<boost::asio::thread_pool>(static_cast<std::size_t>(std::max(1, options.hashingThreads)))) {}

AuthApi::~AuthApi() { pool_->join(); }

void AuthApi::registerRoutes(http::Router& r) {
  auto bind = [this](void (AuthApi::*m)(Request&&, Reply)) {
    return [this, m](Request&& req, Reply reply) { (this->*m)(std::move(req), std::move(reply)); };
  };
  r.add("POST", "/api/v1/auth/login", bind(&AuthApi::login));
  r.add("POST", "/api/v1/auth/logout", bind(&AuthApi::logout));
  r.add("GET", "/api/v1/auth/me", bind(&AuthApi::me));
  r.add("GET", "/api/v1/users", bind(&AuthApi::listUsers));
  r.add("POST", "/api/v1/users", bind(&AuthApi::createUser));
  r.add("GET", "/api/v1/users/{id}", bind(&AuthApi::getUser));
  r.add("PATCH", "/api/v1/users/{id}", bind(&AuthApi::patchUser));
  r.add("DELETE", "/api/v1/users/{id}", bind(&AuthApi::deleteUser));
  r.add("DELETE", "/api/v1/users/{id}/sessions", bind(&AuthApi::revokeSessions));
  r.add("GET", "/api/v1/devices/keys", bind(&AuthApi::listKeys));
  r.add("POST", "/api/v1/devices/keys", bind(&AuthApi::createKey));
  r.add("DELETE", "/api/v1/devices/keys/{id}", bind(&AuthApi::revokeKey));
  r.add("GET", "/api/v1/audit", bind(&AuthApi::audit));
}

bool AuthApi::offload(Reply& reply, std::function<void()> work) {
  if (queued_.fetch_add(1) >= options_.maxQueuedHashing) {
    queued_.fetch_sub(1);
    auto res = Response::error(503, "busy", "too many logins and password changes in progress; retry shortly");
    res.headers.emplace_back("Retry-After", "1");
    reply(std::move(res));
    return false;
  }
  boost::asio::post(*pool_, [this, work = std::move(work)] {
    struct Done {
      std::atomic<int>& n;
      ~Done() { n.fetch_sub(1); }
    } done{queued_};
    work();
  });
  return true;
}

void AuthApi::login(Request&& req, Reply reply) {
  auto body = decodeLogin(req.body);
  if (!body) return reply(Api::errorResponse(body.error()));
  if (auto s = throttle_.check(body->username, req.remote); !s) {
    auto res = Response::error(429, "too_many_requests", s.error().message);
    res.headers.emplace_back("Retry-After",
                             std::to_string(std::max<int64_t>(1, throttle_.retryAfterSeconds(body->username, req.remote))));
    return reply(std::move(res));
  }
  offload(reply, [this, req = std::move(req), body = std::move(*body), reply]() mutable {
    auto r = accounts_.login(body.username, body.password, clock_.nowMs(), options_.sessionTtlMs);
    if (!r) {
      if (r.error().code != "unauthenticated") return reply(Api::errorResponse(r.error()));
      throttle_.recordFailure(body.username, req.remote);
      auditor_.record(req, "login.failure", "username:" + body.username);
      auto res = Response::error(401, "unauthenticated", "wrong username or password");
      res.headers.emplace_back("WWW-Authenticate", "Bearer");
      return reply(std::move(res));
    }
    throttle_.recordSuccess(body.username, req.remote);
    auto who = std::make_shared<auth::Principal>();
    who->id = r->userId;
    who->name = r->username;
    who->role = r->role;
    req.principal = std::move(who);
    auditor_.record(req, "login.success", "user:" + std::to_string(r->userId));
    json::object out;
    out["token"] = r->token;
    out["expires_at"] = formatTime(r->expiresMs);
    out["role"] = auth::roleName(r->role);
    out["username"] = r->username;
    reply(Response::json(200, out));
  });
}

void AuthApi::logout(Request&& req, Reply reply) {
  // The policy only lets users (not device keys) here, so the header holds a session token.
  auto token = auth::bearerToken(req.header("Authorization"));
  if (token) {
    if (auto s = accounts_.logout(*token); !s) return reply(Api::errorResponse(s.error()));
  }
  gate_.invalidate();
  if (req.principal) auditor_.record(req, "logout", "user:" + std::to_string(req.principal->id));
  reply(noContent());
}

void AuthApi::me(Request&& req, Reply reply) {
  if (!req.principal) return reply(Response::error(401, "unauthenticated", "log in first"));
  const auto& p = *req.principal;
  json::object out;
  out["kind"] = p.kind == auth::Principal::Kind::Device ? "device" : "user";
  out["id"] = p.id;
  out["name"] = p.name;
  out["role"] = auth::roleName(p.role);
  if (p.expiresMs > 0) out["expires_at"] = formatTime(p.expiresMs);
  if (p.kind == auth::Principal::Kind::Device) {
    json::array scope;
    for (const auto& s : p.scope) scope.emplace_back(s);
    out["scope"] = std::move(scope);
  }
  reply(Response::json(200, out));
}

void AuthApi::listUsers(Request&&, Reply reply) {
  auto users = accounts_.listUsers();
  if (!users) return reply(Api::errorResponse(users.error()));
  json::array out;
  for (const auto& u : *users) out.push_back(userJson(u));
  reply(Response::json(200, out));
}

void AuthApi::createUser(Request&& req, Reply reply) {
  auto body = decodeNewUser(req.body);
  if (!body) return reply(Api::errorResponse(body.error()));
  offload(reply, [this, req = std::move(req), body = std::move(*body), reply]() mutable {
    auto u = accounts_.createUser(body.username, body.role, body.password);
    if (!u) return reply(Api::errorResponse(u.error()));
    auditor_.record(req, "user.create", "user:" + std::to_string(u->id), {}, userText(*u));
    auto res = Response::json(201, userJson(*u));
    res.headers.emplace_back("Location", "/api/v1/users/" + std::to_string(u->id));
    reply(std::move(res));
  });
}

void AuthApi::getUser(Request&& req, Reply reply) {
  auto id = QueryParams::pathId(req.params, "user");
  if (!id) return reply(Api::errorResponse(id.error()));
  auto u = accounts_.getUser(*id);
  if (!u) return reply(Api::errorResponse(u.error()));
  reply(Response::json(200, userJson(*u)));
}

void AuthApi::patchUser(Request&& req, Reply reply) {
  auto id = QueryParams::pathId(req.params, "user");
  if (!id) return reply(Api::errorResponse(id.error()));
  auto update = decodeUserUpdate(req.body);
  if (!update) return reply(Api::errorResponse(update.error()));
  auto work = [this, req = std::move(req), update = std::move(*update), id = *id, reply]() mutable {
    auto before = accounts_.getUser(id);
    if (!before) return reply(Api::errorResponse(before.error()));
    auto after = accounts_.updateUser(id, update);
    if (!after) return reply(Api::errorResponse(after.error()));
    gate_.invalidate();  // a new role, a disabled account or a new password applies at once
    std::string afterText = userText(*after);
    if (update.password) {  // never the password itself: only that it changed
      auto o = userJson(*after);
      o["password_changed"] = true;
      afterText = toJsonText(o);
    }
    auditor_.record(req, "user.update", "user:" + std::to_string(id), userText(*before), afterText);
    reply(Response::json(200, userJson(*after)));
  };
  if (update->password) {
    offload(reply, std::move(work));
  } else {
    work();
  }
}

void AuthApi::deleteUser(Request&& req, Reply reply) {
  auto id = QueryParams::pathId(req.params, "user");
  if (!id) return reply(Api::errorResponse(id.error()));
  auto before = accounts_.getUser(*id);
  if (!before) return reply(Api::errorResponse(before.error()));
  if (auto s = accounts_.deleteUser(*id); !s) return reply(Api::errorResponse(s.error()));
  gate_.invalidate();
  auditor_.record(req, "user.delete", "user:" + std::to_string(*id), userText(*before));
  reply(noContent());
}

void AuthApi::revokeSessions(Request&& req, Reply reply) {
  auto id = QueryParams::pathId(req.params, "user");
  if (!id) return reply(Api::errorResponse(id.error()));
  if (auto u = accounts_.getUser(*id); !u) return reply(Api::errorResponse(u.error()));
  auto n = accounts_.revokeSessionsOf(*id);
  if (!n) return reply(Api::errorResponse(n.error()));
  gate_.invalidate();
  auditor_.record(req, "user.sessions.revoke", "user:" + std::to_string(*id), {},
                  toJsonText(json::object{{"revoked", *n}}));
  reply(Response::json(200, {{"revoked", *n}}));
}

void AuthApi::listKeys(Request&&, Reply reply) {
  auto keys = accounts_.listDeviceKeys();
  if (!keys) return reply(Api::errorResponse(keys.error()));
  json::array out;
  for (const auto& k : *keys) out.push_back(deviceKeyJson(k));
  reply(Response::json(200, out));
}

void AuthApi::createKey(Request&& req, Reply reply) {
  auto body = decodeNewDeviceKey(req.body);
  if (!body) return reply(Api::errorResponse(body.error()));
  auto key = accounts_.createDeviceKey(body->name, body->scope);
  if (!key) return reply(Api::errorResponse(key.error()));
  json::object summary;
  summary["id"] = key->id;
  summary["name"] = body->name;
  summary["scope_size"] = body->scope.size();
  auditor_.record(req, "device_key.create", "device_key:" + std::to_string(key->id), {}, toJsonText(summary));
  json::object out;
  out["id"] = key->id;
  out["name"] = body->name;
  json::array scope;
  for (const auto& s : body->scope) scope.emplace_back(s);
  out["scope"] = std::move(scope);
  out["key"] = key->key;  // shown once: only its digest is kept
  auto res = Response::json(201, out);
  res.headers.emplace_back("Location", "/api/v1/devices/keys/" + std::to_string(key->id));
  reply(std::move(res));
}

void AuthApi::revokeKey(Request&& req, Reply reply) {
  auto id = QueryParams::pathId(req.params, "device key");
  if (!id) return reply(Api::errorResponse(id.error()));
  if (auto s = accounts_.revokeDeviceKey(*id); !s) return reply(Api::errorResponse(s.error()));
  gate_.invalidate();
  auditor_.record(req, "device_key.revoke", "device_key:" + std::to_string(*id));
  reply(noContent());
}

void AuthApi::audit(Request&& req, Reply reply) {
  auto q = decodeAuditQuery(req.query);
  if (!q) return reply(Api::errorResponse(q.error()));
  auto entries = accounts_.queryAudit(*q);
  if (!entries) return reply(Api::errorResponse(entries.error()));
  json::array out;
  for (const auto& e : *entries) out.push_back(auditJson(e));
  reply(Response::json(200, out));
}

}  // namespace cityops::api
