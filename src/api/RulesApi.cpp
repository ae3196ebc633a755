#include "api/RulesApi.hpp"

#include "alerts/AlertJson.hpp"
#include "api/Api.hpp"
#include "api/QueryParams.hpp"
#include "common/JsonText.hpp"
#include "rules/RuleCodec.hpp"

#include <boost/json.hpp>


namespace cityops::api {

namespace json = boost::json;
using http::Reply;
using http::Request;
using http::Response;

namespace {

Result<json::value> parseObject(const std::string& body) {
  if (body.empty()) return BadRequest("the request body is empty; send a JSON object");
  json::parse_options opt;
  opt.max_depth = 16;
  boost::system::error_code ec;
  auto v = json::parse(body, ec, {}, opt);
  if (ec) return BadRequest("malformed JSON: " + ec.message());
  if (!v.is_object()) return BadRequest("send a JSON object");
  return v;
}

std::string ruleText(const rules::Rule& r) { return toJsonText(rules::toJson(r)); }

std::string actorOf(const Request& req) { return Auditor::actorOf(req); }

}  // namespace

void RulesApi::registerRoutes(http::Router& r) {
  auto bind = [this](void (RulesApi::*m)(Request&&, Reply)) {
    return [this, m](Request&& req, Reply reply) { (this->*m)(std::move(req), std::move(reply)); };
  };
  r.add("GET", "/api/v1/rules", bind(&RulesApi::listRules));
  r.add("POST", "/api/v1/rules", bind(&RulesApi::createRule));
  r.add("GET", "/api/v1/rules/{id}", bind(&RulesApi::getRule));
  r.add("PUT", "/api/v1/rules/{id}", bind(&RulesApi::putRule));
  r.add("DELETE", "/api/v1/rules/{id}", bind(&RulesApi::deleteRule));
  r.add("GET", "/api/v1/alerts", bind(&RulesApi::listAlerts));
  r.add("GET", "/api/v1/alerts/{id}", bind(&RulesApi::getAlert));
  for (const char* action : {"ack", "resolve", "comment"}) {
    r.add("POST", std::string("/api/v1/alerts/{id}/") + action,
          [this, a = std::string(action)](Request&& req, Reply reply) { actOnAlert(std::move(req), std::move(reply), a); });
  }
}

void RulesApi::listRules(Request&&, Reply reply) {
  auto list = rules_.list();
  if (!list) return reply(Api::errorResponse(list.error()));
  json::array out;
  for (const auto& r : *list) out.push_back(rules::toJson(r));
  reply(Response::json(200, out));
}

void RulesApi::getRule(Request&& req, Reply reply) {
  auto r = rules_.get(req.params["id"]);
  if (!r) return reply(Api::errorResponse(r.error()));
  reply(Response::json(200, rules::toJson(*r)));
}

void RulesApi::createRule(Request&& req, Reply reply) {
  auto body = parseObject(req.body);
  if (!body) return reply(Api::errorResponse(body.error()));
  const int64_t now = clock_.nowMs();
  auto rule = rules::fromJson(*body, now);
  if (!rule) return reply(Api::errorResponse(rule.error()));
  auto saved = rules_.create(std::move(*rule), now);
  if (!saved) return reply(Api::errorResponse(saved.error()));
  engine_.upsert(*saved);
  if (auditor_) auditor_->record(req, "rule.create", "rule:" + saved->id, {}, ruleText(*saved));
  auto res = Response::json(201, rules::toJson(*saved));
  res.headers.emplace_back("Location", "/api/v1/rules/" + saved->id);
  reply(std::move(res));
}

void RulesApi::putRule(Request&& req, Reply reply) {
  auto body = parseObject(req.body);
  if (!body) return reply(Api::errorResponse(body.error()));
  const std::string id = req.params["id"];
  auto& o = body->as_object();
  if (const auto* given = o.if_contains("id"); given && (!given->is_string() || given->get_string() != id))
    return reply(Response::error(400, "bad_request", "the body's id must be the id in the path, " + id));
  o["id"] = id;
  const int64_t now = clock_.nowMs();
  auto rule = rules::fromJson(*body, now);
  if (!rule) return reply(Api::errorResponse(rule.error()));
  auto before = rules_.get(id);
  auto saved = rules_.put(std::move(*rule), now);
  if (!saved) return reply(Api::errorResponse(saved.error()));
  engine_.upsert(*saved);
  if (auditor_)
    auditor_->record(req, before ? "rule.update" : "rule.create", "rule:" + id, before ? ruleText(*before) : "",
                     ruleText(*saved));
  reply(Response::json(before ? 200 : 201, rules::toJson(*saved)));
}

void RulesApi::deleteRule(Request&& req, Reply reply) {
  const std::string id = req.params["id"];
  auto before = rules_.get(id);
  if (!before) return reply(Api::errorResponse(before.error()));
  if (auto s = rules_.remove(id); !s) return reply(Api::errorResponse(s.error()));
  engine_.remove(id);  // open alerts of the rule resolve
  if (auditor_) auditor_->record(req, "rule.delete", "rule:" + id, ruleText(*before));
  reply(Response{204, "", "", {}});
}

void RulesApi::listAlerts(Request&& req, Reply reply) {
  QueryParams p(req.query);
  if (auto s = p.onlyAllow({"state", "severity", "entity", "type", "rule", "from", "to", "limit"}); !s)
    return reply(Api::errorResponse(s.error()));
  alerts::AlertQuery q;
  if (auto s = p.text("state")) {
    auto st = alerts::parseState(*s);
    if (!st) return reply(Api::errorResponse(st.error()));
    q.state = *st;
  }
  if (auto s = p.text("severity")) {
    auto sev = rules::parseSeverity(*s);
    if (!sev) return reply(Api::errorResponse(sev.error()));
    q.severity = *sev;
  }
  q.entity = p.text("entity");
  q.rule = p.text("rule");
  if (auto type = p.text("type")) {
    store::EntityQuery eq;
    eq.type = *type;
    eq.limit = 100000;
    auto page = store_.listEntities(eq);
    if (!page) return reply(Api::errorResponse(page.error()));
    std::vector<std::string> ids;
    for (const auto& e : page->items) ids.push_back(e.id);
    q.entities = std::move(ids);
  }
  if (p.text("from")) {
    auto from = p.time("from", 0);
    if (!from) return reply(Api::errorResponse(from.error()));
    q.fromMs = *from;
  }
  if (p.text("to")) {
    auto to = p.time("to", 0);
    if (!to) return reply(Api::errorResponse(to.error()));
    q.toMs = *to;
  }
  auto limit = p.integer("limit", 100, 1, 1000);
  if (!limit) return reply(Api::errorResponse(limit.error()));
  q.limit = static_cast<int>(*limit);
  auto list = alerts_.list(q);
  if (!list) return reply(Api::errorResponse(list.error()));
  json::array out;
  for (const auto& a : *list) out.push_back(alerts::alertJson(a, false));
  reply(Response::json(200, out));
}


void RulesApi::getAlert(Request&& req, Reply reply) {
  auto id = QueryParams::pathId(req.params, "alert");
  if (!id) return reply(Api::errorResponse(id.error()));
  auto a = alerts_.get(*id);
  if (!a) return reply(Api::errorResponse(a.error()));
  reply(Response::json(200, alerts::alertJson(*a, true)));
}

void RulesApi::actOnAlert(Request&& req, Reply reply, const std::string& action) {
  auto id = QueryParams::pathId(req.params, "alert");
  if (!id) return reply(Api::errorResponse(id.error()));
  std::string comment;
  if (!req.body.empty()) {
    auto body = parseObject(req.body);
    if (!body) return reply(Api::errorResponse(body.error()));
    for (const auto& [k, v] : body->as_object()) {
      if (k != "comment") return reply(Response::error(400, "bad_request", "unknown member '" + std::string(k).substr(0, 64) + "' (expected comment)"));
      if (!v.is_string()) return reply(Response::error(400, "bad_request", "comment must be a string"));
      comment = std::string(v.get_string());
    }
  }
  if (action == "comment" && comment.empty())
    return reply(Response::error(400, "bad_request", "send {\"comment\": \"...\"}"));
  const std::string by = actorOf(req);
  Result<alerts::Alert> a = action == "ack"       ? alerts_.acknowledge(*id, by, comment)
                            : action == "resolve" ? alerts_.resolve(*id, by, comment)
                                                  : alerts_.comment(*id, by, comment);
  if (!a) return reply(Api::errorResponse(a.error()));
  if (auditor_) {
    json::object after{{"state", alerts::stateName(a->state)}, {"severity", rules::severityName(a->severity)}};
    if (!comment.empty()) after["comment"] = comment;
    auditor_->record(req, "alert." + action, "alert:" + std::to_string(*id), {}, toJsonText(after));
  }
  reply(Response::json(200, alerts::alertJson(*a, true)));
}

}  // namespace cityops::api
