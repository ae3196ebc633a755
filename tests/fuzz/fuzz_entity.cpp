// Fuzz target: an entity request body parsed as the API does (max_depth 32), then EntityCodec::fromJson (create)
// and EntityCodec::applyPatch (PATCH) on a fixed entity and on the created one.
#include <boost/json.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "FuzzCheck.hpp"
#include "common/JsonText.hpp"
#include "model/EntityCodec.hpp"
#include "model/Names.hpp"

namespace json = boost::json;
using cityops::model::Entity;
using cityops::model::EntityCodec;

namespace {

constexpr int64_t kT0 = 1761735600000;
constexpr int64_t kT1 = kT0 + 1000;

void checkEntity(const Entity& e) {
  FUZZ_CHECK(cityops::model::isValidEntityId(e.id), "invalid id");
  FUZZ_CHECK(cityops::model::isValidType(e.type), "invalid type");
  FUZZ_CHECK(e.name.size() <= 256, "name too long");
  FUZZ_CHECK(e.tags.size() <= 64, "too many tags");
  FUZZ_CHECK(std::adjacent_find(e.tags.begin(), e.tags.end(), std::greater_equal<>()) == e.tags.end(),
             "tags not sorted and unique");
  for (const auto& t : e.tags) FUZZ_CHECK(cityops::model::isValidTag(t), "invalid tag");
  if (e.geometry) {
    FUZZ_CHECK(!e.geometry->rings.empty(), "geometry without positions");
    for (const auto& r : e.geometry->rings)
      for (const auto& p : r)
        FUZZ_CHECK(p[0] >= -180 && p[0] <= 180 && p[1] >= -90 && p[1] <= 90, "position out of range");
  }
  // What GET shows must be valid JSON text and must be accepted back as a create body, giving the same entity.
  const json::object out = EntityCodec::toJson(e);
  boost::system::error_code ec;
  json::parse_options deep;
  deep.max_depth = 64;
  json::parse(cityops::toJsonText(out), ec, {}, deep);
  FUZZ_CHECK(!ec, "toJsonText output does not parse");
  auto again = EntityCodec::fromJson(out, kT1);
  FUZZ_CHECK(again.ok(), "toJson output rejected by fromJson");
  FUZZ_CHECK(again->id == e.id && again->type == e.type && again->name == e.name && again->tags == e.tags,
             "toJson/fromJson changed a field");
  FUZZ_CHECK(again->attributes == e.attributes, "toJson/fromJson changed attributes");
  FUZZ_CHECK(again->geometry.has_value() == e.geometry.has_value(), "toJson/fromJson changed geometry presence");
  if (e.geometry) FUZZ_CHECK(again->geometry->rings == e.geometry->rings, "toJson/fromJson changed geometry");
}

// Merge patch (RFC 7386) leaves no null member in the objects it wrote (arrays are copied verbatim).
bool noNullMembers(const json::object& o) {
  for (const auto& kv : o) {
    if (kv.value().is_null()) return false;
    if (kv.value().is_object() && !noNullMembers(kv.value().get_object())) return false;
  }
  return true;
}

Entity baseEntity() {
  Entity e;
  e.id = "tk-wl-01";
  e.type = "WaterLevelStation";
  e.name = "Cầu Tam Kỳ";
  e.attributes = json::parse(R"({"river":"Tam Kỳ","alarm":{"level1":1.5,"level2":2.5},"list":[1,2]})").as_object();
  e.tags = {"flood", "river"};
  e.createdMs = e.updatedMs = kT0;
  return e;
}

void checkPatch(const Entity& before, const json::value& patch) {
  auto p = EntityCodec::applyPatch(before, patch, kT1);
  if (!p.ok()) {
    FUZZ_CHECK(p.error().code == "bad_request", "patch: unexpected error code");
    return;
  }
  FUZZ_CHECK(p->id == before.id, "patch changed the id");
  FUZZ_CHECK(p->createdMs == before.createdMs, "patch changed created_at");
  FUZZ_CHECK(p->updatedMs == kT1, "patch did not set updated_at");
  if (noNullMembers(before.attributes)) FUZZ_CHECK(noNullMembers(p->attributes), "merge patch kept a null member");
  // RFC 7386 merge patch is idempotent.
  auto twice = EntityCodec::applyPatch(*p, patch, kT1);
  FUZZ_CHECK(twice.ok(), "a patch that applied once failed the second time");
  FUZZ_CHECK(twice->attributes == p->attributes, "merge patch is not idempotent");
  FUZZ_CHECK(twice->name == p->name && twice->type == p->type && twice->tags == p->tags, "patch not idempotent");
  checkEntity(*p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Entity base = baseEntity();
  json::parse_options opt;
  opt.max_depth = 32;  // as the API's parseBody
  boost::system::error_code ec;
  const json::value v = json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, opt);
  if (ec) return 0;

  auto created = EntityCodec::fromJson(v, kT0);
  if (created.ok()) {
    FUZZ_CHECK(created->createdMs == kT0 && created->updatedMs == kT0, "create did not set times");
    checkEntity(*created);
    // A valid create body is also a valid patch of the entity it created (same id).
    auto self = EntityCodec::applyPatch(*created, v, kT1);
    FUZZ_CHECK(self.ok(), "create body rejected as a patch of its own entity");
    FUZZ_CHECK(self->type == created->type && self->name == created->name && self->tags == created->tags,
               "self patch changed a field");
  } else {
    FUZZ_CHECK(created.error().code == "bad_request", "create: unexpected error code");
    FUZZ_CHECK(created.error().message.size() < 1024, "create: error message too long");
  }
  checkPatch(base, v);
  return 0;
}
