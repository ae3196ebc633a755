#include "model/Entity.hpp"

#include <algorithm>

namespace cityops::model {

bool Entity::hasTag(std::string_view tag) const { return std::binary_search(tags.begin(), tags.end(), tag); }

}  // namespace cityops::model
