// EntityCodec: create rules, unknown fields, tags, and PATCH with JSON merge patch (RFC 7386) on attributes.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <string>

#include "model/EntityCodec.hpp"

namespace cityops::model {
namespace {

namespace json = boost::json;

constexpr int64_t kT0 = 1761735600000;  // 2025-10-29T11:00:00Z
constexpr int64_t kT1 = kT0 + 60000;

Result<Entity> create(std::string_view text) { return EntityCodec::fromJson(json::parse(text), kT0); }

void createFails(std::string_view text, std::string_view messagePart) {
  auto e = create(text);
  ASSERT_FALSE(e.ok()) << text;
  EXPECT_EQ(e.error().code, "bad_request");
  EXPECT_NE(e.error().message.find(messagePart), std::string::npos) << e.error().message;
}

Entity station() {
  auto e = create(R"({"id":"tk-wl-01","type":"WaterLevelStation","name":"Cầu Tam Kỳ",
      "geometry":{"type":"Point","coordinates":[108.474,15.5736]},
      "attributes":{"river":"Tam Kỳ","alarm":{"level1":1.5,"level2":2.5}},"tags":["river","flood"]})");
  EXPECT_TRUE(e.ok());
  return *e;
}

TEST(EntityCodec, Minimal) {
  auto e = create(R"({"id":"tk-wl-01","type":"WaterLevelStation"})");
  ASSERT_TRUE(e.ok()) << e.error().message;
  EXPECT_EQ(e->id, "tk-wl-01");
  EXPECT_EQ(e->type, "WaterLevelStation");
  EXPECT_EQ(e->name, "tk-wl-01");  // name defaults to id
  EXPECT_FALSE(e->geometry.has_value());
  EXPECT_TRUE(e->attributes.empty());
  EXPECT_TRUE(e->tags.empty());
  EXPECT_EQ(e->createdMs, kT0);
  EXPECT_EQ(e->updatedMs, kT0);
}

TEST(EntityCodec, Full) {
  const Entity e = station();
  EXPECT_EQ(e.name, "Cầu Tam Kỳ");
  ASSERT_TRUE(e.geometry.has_value());
  EXPECT_EQ(e.geometry->rings[0][0], (LonLat{108.474, 15.5736}));
  EXPECT_EQ(e.attributes.at("river"), "Tam Kỳ");
  EXPECT_EQ(e.tags, (std::vector<std::string>{"flood", "river"}));
}

TEST(EntityCodec, RequiredFields) {
  createFails(R"({"type":"WaterLevelStation"})", "id must be");
  createFails(R"({"id":"tk-wl-01"})", "type is required");
  createFails(R"({"id":"","type":"T"})", "id must be");
  createFails(R"({"id":42,"type":"T"})", "id must be");
  createFails(R"({"id":null,"type":"T"})", "id must be");
  createFails(R"({"id":"a b","type":"T"})", "id must be");
  createFails(R"({"id":"tk","type":""})", "type must be");
  createFails(R"({"id":"tk","type":"Water-Level"})", "type must be");
  createFails(R"({"id":"tk","type":["T"]})", "type must be");
  createFails(R"([{"id":"tk","type":"T"}])", "JSON object");
  createFails(R"("tk")", "JSON object");
  createFails("null", "JSON object");
}

TEST(EntityCodec, IdLength) {
  EXPECT_TRUE(create(R"({"id":")" + std::string(128, 'a') + R"(","type":"T"})").ok());
  createFails(R"({"id":")" + std::string(129, 'a') + R"(","type":"T"})", "1-128");
}

TEST(EntityCodec, UnknownFieldRejected) {
  createFails(R"({"id":"tk","type":"T","colour":"red"})", "unknown field 'colour'");
  createFails(R"({"id":"tk","type":"T","Name":"x"})", "unknown field 'Name'");  // keys are case-sensitive
  createFails(R"({"id":"tk","type":"T","location":{"type":"Point","coordinates":[1,2]}})", "attributes");
  // A very long unknown key is cut in the message.
  auto e = create(R"({"id":"tk","type":"T",")" + std::string(5000, 'k') + R"(":1})");
  ASSERT_FALSE(e.ok());
  EXPECT_LT(e.error().message.size(), 200u);
}

TEST(EntityCodec, ServerTimesWin) {
  // created_at / updated_at are known (they appear in GET output) but the server sets them.
  auto e = create(R"({"id":"tk","type":"T","created_at":"2000-01-01T00:00:00Z","updated_at":"junk"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->createdMs, kT0);
  EXPECT_EQ(e->updatedMs, kT0);
}

TEST(EntityCodec, FieldTypes) {
  createFails(R"({"id":"tk","type":"T","name":5})", "name must be");
  EXPECT_TRUE(create(R"({"id":"tk","type":"T","name":")" + std::string(256, 'n') + R"("})").ok());
  createFails(R"({"id":"tk","type":"T","name":")" + std::string(257, 'n') + R"("})", "at most 256");
  createFails(R"({"id":"tk","type":"T","attributes":[1]})", "attributes must be");
  createFails(R"({"id":"tk","type":"T","attributes":null})", "attributes must be");
  createFails(R"({"id":"tk","type":"T","tags":"flood"})", "tags must be");
  createFails(R"({"id":"tk","type":"T","tags":["ok","not ok"]})", "each tag");
  createFails(R"({"id":"tk","type":"T","tags":[1]})", "each tag");
  createFails(R"({"id":"tk","type":"T","tags":[""]})", "each tag");
  createFails(R"({"id":"tk","type":"T","geometry":{"type":"Point","coordinates":[15.5736,108.474]}})", "WGS84");
  auto nullGeometry = create(R"({"id":"tk","type":"T","geometry":null})");
  ASSERT_TRUE(nullGeometry.ok());
  EXPECT_FALSE(nullGeometry->geometry.has_value());
}

TEST(EntityCodec, TagsSortedAndDeduplicated) {
  auto e = create(R"({"id":"tk","type":"T","tags":["river","flood","river","a:b","Z","flood"]})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->tags, (std::vector<std::string>{"Z", "a:b", "flood", "river"}));  // byte order
  EXPECT_TRUE(e->hasTag("flood"));
  EXPECT_TRUE(e->hasTag("Z"));
  EXPECT_FALSE(e->hasTag("z"));
  EXPECT_FALSE(e->hasTag("floo"));
}

TEST(EntityCodec, TagLimit) {
  std::string tags64, tags65;
  for (int i = 0; i < 65; ++i) {
    std::string t = "\"t" + std::to_string(i) + "\"";
    if (i < 64) tags64 += (i ? "," : "") + t;
    tags65 += (i ? "," : "") + t;
  }
  EXPECT_TRUE(create(R"({"id":"tk","type":"T","tags":[)" + tags64 + "]}").ok());
  createFails(R"({"id":"tk","type":"T","tags":[)" + tags65 + "]}", "at most 64");
  // The limit is on what is sent, before de-duplication.
  std::string dup;
  for (int i = 0; i < 65; ++i) dup += std::string(i ? "," : "") + "\"same\"";
  createFails(R"({"id":"tk","type":"T","tags":[)" + dup + "]}", "at most 64");
}

TEST(EntityCodec, ToJson) {
  const Entity e = station();
  const json::object o = EntityCodec::toJson(e);
  EXPECT_EQ(o.at("id"), "tk-wl-01");
  EXPECT_EQ(o.at("type"), "WaterLevelStation");
  EXPECT_EQ(o.at("name"), "Cầu Tam Kỳ");
  EXPECT_EQ(o.at("geometry"), json::parse(R"({"type":"Point","coordinates":[108.474,15.5736]})"));
  EXPECT_EQ(o.at("attributes"), json::parse(R"({"river":"Tam Kỳ","alarm":{"level1":1.5,"level2":2.5}})"));
  EXPECT_EQ(o.at("tags"), json::parse(R"(["flood","river"])"));
  EXPECT_EQ(o.at("created_at"), "2025-10-29T11:00:00.000Z");
  EXPECT_EQ(o.at("updated_at"), "2025-10-29T11:00:00.000Z");
  EXPECT_EQ(o.size(), 8u);
  auto minimal = create(R"({"id":"x","type":"T"})");
  EXPECT_TRUE(EntityCodec::toJson(*minimal).at("geometry").is_null());
  // What GET returns can be sent back to create the same entity.
  auto again = EntityCodec::fromJson(o, kT1);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->id, e.id);
  EXPECT_EQ(again->name, e.name);
  EXPECT_EQ(again->tags, e.tags);
  EXPECT_EQ(again->attributes, e.attributes);
  EXPECT_EQ(again->geometry->rings, e.geometry->rings);
}

Result<Entity> patch(const Entity& e, std::string_view text) { return EntityCodec::applyPatch(e, json::parse(text), kT1); }

TEST(EntityCodec, PatchReplacesFields) {
  const Entity e = station();
  auto p = patch(e, R"({"name":"Trạm Tam Kỳ","type":"RiverStation","tags":["b","a","b"]})");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->name, "Trạm Tam Kỳ");
  EXPECT_EQ(p->type, "RiverStation");
  EXPECT_EQ(p->tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p->attributes, e.attributes);  // untouched
  EXPECT_EQ(p->geometry->rings, e.geometry->rings);
  EXPECT_EQ(p->createdMs, kT0);
  EXPECT_EQ(p->updatedMs, kT1);
  EXPECT_EQ(p->id, e.id);
}

TEST(EntityCodec, PatchEmptyObjectOnlyTouchesUpdatedAt) {
  const Entity e = station();
  auto p = patch(e, "{}");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, e.name);
  EXPECT_EQ(p->tags, e.tags);
  EXPECT_EQ(p->attributes, e.attributes);
  EXPECT_EQ(p->updatedMs, kT1);
}

TEST(EntityCodec, PatchGeometry) {
  const Entity e = station();
  auto removed = patch(e, R"({"geometry":null})");
  ASSERT_TRUE(removed.ok());
  EXPECT_FALSE(removed->geometry.has_value());
  auto moved = patch(e, R"({"geometry":{"type":"Point","coordinates":[108.335,15.877]}})");
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->geometry->rings[0][0], (LonLat{108.335, 15.877}));
  auto badGeo = patch(e, R"({"geometry":{"type":"Point","coordinates":[200,0]}})");
  EXPECT_FALSE(badGeo.ok());
}

TEST(EntityCodec, PatchId) {
  const Entity e = station();
  EXPECT_TRUE(patch(e, R"({"id":"tk-wl-01","name":"x"})").ok());  // repeating the id is fine
  for (const char* text : {R"({"id":"tk-wl-02"})", R"({"id":"TK-WL-01"})", R"({"id":null})", R"({"id":1})",
                           R"({"id":""})"}) {
    auto p = patch(e, text);
    ASSERT_FALSE(p.ok()) << text;
    EXPECT_EQ(p.error().code, "bad_request");
    EXPECT_NE(p.error().message.find("id cannot be changed"), std::string::npos);
  }
}

TEST(EntityCodec, PatchErrors) {
  const Entity e = station();
  for (const char* text : {R"({"colour":"red"})", R"({"type":"bad type"})", R"({"name":1})", R"({"tags":"a"})",
                           R"({"attributes":[1]})", R"({"attributes":"x"})", R"({"attributes":null})", "[]", "null",
                           R"("x")"}) {
    auto p = patch(e, text);
    EXPECT_FALSE(p.ok()) << text;
  }
}

// RFC 7386 Appendix A, applied to `attributes` (which must stay an object, so the examples with a non-object
// target or patch are checked as nested values or as rejections below).
struct MergeCase {
  const char* target;
  const char* patch;
  const char* result;
};

class MergePatch : public ::testing::TestWithParam<MergeCase> {};

TEST_P(MergePatch, Rfc7386AppendixA) {
  const MergeCase& c = GetParam();
  Entity e = station();
  e.attributes = json::parse(c.target).as_object();
  auto p = EntityCodec::applyPatch(e, json::object{{"attributes", json::parse(c.patch)}}, kT1);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(json::value(p->attributes), json::parse(c.result)) << "target " << c.target << " patch " << c.patch;
}

INSTANTIATE_TEST_SUITE_P(EntityCodec, MergePatch,
                         ::testing::Values(MergeCase{R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
                                           MergeCase{R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
                                           MergeCase{R"({"a":"b"})", R"({"a":null})", R"({})"},
                                           MergeCase{R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
                                           MergeCase{R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
                                           MergeCase{R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
                                           MergeCase{R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})",
                                                     R"({"a":{"b":"d"}})"},
                                           MergeCase{R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
                                           // ["a","b"] + ["c","d"] -> ["c","d"], one level down:
                                           MergeCase{R"({"x":["a","b"]})", R"({"x":["c","d"]})", R"({"x":["c","d"]})"},
                                           // {"a":"b"} + ["c"] -> ["c"], one level down:
                                           MergeCase{R"({"x":{"a":"b"}})", R"({"x":["c"]})", R"({"x":["c"]})"},
                                           // {"a":"foo"} + null -> null: one level down null deletes the member
                                           MergeCase{R"({"x":{"a":"foo"}})", R"({"x":null})", R"({})"},
                                           // {"a":"foo"} + "bar" -> "bar", one level down:
                                           MergeCase{R"({"x":{"a":"foo"}})", R"({"x":"bar"})", R"({"x":"bar"})"},
                                           MergeCase{R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
                                           // [1,2] + {"a":"b","c":null} -> {"a":"b"}, one level down:
                                           MergeCase{R"({"x":[1,2]})", R"({"x":{"a":"b","c":null}})",
                                                     R"({"x":{"a":"b"}})"},
                                           MergeCase{R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
                                           // Extra: deleting a missing key is a no-op; deep merge keeps siblings.
                                           MergeCase{R"({"a":1})", R"({"zz":null})", R"({"a":1})"},
                                           MergeCase{R"({"a":{"b":{"c":1,"d":2},"e":3}})", R"({"a":{"b":{"c":9}}})",
                                                     R"({"a":{"b":{"c":9,"d":2},"e":3}})"}));

TEST(EntityCodec, PatchFailureLeavesOriginalUntouched) {
  const Entity e = station();
  auto p = patch(e, R"({"attributes":{"river":null},"tags":["bad tag"]})");
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(e.attributes.at("river"), "Tam Kỳ");
}

}  // namespace
}  // namespace cityops::model
