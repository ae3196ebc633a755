#include "api/SubscriptionsApi.hpp"

#include "api/Api.hpp"
#include "api/QueryParams.hpp"
#include "common/JsonText.hpp"

#include <boost/json.hpp>


namespace cityops::api {

namespace json = boost::json;
using http::Reply;
using http::Request;
using http::Response;


void SubscriptionsApi::registerRoutes(http::Router& r) {
  r.add("GET", "/api/v1/subscriptions", [this](Request&&, Reply reply) {
    auto list = subscriptions_.list();
    if (!list) return reply(Api::errorResponse(list.error()));
    json::array out;
    for (const auto& s : *list) out.push_back(notify::toJson(s));
    reply(Response::json(200, out));
  });
  r.add("POST", "/api/v1/subscriptions", [this](Request&& req, Reply reply) {
    if (req.body.empty()) return reply(Response::error(400, "bad_request", "send {\"url\", \"secret\", \"filter\"}"));
    boost::system::error_code ec;
    json::parse_options opt;
    opt.max_depth = 8;
    auto v = json::parse(req.body, ec, {}, opt);
    if (ec) return reply(Response::error(400, "bad_request", "malformed JSON: " + ec.message()));
    auto wanted = notify::parseNewSubscription(v);
    if (!wanted) return reply(Api::errorResponse(wanted.error()));
    auto created = subscriptions_.create(*wanted);
    if (!created) return reply(Api::errorResponse(created.error()));
    auto shown = notify::toJson(*created);  // never the secret
    if (auditor_)
      auditor_->record(req, "subscription.create", "subscription:" + std::to_string(created->id), {}, toJsonText(shown));
    if (changed_) changed_();
    auto res = Response::json(201, shown);
    res.headers.emplace_back("Location", "/api/v1/subscriptions/" + std::to_string(created->id));
    reply(std::move(res));
  });
  r.add("GET", "/api/v1/subscriptions/{id}", [this](Request&& req, Reply reply) {
    auto id = QueryParams::pathId(req.params, "subscription");
    if (!id) return reply(Api::errorResponse(id.error()));
    auto s = subscriptions_.get(*id);
    if (!s) return reply(Api::errorResponse(s.error()));
    reply(Response::json(200, notify::toJson(*s)));
  });
  r.add("DELETE", "/api/v1/subscriptions/{id}", [this](Request&& req, Reply reply) {
    auto id = QueryParams::pathId(req.params, "subscription");
    if (!id) return reply(Api::errorResponse(id.error()));
    auto before = subscriptions_.get(*id);
    if (!before) return reply(Api::errorResponse(before.error()));
    if (auto s = subscriptions_.remove(*id); !s) return reply(Api::errorResponse(s.error()));
    if (auditor_)
      auditor_->record(req, "subscription.delete", "subscription:" + std::to_string(*id),
                       toJsonText(notify::toJson(*before)));
    if (changed_) changed_();
    reply(Response{204, "", "", {}});
  });
}

}  // namespace cityops::api
