#include "api/OpenApi.hpp"

#include "api/OpenApiDocument.inc"  // generated from src/api/openapi.json: kOpenApiDocument

namespace cityops::api {

std::string_view OpenApi::document() { return kOpenApiDocument; }

}  // namespace cityops::api
