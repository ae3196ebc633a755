#pragma once
// The grammar of identifiers, in one place.
#include <string_view>

namespace cityops::model {

bool isValidEntityId(std::string_view s);   // [A-Za-z0-9._:-]{1,128}
bool isValidMetric(std::string_view s);     // [a-z0-9_]{1,64}
bool isValidType(std::string_view s);       // [A-Za-z0-9_]{1,64}
bool isValidTag(std::string_view s);        // [A-Za-z0-9._:-]{1,64}

}  // namespace cityops::model
