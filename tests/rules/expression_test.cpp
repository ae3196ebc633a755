// Expression: references (entity ids with dots, dashes, colons), precedence, every operator, three-valued logic on
// missing values, parse errors with their columns, and the limits (64 references, 256 nodes, depth 32).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "rules/Expression.hpp"

namespace cityops::rules {
namespace {

using Values = std::map<std::string, double>;  // "entity.metric" -> latest value

Expression parsed(std::string_view text) {
  auto e = Expression::parse(text);
  EXPECT_TRUE(e.ok()) << text << ": " << (e.ok() ? "" : e.error().message);
  if (!e.ok()) return *Expression::parse("never.parsed > 0");
  return std::move(*e);
}

std::optional<bool> eval(std::string_view text, const Values& values) {
  const Expression e = parsed(text);
  return e.evaluate([&](const std::string& entity, const std::string& metric) -> std::optional<double> {
    auto it = values.find(entity + "." + metric);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

/// The parse fails with "column N: ..." containing `messagePart`.
void fails(std::string_view text, int column, std::string_view messagePart) {
  auto e = Expression::parse(text);
  ASSERT_FALSE(e.ok()) << text;
  EXPECT_EQ(e.error().code, "bad_request");
  const std::string& m = e.error().message;
  EXPECT_EQ(m.rfind("column " + std::to_string(column) + ": ", 0), 0u) << text << " -> " << m;
  EXPECT_NE(m.find(messagePart), std::string::npos) << text << " -> " << m;
}

void failsWithout(std::string_view text, std::string_view messagePart) {
  auto e = Expression::parse(text);
  ASSERT_FALSE(e.ok()) << text;
  EXPECT_NE(e.error().message.find(messagePart), std::string::npos) << e.error().message;
}

TEST(Expression, TheIssueExample) {
  const std::string text = "wl.tamky.water_level_m > 2.2 && cam-03.speed_kmh < 10";
  const Expression e = parsed(text);
  EXPECT_EQ(e.text(), text);
  const auto refs = e.references();
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0], (std::pair<std::string, std::string>{"wl.tamky", "water_level_m"}));  // metric after the LAST dot
  EXPECT_EQ(refs[1], (std::pair<std::string, std::string>{"cam-03", "speed_kmh"}));
  EXPECT_EQ(eval(text, {{"wl.tamky.water_level_m", 2.3}, {"cam-03.speed_kmh", 8}}), true);
  EXPECT_EQ(eval(text, {{"wl.tamky.water_level_m", 2.2}, {"cam-03.speed_kmh", 8}}), false);  // 2.2 is not > 2.2
  EXPECT_EQ(eval(text, {{"wl.tamky.water_level_m", 2.3}, {"cam-03.speed_kmh", 10}}), false);
}

TEST(Expression, EntityIdsWithColonsAndRepeatedReferences) {
  const Expression e = parsed("station:tamky.water_level > 2.2 && station:tamky.water_level < 3");
  ASSERT_EQ(e.references().size(), 1u);  // distinct pairs only
  EXPECT_EQ(e.references()[0].first, "station:tamky");
  EXPECT_EQ(e.references()[0].second, "water_level");
}

TEST(Expression, EachReferenceIsAskedForOncePerEvaluation) {
  const Expression e = parsed("a.x > 1 && a.x < 5 && (a.x != 3 || b.y == 0)");
  int calls = 0;
  const auto r = e.evaluate([&](const std::string& entity, const std::string&) -> std::optional<double> {
    ++calls;
    return entity == "a" ? 3.0 : 0.0;
  });
  EXPECT_EQ(r, true);    // 3 > 1, 3 < 5, 3 != 3 is false but b.y == 0
  EXPECT_EQ(calls, 2);   // a.x once, b.y once
}

TEST(Expression, ComparisonOperators) {
  const Values v{{"a.x", 2}};
  EXPECT_EQ(eval("a.x > 2", v), false);
  EXPECT_EQ(eval("a.x >= 2", v), true);
  EXPECT_EQ(eval("a.x < 2", v), false);
  EXPECT_EQ(eval("a.x <= 2", v), true);
  EXPECT_EQ(eval("a.x == 2", v), true);
  EXPECT_EQ(eval("a.x != 2", v), false);
  EXPECT_EQ(eval("2 < a.x", v), false);   // a number on the left
  EXPECT_EQ(eval("a.x > -0.5", v), true);  // negative numbers
  EXPECT_EQ(eval("a.x > 1e-3", v), true);  // exponents
  EXPECT_EQ(eval("a.x < 2E1", v), true);
  EXPECT_EQ(eval("a.x>=2&&a.x<=2", v), true);  // no spaces needed
}

TEST(Expression, AndBindsTighterThanOr) {
  const Values v{{"a.x", 5}, {"b.x", 0}, {"c.x", 0}};
  // a || (b && c) = true || false = true; read left to right ((a || b) && c) it would be false.
  EXPECT_EQ(eval("a.x > 1 || b.x > 1 && c.x > 1", v), true);
  EXPECT_EQ(eval("b.x > 1 && c.x > 1 || a.x > 1", v), true);
  // Parentheses override: (true || false) && false.
  EXPECT_EQ(eval("(a.x > 1 || b.x > 1) && c.x > 1", v), false);
}

TEST(Expression, NotBindsTightest) {
  const Values v{{"a.x", 5}, {"b.x", 0}};
  // !(a > 1) || b < 1 = false || true; were it !((a > 1) || (b < 1)) it would be false.
  EXPECT_EQ(eval("!(a.x > 1) || b.x < 1", v), true);
  EXPECT_EQ(eval("!(a.x > 1 || b.x < 1)", v), false);
  EXPECT_EQ(eval("!!(a.x > 1)", v), true);
  EXPECT_EQ(eval("! (b.x > 1) && a.x > 1", v), true);
}

TEST(Expression, MissingValuesUseThreeValuedLogic) {
  // a.x missing.
  EXPECT_EQ(eval("a.x > 1", {}), std::nullopt);
  EXPECT_EQ(eval("a.x > 1 && b.x > 1", {{"b.x", 0}}), false);         // false whatever a.x is
  EXPECT_EQ(eval("a.x > 1 && b.x > 1", {{"b.x", 5}}), std::nullopt);  // decided by a.x
  EXPECT_EQ(eval("a.x > 1 || b.x > 1", {{"b.x", 5}}), true);          // true whatever a.x is
  EXPECT_EQ(eval("a.x > 1 || b.x > 1", {{"b.x", 0}}), std::nullopt);
  EXPECT_EQ(eval("!(a.x > 1)", {}), std::nullopt);
  EXPECT_EQ(eval("a.x == a.x", {}), std::nullopt);
}

TEST(Expression, ParseErrorsPointAtTheColumn) {
  fails("", 1, "expected a number or an <entity>.<metric> reference, found the end");
  fails("a.x >", 6, "found the end");
  fails("a.x = 1", 5, "'=' is not an operator; compare with ==");
  fails("a.x > 1 & b.x > 1", 9, "use &&");
  fails("a.x > 1 | b.x > 1", 9, "use ||");
  fails("(a.x > 1", 9, "expected ')' to close the '(' at column 1");
  fails("a.x > 1)", 8, "unmatched ')'");
  fails("a.x > 1 b.x > 2", 9, "expected && or || or the end");
  fails("foo > 1", 1, "'foo' is neither a number nor an <entity>.<metric> reference");
  fails("a.x > 1 || x", 12, "'x' is neither");
  fails("a.Speed > 1", 3, "the metric after the last '.'");
  fails(".x > 1", 1, "the entity id before the last '.'");
  fails("a. > 1", 3, "the metric after the last '.'");
  fails("a.x", 1, "must be a condition");
  fails("(a.x)", 1, "must be a condition");
  fails("a.x > 1 && 5", 12, "'&&' joins conditions");
  fails("a.x || b.y > 1", 1, "'||' joins conditions");
  fails("1 < a.x < 3", 9, "cannot be chained");
  fails("!a.x > 1", 1, "'!' negates a condition");  // ! binds tighter than >: !(a.x) is a negated value
  fails("(a.x > 1) > 2", 1, "'>' compares numbers");
  fails("a.x > (b.x < 1)", 7, "'>' compares numbers");
  fails("a.x > 1e999", 7, "out of range");
  fails("a.x > 2 # note", 9, "unexpected '#'");
  fails("a.x > 2 && b.é > 1", 14, "unexpected byte");
  fails("a.x > > 1", 7, "found '>'");
  fails("a.x > ()", 8, "found ')'");  // an empty group
}

TEST(Expression, ErrorsWithoutAColumn) {
  failsWithout("1 > 2", "reads no <entity>.<metric> value");
  failsWithout(std::string(4097, ' '), "at most 4096 bytes");
}

std::string orOf(int n, bool distinct) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += " || ";
    s += (distinct ? "e" + std::to_string(i) : std::string("e")) + ".m > 0";
  }
  return s;
}

TEST(Expression, SixtyFourReferencesAtMost) {
  // 64 comparisons of distinct references: 64 refs + 64 numbers + 64 comparisons + 1 "||" = 193 nodes.
  EXPECT_EQ(parsed(orOf(64, true)).references().size(), 64u);
  const std::string tooMany = orOf(65, true);
  fails(tooMany, static_cast<int>(tooMany.find("e64.m")) + 1, "more than 64 different");  // at the 65th
}

TEST(Expression, TwoHundredFiftySixNodesAtMost) {
  // n comparisons joined by || make 3n + 1 nodes: 85 -> 256 (allowed), 86 -> 259.
  EXPECT_EQ(parsed(orOf(85, false)).references().size(), 1u);
  failsWithout(orOf(86, false), "more than 256 operands and operators");
  // One '!' more than 85 comparisons: 257 nodes.
  failsWithout("!(e.m > 0) || " + orOf(84, false), "more than 256 operands and operators");
  EXPECT_TRUE(Expression::parse("!(e.m > 0) || " + orOf(83, false)).ok());  // 84 * 3 + 1 + 1 = 254
}

TEST(Expression, ThirtyTwoLevelsDeepAtMost) {
  const auto nested = [](int parens) { return std::string(parens, '(') + "a.x > 1" + std::string(parens, ')'); };
  EXPECT_EQ(eval(nested(32), {{"a.x", 2}}), true);
  fails(nested(33), 33, "nested more than 32 levels");
  // Each '!' is a level of the tree: 30 of them over a comparison (2 levels) make 32; 31 make 33.
  const auto nots = [](int n) { return std::string(static_cast<size_t>(n), '!') + "(a.x > 1)"; };
  EXPECT_EQ(eval(nots(30), {{"a.x", 2}}), true);  // an even number of negations
  failsWithout(nots(31), "nested more than 32 levels");
  // Far deeper input (within the 4096 bytes) fails the same way instead of exhausting the stack.
  fails(std::string(4000, '(') + "a.x > 1", 33, "nested more than 32 levels");
  fails(std::string(4000, '!') + "(a.x > 1)", 33, "nested more than 32 levels");
}

}  // namespace
}  // namespace cityops::rules
