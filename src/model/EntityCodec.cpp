#include "model/EntityCodec.hpp"

#include "common/Time.hpp"
#include "model/Names.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace cityops::model {

namespace json = boost::json;

namespace {

constexpr size_t kMaxTags = 64;
constexpr size_t kMaxName = 256;

Status checkKeys(const json::object& o) {
  static constexpr std::string_view kKnown[] = {"id", "type", "name", "geometry", "attributes", "tags",
                                                "created_at", "updated_at"};
  for (const auto& kv : o) {
    if (std::find(std::begin(kKnown), std::end(kKnown), kv.key()) == std::end(kKnown))
      return BadRequest("unknown field '" + std::string(kv.key().substr(0, 64)) +
                        "' (put custom data under \"attributes\")");
  }
  return {};
}

Status setType(Entity& e, const json::value& v) {
  if (!v.is_string() || !isValidType(v.get_string()))
    return BadRequest("type must be a string of letters, digits and '_' (1-64 characters), e.g. \"WaterLevelStation\"");
  e.type = v.get_string();
  return {};
}

Status setName(Entity& e, const json::value& v) {
  if (!v.is_string() || v.get_string().size() > kMaxName) return BadRequest("name must be a string of at most 256 bytes");
  e.name = v.get_string();
  return {};
}

Status setTags(Entity& e, const json::value& v) {
  const auto* a = v.if_array();
  if (!a) return BadRequest("tags must be an array of strings");
  if (a->size() > kMaxTags) return BadRequest("at most 64 tags");
  std::vector<std::string> tags;
  for (const auto& t : *a) {
    if (!t.is_string() || !isValidTag(t.get_string()))
      return BadRequest("each tag must be a string of letters, digits and . _ : - (1-64 characters)");
    tags.emplace_back(t.get_string());
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  e.tags = std::move(tags);
  return {};
}

Status setGeometry(Entity& e, const json::value& v) {
  if (v.is_null()) {
    e.geometry.reset();
    return {};
  }
  auto g = Geometry::fromJson(v);
  if (!g) return g.error();
  e.geometry = std::move(*g);
  return {};
}

void mergePatch(json::object& target, const json::object& patch) {
  for (const auto& kv : patch) {
    if (kv.value().is_null()) {
      target.erase(kv.key());
    } else if (kv.value().is_object()) {
      auto* existing = target.if_contains(kv.key());
      if (existing && existing->is_object()) mergePatch(existing->get_object(), kv.value().get_object());
      else {
        json::object fresh;
        mergePatch(fresh, kv.value().get_object());
        target[kv.key()] = std::move(fresh);
      }
    } else {
      target[kv.key()] = kv.value();
    }
  }
}

}  // namespace

Result<Entity> EntityCodec::fromJson(const json::value& v, int64_t nowMs) {
  const auto* o = v.if_object();
  if (!o) return BadRequest("an entity must be a JSON object");
  if (auto s = checkKeys(*o); !s) return s.error();
  Entity e;
  const auto* id = o->if_contains("id");
  if (!id || !id->is_string() || !isValidEntityId(id->get_string()))
    return BadRequest("id must be a string of letters, digits and . _ : - (1-128 characters)");
  e.id = id->get_string();
  const auto* type = o->if_contains("type");
  if (!type) return BadRequest("type is required");
  if (auto s = setType(e, *type); !s) return s.error();
  e.name = e.id;
  if (const auto* n = o->if_contains("name"))
    if (auto s = setName(e, *n); !s) return s.error();
  if (const auto* g = o->if_contains("geometry"))
    if (auto s = setGeometry(e, *g); !s) return s.error();
  if (const auto* a = o->if_contains("attributes")) {
    if (!a->is_object()) return BadRequest("attributes must be a JSON object");
    e.attributes = a->get_object();
  }
  if (const auto* t = o->if_contains("tags"))
    if (auto s = setTags(e, *t); !s) return s.error();
  e.createdMs = e.updatedMs = nowMs;
  return e;
}

Result<Entity> EntityCodec::applyPatch(Entity e, const json::value& patch, int64_t nowMs) {
  const auto* o = patch.if_object();
  if (!o) return BadRequest("a patch must be a JSON object");
  if (auto s = checkKeys(*o); !s) return s.error();
  if (const auto* id = o->if_contains("id"))
    if (!id->is_string() || id->get_string() != e.id) return BadRequest("id cannot be changed");
  if (const auto* t = o->if_contains("type"))
    if (auto s = setType(e, *t); !s) return s.error();
  if (const auto* n = o->if_contains("name"))
    if (auto s = setName(e, *n); !s) return s.error();
  if (const auto* g = o->if_contains("geometry"))
    if (auto s = setGeometry(e, *g); !s) return s.error();
  if (const auto* a = o->if_contains("attributes")) {
    if (!a->is_object()) return BadRequest("attributes must be a JSON object");
    mergePatch(e.attributes, a->get_object());
  }
  if (const auto* t = o->if_contains("tags"))
    if (auto s = setTags(e, *t); !s) return s.error();
  e.updatedMs = nowMs;
  return e;
}

json::object EntityCodec::toJson(const Entity& e) {
  json::object o;
  o["id"] = e.id;
  o["type"] = e.type;
  o["name"] = e.name;
  o["geometry"] = e.geometry ? e.geometry->toJson() : json::value(nullptr);
  o["attributes"] = e.attributes;
  json::array tags;
  for (const auto& t : e.tags) tags.emplace_back(t);
  o["tags"] = std::move(tags);
  o["created_at"] = formatTime(e.createdMs);
  o["updated_at"] = formatTime(e.updatedMs);
  return o;
}

}  // namespace cityops::model
