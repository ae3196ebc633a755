#pragma once
// Shared by the CityConfig tests: parse a TOML text that must succeed, or must fail (returning the message).
#include "config/CityConfig.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cityops::config::testing {

inline constexpr int64_t kNow = 1764201600000;  // 2025-11-27T00:00:00Z
inline const std::string kSource = "city.toml";

inline CityConfig ok(const std::string& toml) {
  auto r = CityConfig::parse(toml, kSource, kNow);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(*r) : CityConfig{};
}

inline std::string err(const std::string& toml) {
  auto r = CityConfig::parse(toml, kSource, kNow);
  if (r.ok()) {
    ADD_FAILURE() << "parsed, expected an error:\n" << toml;
    return {};
  }
  EXPECT_EQ(r.error().code, "bad_request");
  return r.error().message;
}

}  // namespace cityops::config::testing
