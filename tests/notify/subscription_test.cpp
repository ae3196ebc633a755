// Subscriptions: filter matching and parsing, URL rules, the store (create/list/get/delete/enable), the signature.
#include "NotifyFixture.hpp"
#include "notify/Signature.hpp"

#include <boost/json/parse.hpp>

using namespace cityops;
using namespace cityops::notify;
using namespace cityops::notify::testing;

namespace {

boost::json::value J(std::string_view s) { return boost::json::parse(s); }

// ------------------------------------------------------------------------------------------------------ matching

TEST(FilterMatch, EmptyFilterMatchesEverything) {
  EXPECT_TRUE(matches(Filter{}, EventAttributes{"info", "station", "r", "station:a"}));
  EXPECT_TRUE(matches(Filter{}, EventAttributes{}));
}

TEST(FilterMatch, EachListIsAnyOfAndListsAreAnded) {
  Filter f;
  f.severities = {"major", "critical"};
  f.types = {"station"};
  const EventAttributes majorStation{"major", "station", "tamky-levels", "station:tamky"};
  EXPECT_TRUE(matches(f, majorStation));
  EXPECT_TRUE(matches(f, EventAttributes{"critical", "station", "x", "station:hoian"}));
  EXPECT_FALSE(matches(f, EventAttributes{"minor", "station", "tamky-levels", "station:tamky"}));  // severity
  EXPECT_FALSE(matches(f, EventAttributes{"major", "camera", "tamky-levels", "camera:c1"}));       // type

  Filter byRule;
  byRule.rules = {"tamky-levels"};
  EXPECT_TRUE(matches(byRule, majorStation));
  EXPECT_FALSE(matches(byRule, EventAttributes{"major", "station", "other", "station:tamky"}));

  Filter byEntity;
  byEntity.entities = {"station:tamky", "station:hoian"};
  EXPECT_TRUE(matches(byEntity, majorStation));
  EXPECT_FALSE(matches(byEntity, EventAttributes{"major", "station", "tamky-levels", "station:danang"}));

  Filter all;  // every list set: all must match
  all.severities = {"major"};
  all.types = {"station"};
  all.rules = {"tamky-levels"};
  all.entities = {"station:tamky"};
  EXPECT_TRUE(matches(all, majorStation));
  EXPECT_FALSE(matches(all, EventAttributes{"major", "station", "tamky-levels", "station:TAMKY"}));  // exact case
}

TEST(FilterParse, CanonicalShapeRoundTrips) {
  auto f = parseFilter(J(R"({"severities":["major","critical","major"],"types":["station"],"rules":[],
                            "entities":["station:tamky"]})"));
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->severities, (std::vector<std::string>{"major", "critical"}));  // duplicates removed
  EXPECT_EQ(f->types, std::vector<std::string>{"station"});
  EXPECT_TRUE(f->rules.empty());
  auto again = parseFilter(boost::json::value(filterToJson(*f)));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *f);
  EXPECT_TRUE(parseFilter(J("null")).ok());
  EXPECT_TRUE(parseFilter(J("{}")).ok());
}

TEST(FilterParse, RejectsBadShapes) {
  for (const char* bad : {R"([])", R"("major")", R"({"severity":["major"]})", R"({"severities":"major"})",
                          R"({"severities":["urgent"]})", R"({"types":[1]})", R"({"rules":[""]})",
                          R"({"entities":["a\u0001b"]})"}) {
    auto f = parseFilter(J(bad));
    ASSERT_FALSE(f.ok()) << bad;
    EXPECT_EQ(f.error().code, "bad_request") << bad;
  }
  EXPECT_FALSE(parseFilterText("{not json").ok());
  boost::json::array many;
  for (size_t i = 0; i <= kMaxFilterItems; ++i) many.emplace_back("e" + std::to_string(i));
  EXPECT_FALSE(parseFilter(boost::json::object{{"entities", many}}).ok());
}

TEST(NewSubscriptionParse, Shape) {
  auto n = parseNewSubscription(J(R"({"url":"http://h:1/x","secret":"0123456789abcdef",
                                      "filter":{"severities":["critical"]},"enabled":false})"));
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(n->url, "http://h:1/x");
  EXPECT_EQ(n->secret, "0123456789abcdef");
  EXPECT_EQ(n->filter.severities, std::vector<std::string>{"critical"});
  EXPECT_FALSE(n->enabled);
  EXPECT_FALSE(parseNewSubscription(J(R"({"secret":"0123456789abcdef"})")).ok());
  EXPECT_FALSE(parseNewSubscription(J(R"({"url":"http://h/"})")).ok());
  EXPECT_FALSE(parseNewSubscription(J(R"({"url":"http://h/","secret":"0123456789abcdef","x":1})")).ok());
  EXPECT_FALSE(parseNewSubscription(J(R"({"url":5,"secret":"0123456789abcdef"})")).ok());
}

// ----------------------------------------------------------------------------------------------------------- URLs

TEST(Endpoint, AcceptsHttpUrls) {
  auto e = parseEndpoint("http://receiver.example:8080/hooks/cityops?token=a%20b");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->host, "receiver.example");
  EXPECT_EQ(e->port, 8080);
  EXPECT_EQ(e->hostHeader, "receiver.example:8080");
  EXPECT_EQ(e->target, "/hooks/cityops?token=a%20b");

  auto d = parseEndpoint("http://10.0.0.5");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 80);
  EXPECT_EQ(d->target, "/");
  EXPECT_EQ(d->hostHeader, "10.0.0.5");

  auto v6 = parseEndpoint("http://[::1]:9000/h");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->hostHeader, "[::1]:9000");
  EXPECT_EQ(v6->port, 9000);
}

TEST(Endpoint, RejectsWhatWeCannotOrShouldNotDeliverTo) {
  const char* bad[] = {
      "https://receiver.example/hook",      // no TLS client yet: refused at create time
      "ftp://receiver.example/hook",        // scheme
      "receiver.example/hook",              // not absolute
      "http:/hook",                         // no authority
      "http:///hook",                       // empty host
      "http://user:pass@receiver.example/",  // userinfo
      "http://user@receiver.example/",      // userinfo
      "http://receiver.example/#frag",      // fragment
      "http://receiver.example:0/",         // port 0
      "http://receiver.example:65536/",     // port range
      "http://receiver.example:/",          // empty port
      "http://rec%20eiver.example/",        // not a host name
      "http://receiver.example/a b",        // not a URI
      "",
  };
  for (const char* u : bad) {
    auto e = parseEndpoint(u);
    EXPECT_FALSE(e.ok()) << u;
    if (!e.ok()) {
      EXPECT_EQ(e.error().code, "bad_request") << u;
    }
  }
  auto https = parseEndpoint("https://receiver.example/hook");
  ASSERT_FALSE(https.ok());
  EXPECT_NE(https.error().message.find("https"), std::string::npos);
  EXPECT_FALSE(parseEndpoint("http://h/" + std::string(3000, 'a')).ok());
}

// ---------------------------------------------------------------------------------------------------------- store

class SubscriptionStoreTest : public NotifyTest {};

TEST_F(SubscriptionStoreTest, CreateListGetDelete) {
  clock_.freeze(kT0);
  Filter f;
  f.severities = {"critical"};
  Subscription a = subscribe("http://127.0.0.1:9/a", f);
  Subscription b = subscribe("http://127.0.0.1:9/b");
  EXPECT_GT(a.id, 0);
  EXPECT_GT(b.id, a.id);
  EXPECT_EQ(a.createdMs, kT0);
  EXPECT_TRUE(a.enabled);

  auto list = subs_->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, a.id);
  EXPECT_EQ((*list)[0].url, "http://127.0.0.1:9/a");
  EXPECT_EQ((*list)[0].secret, kSecret);  // stored as given: the deliverer signs with it
  EXPECT_EQ((*list)[0].filter, f);
  EXPECT_EQ((*list)[0].status.delivered, 0);
  EXPECT_FALSE((*list)[0].status.lastSuccessMs.has_value());

  auto got = subs_->get(b.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->url, "http://127.0.0.1:9/b");
  EXPECT_EQ(subs_->get(999).error().code, "not_found");

  EXPECT_EQ(subs_->active().size(), 2u);
  const auto gen = subs_->generation();
  ASSERT_TRUE(subs_->remove(a.id).ok());
  EXPECT_NE(subs_->generation(), gen);
  EXPECT_EQ(subs_->remove(a.id).error().code, "not_found");
  EXPECT_EQ(subs_->active().size(), 1u);
  EXPECT_EQ(subs_->list()->size(), 1u);
}

TEST_F(SubscriptionStoreTest, ValidatesUrlAndSecret) {
  NewSubscription n;
  n.url = "https://receiver.example/hook";
  n.secret = kSecret;
  auto r = subs_->create(n);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "bad_request");

  n.url = "http://receiver.example/hook";
  n.secret = std::string(15, 'x');
  EXPECT_EQ(subs_->create(n).error().code, "bad_request");
  n.secret = std::string(257, 'x');
  EXPECT_EQ(subs_->create(n).error().code, "bad_request");
  n.secret = std::string(16, 'x');
  EXPECT_TRUE(subs_->create(n).ok());
  n.secret = std::string(256, '\xff');  // any bytes
  EXPECT_TRUE(subs_->create(n).ok());

  n.filter.severities = {"urgent"};  // built in code: same checks as from JSON
  EXPECT_EQ(subs_->create(n).error().code, "bad_request");
  EXPECT_EQ(subs_->list()->size(), 2u);
}

TEST_F(SubscriptionStoreTest, PersistsAcrossReopen) {
  Filter f;
  f.types = {"station", "camera"};
  Subscription a = subscribe("http://127.0.0.1:9/a", f, "another-secret-0123");
  ASSERT_TRUE(subs_->setEnabled(a.id, false).ok());
  Subscription b = subscribe("http://127.0.0.1:9/b");
  open();
  auto list = subs_->list();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].filter, f);
  EXPECT_EQ((*list)[0].secret, "another-secret-0123");
  EXPECT_FALSE((*list)[0].enabled);
  auto active = subs_->active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, b.id);
}

TEST_F(SubscriptionStoreTest, EnableDisable) {
  Subscription a = subscribe("http://127.0.0.1:9/a");
  Subscription b = subscribe("http://127.0.0.1:9/b");
  auto d = subs_->setEnabled(a.id, false);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->enabled);
  ASSERT_EQ(subs_->active().size(), 1u);
  ASSERT_TRUE(subs_->setEnabled(a.id, true).ok());
  auto active = subs_->active();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[0].id, a.id);  // kept in id order
  EXPECT_EQ(active[1].id, b.id);
  EXPECT_EQ(subs_->setEnabled(12345, true).error().code, "not_found");
}

TEST_F(SubscriptionStoreTest, JsonShapeHasStatusAndNoSecret) {
  clock_.freeze(kT0);
  Subscription a = subscribe("http://127.0.0.1:9/a");
  auto j = toJson(status(a.id));
  EXPECT_EQ(j.at("id").as_int64(), a.id);
  EXPECT_EQ(j.at("url").as_string(), "http://127.0.0.1:9/a");
  EXPECT_EQ(j.at("created_at").as_string(), "2025-11-27T00:00:00.000Z");
  EXPECT_TRUE(j.at("enabled").as_bool());
  EXPECT_TRUE(j.at("filter").as_object().contains("severities"));
  const auto& st = j.at("status").as_object();
  EXPECT_TRUE(st.at("last_success_at").is_null());
  EXPECT_TRUE(st.at("last_failure_at").is_null());
  EXPECT_EQ(st.at("failures").as_int64(), 0);
  EXPECT_EQ(st.at("delivered").as_int64(), 0);
  EXPECT_EQ(st.at("dropped").as_int64(), 0);
  EXPECT_EQ(st.at("pending").as_int64(), 0);
  EXPECT_FALSE(j.contains("secret"));
  EXPECT_EQ(boost::json::serialize(j).find(kSecret), std::string::npos);
}

// ------------------------------------------------------------------------------------------------------ signature

TEST(Signature, Rfc4231TestCase2) {
  auto s = signatureHeader("Jefe", "what do ya want for nothing?");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signature, LongKeyMatchesIndependentHmac) {
  const std::string key(200, 'k');  // longer than the 64-byte block: hashed first
  const std::string body = R"({"alert":{"id":1}})";
  auto s = signatureHeader(key, body);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "sha256=" + hmacHex(key, body));
}

}  // namespace
