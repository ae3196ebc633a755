#pragma once
// /api/v1/rules (stored rules; every change also reaches the running engine) and /api/v1/alerts (the lifecycle).
#include "alerts/AlertManager.hpp"
#include "api/Auditor.hpp"
#include "common/Clock.hpp"
#include "http/Router.hpp"
#include "rules/RuleEngine.hpp"
#include "rules/RuleStore.hpp"
#include "store/Store.hpp"

namespace cityops::api {

class RulesApi {
 public:
  RulesApi(rules::RuleStore& rules, rules::RuleEngine& engine, alerts::AlertManager& alerts, store::Store& store,
           Auditor* auditor, const Clock& clock)
      : rules_(rules), engine_(engine), alerts_(alerts), store_(store), auditor_(auditor), clock_(clock) {}

  void registerRoutes(http::Router& router);

 private:
  void listRules(http::Request&& req, http::Reply reply);
  void getRule(http::Request&& req, http::Reply reply);
  void createRule(http::Request&& req, http::Reply reply);
  void putRule(http::Request&& req, http::Reply reply);
  void deleteRule(http::Request&& req, http::Reply reply);
  void listAlerts(http::Request&& req, http::Reply reply);
  void getAlert(http::Request&& req, http::Reply reply);
  void actOnAlert(http::Request&& req, http::Reply reply, const std::string& action);

  rules::RuleStore& rules_;
  rules::RuleEngine& engine_;
  alerts::AlertManager& alerts_;
  store::Store& store_;
  Auditor* auditor_;
  const Clock& clock_;
};

}  // namespace cityops::api
