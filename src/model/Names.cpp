#include "model/Names.hpp"

namespace cityops::model {

namespace {
template <class Pred>
bool all(std::string_view s, size_t maxLen, Pred ok) {
  if (s.empty() || s.size() > maxLen) return false;
  for (char c : s)
    if (!ok(c)) return false;
  return true;
}
bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool idChar(char c) { return alnum(c) || c == '.' || c == '_' || c == ':' || c == '-'; }
}  // namespace

bool isValidEntityId(std::string_view s) { return all(s, 128, idChar); }
bool isValidMetric(std::string_view s) {
  return all(s, 64, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}
bool isValidType(std::string_view s) { return all(s, 64, [](char c) { return alnum(c) || c == '_'; }); }
bool isValidTag(std::string_view s) { return all(s, 64, idChar); }

}  // namespace cityops::model
