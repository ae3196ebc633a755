#pragma once
// The error every tsdb decoder returns for malformed input.
#include <string>

#include "common/Result.hpp"

namespace cityops::tsdb {

inline constexpr const char* kCorruptCode = "corrupt";

inline Error Corrupt(std::string msg) { return {kCorruptCode, std::move(msg)}; }

}  // namespace cityops::tsdb
