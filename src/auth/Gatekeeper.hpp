#pragma once
// The server's http::Gate: who is calling (Bearer token or device key), may they call this route (AccessPolicy),
// are they within their request rate (RateLimiter), plus CORS and the security headers on every response.
//
// Order in admit(): find the rule (none: 403 for everyone) -> anonymous requests are rate-limited per address
// before any database work -> the token is authenticated (cache, else AccountStore) -> the policy decides
// (401 / 403) -> authenticated requests are rate-limited per credential (429 with Retry-After).
//
// Authentications are cached for at most kCacheMs and never past a session's expiry; invalidate() (called on
// logout, user change and key revocation) empties the cache, so a revocation takes effect on the next request.
#include "auth/AccessPolicy.hpp"
#include "auth/AccountStore.hpp"
#include "auth/RateLimiter.hpp"
#include "common/Clock.hpp"
#include "http/Gate.hpp"
#include "metrics/Registry.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cityops::auth {

class Gatekeeper final : public http::Gate {
 public:
  static constexpr int64_t kCacheMs = 10000;
  static constexpr size_t kCacheEntries = 10000;

  struct Options {
    /// Per session token / device key. ratePerSecond <= 0 turns request rate limits off.
    RateLimiter::Options perCredential{200, 400, 100000};
    /// Per client address, for requests without credentials.
    RateLimiter::Options perAddress{20, 60, 100000};
    /// Origins (scheme://host[:port]) allowed to call the API from a browser; empty: CORS closed.
    std::vector<std::string> corsOrigins;
    /// Adds Strict-Transport-Security (only meaningful when serving TLS).
    bool hsts = false;
    /// Origins the pages may load images from besides 'self' (the basemap's tile server, e.g.
    /// "https://tile.openstreetmap.org"): added to the Content-Security-Policy's img-src.
    std::vector<std::string> imgSources;
  };

  Gatekeeper(AccountStore& accounts, const AccessPolicy& policy, const Clock& clock, metrics::Registry& metrics,
             Options options);

  std::optional<http::Response> preflight(const http::Request& req) override;
  std::optional<http::Response> admit(http::Request& req, std::string_view route) override;
  void decorate(std::string_view origin, http::Response& res) override;

  /// Authenticates a token (cache first). For the WebSocket first-message token, and admit().
  Result<Principal> authenticate(std::string_view token);
  /// Forgets every cached authentication, then runs the onInvalidate callbacks (e.g. the stream re-checking the
  /// tokens of its open connections).
  void invalidate();
  /// Registers a callback for invalidate(); call before the server starts.
  void onInvalidate(std::function<void()> callback) { onInvalidate_.push_back(std::move(callback)); }

  const AccessPolicy& policy() const { return policy_; }

 private:
  struct Cached {
    std::shared_ptr<const Principal> principal;
    int64_t validUntilMs = 0;
  };
  std::shared_ptr<const Principal> authenticateShared(std::string_view token, Error* error);
  http::Response refuse(Decision d, std::string_view method, std::string_view route, bool badToken);
  http::Response tooMany(int64_t retryAfterSeconds, std::string_view who);
  bool originAllowed(std::string_view origin) const;

  AccountStore& accounts_;
  const AccessPolicy& policy_;
  const Clock& clock_;
  Options options_;
  std::string contentSecurityPolicy_;
  std::unique_ptr<RateLimiter> perCredential_;  // null: off
  std::unique_ptr<RateLimiter> perAddress_;     // null: off
  metrics::Counter* unauthenticated_;
  metrics::Counter* forbidden_;
  metrics::Counter* limited_;

  std::mutex cacheMu_;
  std::unordered_map<std::string, Cached> cache_;  // token -> principal
  std::vector<std::function<void()>> onInvalidate_;
};

}  // namespace cityops::auth
