#include "auth/Credentials.hpp"

#include "auth/Tokens.hpp"

#include <utility>

namespace cityops::auth {

Error Unauthenticated(std::string msg) { return {"unauthenticated", std::move(msg)}; }

namespace {

constexpr std::string_view kScheme = "bearer";  // compared case-insensitively

bool isBlank(char c) { return c == ' ' || c == '\t'; }

bool schemeMatches(std::string_view s) {
  if (s.size() != kScheme.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
    if (c != kScheme[i]) return false;
  }
  return true;
}

}  // namespace

Result<std::string_view> bearerToken(std::string_view h) {
  // Fixed messages: nothing of the header (which may hold a secret, even in the wrong place) is ever repeated.
  auto expected = [] { return Unauthenticated("expected Authorization: Bearer <token>"); };
  while (!h.empty() && isBlank(h.front())) h.remove_prefix(1);
  while (!h.empty() && isBlank(h.back())) h.remove_suffix(1);
  if (h.size() <= kScheme.size() || !schemeMatches(h.substr(0, kScheme.size())) || !isBlank(h[kScheme.size()]))
    return expected();
  h.remove_prefix(kScheme.size());
  while (!h.empty() && isBlank(h.front())) h.remove_prefix(1);
  // Not empty: trailing blanks were trimmed above, so something other than a blank follows these.
  if (!Tokens::wellFormed(h)) return Unauthenticated("malformed bearer token");
  return h;
}

}  // namespace cityops::auth
