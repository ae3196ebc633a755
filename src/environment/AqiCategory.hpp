#pragma once
// The six AQI categories of each standard: names (Vietnamese and English), colour (name, RGB, hex), health effect and
// activity advice for the general public and for sensitive groups, in Vietnamese and English.
//
// VN_AQI: names, colours and RGB from Decision 1459/QĐ-TCMT Table 1; effects and advice paraphrase its Tables 4 and 5
// (sensitive groups there: the elderly, children, people with respiratory or cardiovascular disease).
// US AQI: names and colours from EPA-454/B-24-002 Table 1/2; the advice paraphrases EPA's general cautionary
// statements; the Vietnamese texts of the US categories are this project's translation.
#include <array>
#include <cstdint>
#include <string_view>

namespace cityops::environment {

struct Rgb {
  uint8_t r;
  uint8_t g;
  uint8_t b;
};

struct Texts {
  std::string_view vi;
  std::string_view en;
};

struct AqiCategory {
  int level;  // 1 (good) .. 6 (hazardous)
  int low;    // AQI range, inclusive
  int high;
  Texts name;      // VN: "Tốt"/"Good" ... US: "Tốt"/"Good" ... (US vi: our translation)
  Texts colour;    // VN: "Xanh"/"green" ... US: ... "maroon"
  Rgb rgb;
  std::string_view hex;  // "#00E400"
  Texts health;          // what the level means for health
  Texts adviceGeneral;   // for everyone
  Texts adviceSensitive; // for sensitive groups

  /// The VN_AQI category of an integer AQI (0-50, 51-100, 101-150, 151-200, 201-300, 301-500); values outside are
  /// clamped to the first/last category.
  static const AqiCategory& vn(int aqi);
  /// The US AQI category: Good, Moderate, Unhealthy for Sensitive Groups, Unhealthy, Very Unhealthy, Hazardous.
  static const AqiCategory& us(int aqi);
  static const std::array<AqiCategory, 6>& vnAll();
  static const std::array<AqiCategory, 6>& usAll();
};

}  // namespace cityops::environment
