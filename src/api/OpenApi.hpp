#pragma once
#include <string_view>

namespace cityops::api {

/// The OpenAPI 3 document of every route (src/api/openapi.json, compiled in).
class OpenApi {
 public:
  static std::string_view document();
};

}  // namespace cityops::api
