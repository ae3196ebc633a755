#pragma once
// Entity <-> JSON, including the create and merge-patch rules.
#include "common/Result.hpp"
#include "model/Entity.hpp"

#include <boost/json/value.hpp>

namespace cityops::model {

class EntityCodec {
 public:
  /// A new entity from a request body (id and type required; name defaults to id). Times set to nowMs.
  static Result<Entity> fromJson(const boost::json::value& v, int64_t nowMs);
  /// PATCH semantics: type/name/geometry/tags replace (geometry null removes); attributes follow JSON merge patch
  /// (RFC 7386: null deletes a key). id may be repeated but not changed.
  static Result<Entity> applyPatch(Entity entity, const boost::json::value& patch, int64_t nowMs);
  static boost::json::object toJson(const Entity& e);
};

}  // namespace cityops::model
