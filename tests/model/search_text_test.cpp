#include "model/SearchText.hpp"

#include <gtest/gtest.h>

namespace cityops::model {
namespace {

TEST(SearchText, FoldsCaseAndVietnameseDiacritics) {
  EXPECT_EQ(SearchText::fold("Tam Kỳ"), "tam ky");
  EXPECT_EQ(SearchText::fold("TRẠM THỦY VĂN CÂU LÂU"), "tram thuy van cau lau");
  EXPECT_EQ(SearchText::fold("Đà Nẵng"), "da nang");
  EXPECT_EQ(SearchText::fold("Nông Sơn · Ái Nghĩa"), "nong son · ai nghia");  // the dot is kept as it is
  EXPECT_EQ(SearchText::fold("Quảng Nam Museum"), "quang nam museum");
  EXPECT_EQ(SearchText::fold(""), "");
}

TEST(SearchText, FindsWhatPeopleType) {
  EXPECT_TRUE(SearchText::contains("Phường An Xuân", "XUÂN"));
  EXPECT_TRUE(SearchText::contains("Phường An Xuân", "an xuan"));
  EXPECT_TRUE(SearchText::contains("Trạm thủy văn Tam Kỳ", "tam ky"));
  EXPECT_FALSE(SearchText::contains("Trạm thủy văn Tam Kỳ", "hoi an"));
}

TEST(SearchText, InvalidUtf8IsKeptNotLost) {
  const std::string broken = std::string("ab") + static_cast<char>(0xC3) + "c" + static_cast<char>(0xFF);
  const std::string folded = SearchText::fold(broken);
  EXPECT_EQ(folded.size(), broken.size());
  EXPECT_EQ(folded.substr(0, 2), "ab");
}

}  // namespace
}  // namespace cityops::model
