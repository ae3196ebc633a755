#pragma once
// /api/v1/subscriptions: webhooks that receive every alert change matching their filter (signed, through the
// durable outbox of src/notify/). Admin only: a subscription carries a secret and points the server at a URL.
#include "api/Auditor.hpp"
#include "http/Router.hpp"
#include "notify/SubscriptionStore.hpp"

#include <functional>

namespace cityops::api {

class SubscriptionsApi {
 public:
  /// `changed` runs after a subscription was created or deleted (wakes the deliverer).
  SubscriptionsApi(notify::SubscriptionStore& subscriptions, Auditor* auditor, std::function<void()> changed)
      : subscriptions_(subscriptions), auditor_(auditor), changed_(std::move(changed)) {}
  void registerRoutes(http::Router& router);

 private:
  notify::SubscriptionStore& subscriptions_;
  Auditor* auditor_;
  std::function<void()> changed_;
};

}  // namespace cityops::api
