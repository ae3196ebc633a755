#pragma once
// One measured value of one metric of one entity at one time.
#include <cstdint>
#include <string>
#include <string_view>

namespace cityops::model {

enum class Quality : uint8_t { Good = 0, Suspect = 1, Bad = 2 };

std::string_view qualityName(Quality q);
/// "good" | "suspect" | "bad"; false otherwise.
bool parseQuality(std::string_view s, Quality& out);

struct Observation {
  std::string entity;   // entity id
  std::string metric;   // [a-z0-9_]{1,64}
  int64_t time = 0;     // epoch ms, UTC
  double value = 0;     // finite
  Quality quality = Quality::Good;
};

}  // namespace cityops::model
