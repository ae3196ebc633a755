#include "auth/Gatekeeper.hpp"

#include "auth/Credentials.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace cityops::auth {

namespace {

// The web UI is served by cityops itself (no CDN): scripts, styles and fonts from 'self' only; images also from the
// basemap's tile server when one is configured (Options::imgSources).
std::string contentSecurityPolicy(const std::vector<std::string>& imgSources) {
  std::string img = "img-src 'self' data: blob:";
  for (const auto& origin : imgSources) img += " " + origin;
  return "default-src 'self'; script-src 'self'; style-src 'self'; " + img +
         "; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
         "frame-ancestors 'none'";
}

constexpr std::string_view kAllowedMethods = "GET, POST, PUT, PATCH, DELETE";
constexpr std::string_view kAllowedHeaders = "Authorization, Content-Type";

bool hasHeader(const http::Response& res, std::string_view name) {
  return std::any_of(res.headers.begin(), res.headers.end(), [&](const auto& h) {
    return h.first.size() == name.size() &&
           std::equal(h.first.begin(), h.first.end(), name.begin(), [](char a, char b) {
             return (a | 0x20) == (b | 0x20);
           });
  });
}

std::string credentialKey(const Principal& p) {
  return (p.kind == Principal::Kind::Device ? "key:" : "user:") + std::to_string(p.id);
}

}  // namespace

Gatekeeper::Gatekeeper(AccountStore& accounts, const AccessPolicy& policy, const Clock& clock,
                       metrics::Registry& metrics, Options options)
    : accounts_(accounts), policy_(policy), clock_(clock), options_(std::move(options)),
      contentSecurityPolicy_(contentSecurityPolicy(options_.imgSources)) {
  if (options_.perCredential.ratePerSecond > 0)
    perCredential_ = std::make_unique<RateLimiter>(clock_, options_.perCredential);
  if (options_.perAddress.ratePerSecond > 0) perAddress_ = std::make_unique<RateLimiter>(clock_, options_.perAddress);
  const std::string help = "Requests refused by authentication, authorization or rate limits";
  unauthenticated_ = &metrics.counter("cityops_auth_refused_total", help, {{"reason", "unauthenticated"}});
  forbidden_ = &metrics.counter("cityops_auth_refused_total", help, {{"reason", "forbidden"}});
  limited_ = &metrics.counter("cityops_auth_refused_total", help, {{"reason", "rate_limited"}});
}

bool Gatekeeper::originAllowed(std::string_view origin) const {
  if (origin.empty()) return false;
  return std::any_of(options_.corsOrigins.begin(), options_.corsOrigins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

std::optional<http::Response> Gatekeeper::preflight(const http::Request& req) {
  const std::string_view origin = req.header("Origin");
  if (!originAllowed(origin)) {
    forbidden_->inc();
    return http::Response::error(403, "forbidden", "cross-origin requests from this origin are not allowed");
  }
  http::Response res{204, "", "", {}};
  res.headers.emplace_back("Access-Control-Allow-Methods", std::string(kAllowedMethods));
  res.headers.emplace_back("Access-Control-Allow-Headers", std::string(kAllowedHeaders));
  res.headers.emplace_back("Access-Control-Max-Age", "600");
  return res;  // decorate() adds Access-Control-Allow-Origin
}

void Gatekeeper::decorate(std::string_view origin, http::Response& res) {
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("X-Frame-Options", "DENY");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  res.headers.emplace_back("Content-Security-Policy", contentSecurityPolicy_);
  if (options_.hsts) res.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  if (!hasHeader(res, "Cache-Control") && res.contentType.starts_with("application/json"))
    res.headers.emplace_back("Cache-Control", "no-store");
  if (originAllowed(origin)) {
    res.headers.emplace_back("Access-Control-Allow-Origin", std::string(origin));
    res.headers.emplace_back("Access-Control-Expose-Headers", "Retry-After, X-Total-Count, Location");
    res.headers.emplace_back("Vary", "Origin");
  }
}

void Gatekeeper::invalidate() {
  {
    std::lock_guard lock(cacheMu_);
    cache_.clear();
  }
  for (const auto& callback : onInvalidate_) callback();
}

std::shared_ptr<const Principal> Gatekeeper::authenticateShared(std::string_view token, Error* error) {
  const int64_t now = clock_.nowMs();
  {
    std::lock_guard lock(cacheMu_);
    auto it = cache_.find(std::string(token));
    if (it != cache_.end()) {
      if (now < it->second.validUntilMs) return it->second.principal;
      cache_.erase(it);
    }
  }
  auto p = accounts_.authenticate(token, now);
  if (!p) {
    if (error) *error = p.error();
    return nullptr;
  }
  auto shared = std::make_shared<const Principal>(std::move(*p));
  int64_t until = now + kCacheMs;
  if (shared->expiresMs > 0) until = std::min(until, shared->expiresMs);
  std::lock_guard lock(cacheMu_);
  if (cache_.size() >= kCacheEntries) cache_.clear();
  cache_[std::string(token)] = Cached{shared, until};
  return shared;
}

Result<Principal> Gatekeeper::authenticate(std::string_view token) {
  Error error{"unauthenticated", "invalid or expired token"};
  auto p = authenticateShared(token, &error);
  if (!p) return error;
  return *p;
}

http::Response Gatekeeper::refuse(Decision d, std::string_view method, std::string_view route, bool badToken) {
  if (d == Decision::Unauthenticated) {
    unauthenticated_->inc();
    auto res = http::Response::error(401, "unauthenticated",
                                     badToken ? "the token is invalid, expired or revoked; log in again"
                                              : "log in first: send Authorization: Bearer <token>");
    res.headers.emplace_back("WWW-Authenticate", badToken ? "Bearer error=\"invalid_token\"" : "Bearer");
    return res;
  }
  forbidden_->inc();
  return http::Response::error(403, "forbidden",
                               std::string("your role may not call ") + std::string(method) + " " + std::string(route));
}

http::Response Gatekeeper::tooMany(int64_t retryAfterSeconds, std::string_view who) {
  limited_->inc();
  auto res = http::Response::error(429, "too_many_requests",
                                   "request rate limit reached for this " + std::string(who) + "; retry in " +
                                       std::to_string(retryAfterSeconds) + " s");
  res.headers.emplace_back("Retry-After", std::to_string(retryAfterSeconds));
  return res;
}

std::optional<http::Response> Gatekeeper::admit(http::Request& req, std::string_view route) {
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
  const AccessRule* rule = policy_.find(method, route);
  if (!rule) return refuse(Decision::Forbidden, method, route, false);  // deny by default

  // The credential: the Authorization header, or (WebSocket upgrades only: browsers cannot set headers there)
  // the access_token query parameter.
  std::string_view token;
  bool malformed = false;
  if (const auto header = req.header("Authorization"); !header.empty()) {
    auto t = bearerToken(header);
    if (t) token = *t;
    else malformed = true;
  } else if (rule->tokenInMessage) {
    if (auto q = req.query.find("access_token"); q != req.query.end()) token = q->second;
  }

  std::shared_ptr<const Principal> who;
  if (!token.empty()) who = authenticateShared(token, nullptr);
  const bool badCredentials = malformed || (!token.empty() && !who);

  if (!who && perAddress_) {
    const auto d = perAddress_->take("addr:" + req.remote);
    if (!d.allowed) return tooMany(d.retryAfterSeconds, "address");
  }
  if (badCredentials && !rule->isPublic) return refuse(Decision::Unauthenticated, method, route, true);

  const Decision d = policy_.decide(method, route, who.get());
  if (d != Decision::Allow) return refuse(d, method, route, false);
  if (who && perCredential_) {
    const auto r = perCredential_->take(credentialKey(*who));
    if (!r.allowed) return tooMany(r.retryAfterSeconds, who->kind == Principal::Kind::Device ? "key" : "user");
  }
  req.principal = std::move(who);
  return std::nullopt;
}

}  // namespace cityops::auth
