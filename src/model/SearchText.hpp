#pragma once
// Text as people type it into a search box: case and Vietnamese (and other Latin) diacritics folded away, so that
// "tam ky", "TAM KỲ" and "Tam Kỳ" all find "Trạm thủy văn Tam Kỳ".
#include <string>
#include <string_view>

namespace cityops::model {

class SearchText {
 public:
  /// Lower-case ASCII with Latin diacritics removed (đ → d); other characters are kept as they are.
  static std::string fold(std::string_view utf8);
  /// True when fold(needle) occurs in fold(haystack).
  static bool contains(std::string_view haystack, std::string_view needle);
};

}  // namespace cityops::model
