// Fuzz target: a rule body parsed as the API does (max_depth 16) then RuleCodec::fromJson, and the whole input as an
// expression (Expression::parse, then evaluate with values present, absent and alternating).
#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "FuzzCheck.hpp"
#include "common/JsonText.hpp"
#include "rules/Expression.hpp"
#include "rules/RuleCodec.hpp"

namespace json = boost::json;
using namespace cityops::rules;

namespace {

constexpr int64_t kNow = 1761735600000;

void checkRule(const Rule& r) {
  FUZZ_CHECK(!r.id.empty(), "rule without id");
  if (r.kind == Kind::Threshold) {
    FUZZ_CHECK(!r.levels.empty() && r.levels.size() <= 4, "threshold levels out of range");
    for (size_t i = 1; i < r.levels.size(); ++i) {
      FUZZ_CHECK(r.levels[i].severity > r.levels[i - 1].severity, "severities not increasing");
      FUZZ_CHECK(r.levels[i].above == r.levels[0].above, "mixed above/below");
    }
    FUZZ_CHECK(r.hysteresis >= 0, "negative hysteresis");
  }
  // GET shows toJson; PUT takes it back: the same rule.
  const json::object out = toJson(r);
  auto again = fromJson(out, kNow);
  FUZZ_CHECK(again.ok(), "toJson output rejected by fromJson");
  FUZZ_CHECK(json::serialize(toJson(*again)) == json::serialize(out), "toJson/fromJson changed the rule");
  if (r.kind == Kind::Expression) {
    auto e = Expression::parse(r.expr);
    FUZZ_CHECK(e.ok(), "an accepted expression rule whose expression does not parse");
  }
}

void checkExpression(std::string_view text) {
  auto e = Expression::parse(text);
  if (!e) {
    FUZZ_CHECK(e.error().code == "bad_request", "expression error is not bad_request");
    return;
  }
  const auto refs = e->references();
  FUZZ_CHECK(!refs.empty() && refs.size() <= Expression::kMaxReferences, "references out of range");
  int asked = 0;
  (void)e->evaluate([&](const std::string&, const std::string&) -> std::optional<double> { ++asked; return 1.5; });
  FUZZ_CHECK(asked <= static_cast<int>(refs.size()), "a reference asked twice");
  (void)e->evaluate([](const std::string&, const std::string&) -> std::optional<double> { return std::nullopt; });
  bool flip = false;
  (void)e->evaluate([&](const std::string&, const std::string&) -> std::optional<double> {
    flip = !flip;
    return flip ? std::optional<double>(-2.0) : std::nullopt;
  });
  // The text it keeps is what it was given.
  FUZZ_CHECK(e->text() == text, "expression text changed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  checkExpression(input);
  boost::system::error_code ec;
  json::parse_options opt;
  opt.max_depth = 16;
  json::value v = json::parse(input, ec, {}, opt);
  if (ec) return 0;
  auto r = fromJson(v, kNow);
  if (r) checkRule(*r);
  else FUZZ_CHECK(r.error().code == "bad_request", "rule error is not bad_request");
  return 0;
}
