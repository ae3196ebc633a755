#include "model/SearchText.hpp"

#include <cstdint>
#include <unordered_map>

namespace cityops::model {

namespace {

// Every accented Latin letter used in Vietnamese (and the common Western European ones), with its base letter.
// Listed as text so that the table can be read; built into a map once.
constexpr std::pair<char, const char*> kGroups[] = {
    {'a', "àáảãạăằắẳẵặâầấẩẫậäåāÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÄÅĀ"},
    {'e', "èéẻẽẹêềếểễệëēÈÉẺẼẸÊỀẾỂỄỆËĒ"},
    {'i', "ìíỉĩịîïīÌÍỈĨỊÎÏĪ"},
    {'o', "òóỏõọôồốổỗộơờớởỡợöøōÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÖØŌ"},
    {'u', "ùúủũụưừứửữựûüūÙÚỦŨỤƯỪỨỬỮỰÛÜŪ"},
    {'y', "ỳýỷỹỵÿỲÝỶỸỴŸ"},
    {'d', "đĐ"},
    {'c', "çÇ"},
    {'n', "ñÑ"},
};

/// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes come back as themselves.
uint32_t next(std::string_view s, size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return b;
  }
  uint32_t cp = len == 1 ? b : b & (0x7f >> len);
  for (int k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((c >> 6) != 2) {
      ++i;
      return b;
    }
    cp = (cp << 6) | (c & 0x3f);
  }
  i += static_cast<size_t>(len);
  return cp;
}

const std::unordered_map<uint32_t, char>& table() {
  static const auto* t = [] {
    auto* m = new std::unordered_map<uint32_t, char>();
    for (const auto& [base, letters] : kGroups) {
      std::string_view s(letters);
      for (size_t i = 0; i < s.size();) (*m)[next(s, i)] = base;
    }
    return m;
  }();
  return *t;
}

}  // namespace

std::string SearchText::fold(std::string_view s) {
  const auto& t = table();
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const uint32_t cp = next(s, i);
    if (cp < 0x80) {
      out.push_back(cp >= 'A' && cp <= 'Z' ? static_cast<char>(cp - 'A' + 'a') : static_cast<char>(cp));
    } else if (auto it = t.find(cp); it != t.end()) {
      out.push_back(it->second);
    } else {
      out.append(s.substr(start, i - start));
    }
  }
  return out;
}

bool SearchText::contains(std::string_view haystack, std::string_view needle) {
  return fold(haystack).find(fold(needle)) != std::string::npos;
}

}  // namespace cityops::model
