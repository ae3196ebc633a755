#pragma once
// The account routes: login/logout/me, users (admin), device keys (admin), the audit trail (admin).
// Password hashing and verification (argon2id, ~0.1 s and 64 MiB each) run on a small pool of their own, never on
// the I/O threads; when too many are queued the route answers 503 with Retry-After instead of queueing more.
#include "api/Auditor.hpp"
#include "auth/AccountStore.hpp"
#include "auth/Gatekeeper.hpp"
#include "auth/LoginThrottle.hpp"
#include "common/Clock.hpp"
#include "http/Router.hpp"

#include <atomic>
#include <functional>
#include <memory>

namespace boost::asio {
class thread_pool;
}

namespace cityops::api {

class AuthApi {
 public:
  struct Options {
    int64_t sessionTtlMs = auth::AccountStore::kDefaultSessionTtlMs;
    int hashingThreads = 2;
    int maxQueuedHashing = 32;
  };

  AuthApi(auth::AccountStore& accounts, auth::Gatekeeper& gate, auth::LoginThrottle& throttle, Auditor& auditor,
          const Clock& clock, Options options);
  ~AuthApi();  // waits for queued hashing work

  void registerRoutes(http::Router& router);

 private:
  void login(http::Request&& req, http::Reply reply);
  void logout(http::Request&& req, http::Reply reply);
  void me(http::Request&& req, http::Reply reply);
  void listUsers(http::Request&& req, http::Reply reply);
  void createUser(http::Request&& req, http::Reply reply);
  void getUser(http::Request&& req, http::Reply reply);
  void patchUser(http::Request&& req, http::Reply reply);
  void deleteUser(http::Request&& req, http::Reply reply);
  void revokeSessions(http::Request&& req, http::Reply reply);
  void listKeys(http::Request&& req, http::Reply reply);
  void createKey(http::Request&& req, http::Reply reply);
  void revokeKey(http::Request&& req, http::Reply reply);
  void audit(http::Request&& req, http::Reply reply);

  /// Runs `work` on the hashing pool; false (and a 503 sent through `reply`) when too much is queued.
  bool offload(http::Reply& reply, std::function<void()> work);

  auth::AccountStore& accounts_;
  auth::Gatekeeper& gate_;
  auth::LoginThrottle& throttle_;
  Auditor& auditor_;
  const Clock& clock_;
  Options options_;
  std::atomic<int> queued_{0};
  std::unique_ptr<boost::asio::thread_pool> pool_;
};

}  // namespace cityops::api
