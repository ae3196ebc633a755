#include "rules/Expression.hpp"

#include "model/Names.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace cityops::rules {

namespace {

bool isRunChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '-';
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// -?digits(.digits)?([eE]-?digits)?
bool looksNumeric(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < s.size() && isDigit(s[i])) ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && s[i] == '-') ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

class Expression::Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Expression> run() {
    Expression e;
    e.text_ = std::string(text_);
    out_ = &e;
    if (text_.size() > kMaxLength) return BadRequest("an expression has at most 4096 bytes");
    if (auto s = tokenize(); !s) return s.error();
    auto root = parseOr(0);
    if (!root) return root.error();
    if (tok().kind != Tok::End) {
      if (tok().kind == Tok::RParen) return fail(tok().col, "unmatched ')'");
      return fail(tok().col, "expected && or || or the end, found " + describe(tok()));
    }
    if (!root->isCondition)
      return fail(root->col, "the expression must be a condition (a comparison such as x.m > 1), not a value");
    if (e.refs_.empty()) return BadRequest("the expression reads no <entity>.<metric> value");
    if (depth(root->node) > kMaxDepth) return BadRequest("the expression is nested more than 32 levels deep");
    e.root_ = root->node;
    return e;
  }

 private:
  enum class Tok { Run, Op, LParen, RParen, End };
  struct Token {
    Tok kind;
    std::string_view text;
    size_t col;  // 1-based
  };
  struct Parsed {
    uint32_t node;
    bool isCondition;
    size_t col;
  };

  Error fail(size_t col, std::string why) const {
    return BadRequest("column " + std::to_string(col) + ": " + std::move(why));
  }

  static std::string describe(const Token& t) {
    if (t.kind == Tok::End) return "the end";
    std::string s = "'";
    s += t.text.substr(0, 40);
    s += t.text.size() > 40 ? "...'" : "'";
    return s;
  }

  Status tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      const size_t col = i + 1;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (isRunChar(c)) {
        const size_t start = i;
        while (i < text_.size() && isRunChar(text_[i])) ++i;
        toks_.push_back({Tok::Run, text_.substr(start, i - start), col});
      } else if (c == '(' || c == ')') {
        toks_.push_back({c == '(' ? Tok::LParen : Tok::RParen, text_.substr(i, 1), col});
        ++i;
      } else {
        const std::string_view two = text_.substr(i, 2);
        if (two == ">=" || two == "<=" || two == "==" || two == "!=" || two == "&&" || two == "||") {
          toks_.push_back({Tok::Op, two, col});
          i += 2;
        } else if (c == '>' || c == '<' || c == '!') {
          toks_.push_back({Tok::Op, text_.substr(i, 1), col});
          ++i;
        } else if (c == '=') {
          return fail(col, "'=' is not an operator; compare with ==");
        } else if (c == '&') {
          return fail(col, "'&' is not an operator; use &&");
        } else if (c == '|') {
          return fail(col, "'|' is not an operator; use ||");
        } else {
          const auto byte = static_cast<unsigned char>(c);
          std::string shown = byte >= 0x20 && byte < 0x7f ? std::string("'") + c + "'" : "byte " + std::to_string(byte);
          return fail(col, "unexpected " + shown);
        }
      }
    }
    toks_.push_back({Tok::End, {}, text_.size() + 1});
    return {};
  }

  const Token& tok() const { return toks_[pos_]; }
  bool isOp(std::string_view op) const { return tok().kind == Tok::Op && tok().text == op; }

  Result<uint32_t> add(Node n, size_t col) {
    if (out_->nodes_.size() >= kMaxNodes) return fail(col, "the expression has more than 256 operands and operators");
    out_->nodes_.push_back(std::move(n));
    return static_cast<uint32_t>(out_->nodes_.size() - 1);
  }

  // Nested parentheses and '!' recurse; bounded so that no input can exhaust the stack.
  Status enter(size_t nesting, size_t col) const {
    if (nesting > kMaxDepth) return fail(col, "the expression is nested more than 32 levels deep");
    return {};
  }

  // or := and ('||' and)*   — same shape for and := comparison ('&&' comparison)*
  Result<Parsed> parseOr(size_t nesting) { return parseChain(nesting, "||", Op::Or); }
  Result<Parsed> parseAnd(size_t nesting) { return parseChain(nesting, "&&", Op::And); }

  Result<Parsed> parseChain(size_t nesting, std::string_view opText, Op op) {
    auto first = op == Op::Or ? parseAnd(nesting) : parseComparison(nesting);
    if (!first) return first;
    if (!isOp(opText)) return first;
    Node n;
    n.op = op;
    const size_t opCol = tok().col;
    auto check = [&](const Parsed& p) -> Status {
      if (!p.isCondition)
        return fail(p.col, "'" + std::string(opText) + "' joins conditions; this operand is a value (compare it, e.g. " +
                               "x.m > 0)");
      return {};
    };
    if (auto s = check(*first); !s) return s.error();
    n.kids.push_back(first->node);
    while (isOp(opText)) {
      ++pos_;
      auto next = op == Op::Or ? parseAnd(nesting) : parseComparison(nesting);
      if (!next) return next;
      if (auto s = check(*next); !s) return s.error();
      n.kids.push_back(next->node);
    }
    auto id = add(std::move(n), opCol);
    if (!id) return id.error();
    return Parsed{*id, true, first->col};
  }

  static std::optional<Op> comparison(const Token& t) {
    if (t.kind != Tok::Op) return std::nullopt;
    if (t.text == ">") return Op::Gt;
    if (t.text == ">=") return Op::Ge;
    if (t.text == "<") return Op::Lt;
    if (t.text == "<=") return Op::Le;
    if (t.text == "==") return Op::Eq;
    if (t.text == "!=") return Op::Ne;
    return std::nullopt;
  }

  // comparison := unary (cmp unary)?
  Result<Parsed> parseComparison(size_t nesting) {
    auto lhs = parseUnary(nesting);
    if (!lhs) return lhs;
    const auto op = comparison(tok());
    if (!op) return lhs;
    const Token opTok = tok();
    ++pos_;
    auto rhs = parseUnary(nesting);
    if (!rhs) return rhs;
    for (const Parsed* side : {&*lhs, &*rhs})
      if (side->isCondition)
        return fail(side->col, "'" + std::string(opTok.text) + "' compares numbers; this operand is a condition");
    if (comparison(tok()))
      return fail(tok().col, "comparisons cannot be chained; join them with && (a.m > 1 && a.m < 2)");
    Node n;
    n.op = *op;
    n.kids = {lhs->node, rhs->node};
    auto id = add(std::move(n), opTok.col);
    if (!id) return id.error();
    return Parsed{*id, true, lhs->col};
  }

  // unary := '!' unary | primary
  Result<Parsed> parseUnary(size_t nesting) {
    if (!isOp("!")) return parsePrimary(nesting);
    const size_t col = tok().col;
    if (auto s = enter(nesting + 1, col); !s) return s.error();
    ++pos_;
    auto operand = parseUnary(nesting + 1);
    if (!operand) return operand;
    if (!operand->isCondition)
      return fail(col, "'!' negates a condition; put the comparison in parentheses: !(x.m > 1)");
    Node n;
    n.op = Op::Not;
    n.kids = {operand->node};
    auto id = add(std::move(n), col);
    if (!id) return id.error();
    return Parsed{*id, true, col};
  }

  // primary := number | reference | '(' or ')'
  Result<Parsed> parsePrimary(size_t nesting) {
    const Token t = tok();
    if (t.kind == Tok::LParen) {
      if (auto s = enter(nesting + 1, t.col); !s) return s.error();
      ++pos_;
      auto inner = parseOr(nesting + 1);
      if (!inner) return inner;
      if (tok().kind != Tok::RParen)
        return fail(tok().col, "expected ')' to close the '(' at column " + std::to_string(t.col) + ", found " +
                                   describe(tok()));
      ++pos_;
      return Parsed{inner->node, inner->isCondition, t.col};
    }
    if (t.kind != Tok::Run)
      return fail(t.col, "expected a number or an <entity>.<metric> reference, found " + describe(t));
    ++pos_;
    if (looksNumeric(t.text)) {
      double v = 0;
      const auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (ec != std::errc() || end != t.text.data() + t.text.size() || !std::isfinite(v))
        return fail(t.col, "the number " + describe(t) + " is out of range");
      Node n;
      n.op = Op::Number;
      n.number = v;
      auto id = add(std::move(n), t.col);
      if (!id) return id.error();
      return Parsed{*id, false, t.col};
    }
    const size_t dot = t.text.rfind('.');
    if (dot == std::string_view::npos)
      return fail(t.col, describe(t) + " is neither a number nor an <entity>.<metric> reference");
    const std::string_view entity = t.text.substr(0, dot);
    const std::string_view metric = t.text.substr(dot + 1);
    if (!model::isValidEntityId(entity))
      return fail(t.col, describe(t) + ": the entity id before the last '.' must be 1-128 letters, digits and . _ : -");
    if (!model::isValidMetric(metric))
      return fail(t.col + dot + 1, describe(t) + ": the metric after the last '.' must be 1-64 lower-case letters, " +
                                       "digits and '_'");
    uint32_t ref = 0;
    auto& refs = out_->refs_;
    while (ref < refs.size() && !(refs[ref].first == entity && refs[ref].second == metric)) ++ref;
    if (ref == refs.size()) {
      if (refs.size() >= kMaxReferences)
        return fail(t.col, "the expression reads more than 64 different <entity>.<metric> values");
      refs.emplace_back(std::string(entity), std::string(metric));
    }
    Node n;
    n.op = Op::Ref;
    n.ref = ref;
    auto id = add(std::move(n), t.col);
    if (!id) return id.error();
    return Parsed{*id, false, t.col};
  }

  size_t depth(uint32_t node) const {
    size_t deepest = 0;
    for (uint32_t k : out_->nodes_[node].kids) deepest = std::max(deepest, depth(k));
    return deepest + 1;
  }

  std::string_view text_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  Expression* out_ = nullptr;
};

Result<Expression> Expression::parse(std::string_view text) { return Parser(text).run(); }

std::optional<double> Expression::number(uint32_t node, const Latest& latest,
                                         std::vector<std::optional<std::optional<double>>>& cache) const {
  const Node& n = nodes_[node];
  if (n.op == Op::Number) return n.number;
  auto& slot = cache[n.ref];
  if (!slot) slot = latest(refs_[n.ref].first, refs_[n.ref].second);
  return *slot;
}

std::optional<bool> Expression::condition(uint32_t node, const Latest& latest,
                                          std::vector<std::optional<std::optional<double>>>& cache) const {
  const Node& n = nodes_[node];
  switch (n.op) {
    case Op::Not: {
      const auto v = condition(n.kids[0], latest, cache);
      if (!v) return std::nullopt;
      return !*v;
    }
    case Op::And:
    case Op::Or: {
      // Kleene logic: a deciding operand (false for &&, true for ||) wins over missing ones.
      const bool decider = n.op == Op::Or;
      bool unknown = false;
      for (uint32_t k : n.kids) {
        const auto v = condition(k, latest, cache);
        if (!v) unknown = true;
        else if (*v == decider) return decider;
      }
      if (unknown) return std::nullopt;
      return !decider;
    }
    default: break;
  }
  const auto a = number(n.kids[0], latest, cache);
  const auto b = number(n.kids[1], latest, cache);
  if (!a || !b) return std::nullopt;
  switch (n.op) {
    case Op::Gt: return *a > *b;
    case Op::Ge: return *a >= *b;
    case Op::Lt: return *a < *b;
    case Op::Le: return *a <= *b;
    case Op::Eq: return *a == *b;
    case Op::Ne: return *a != *b;
    default: return std::nullopt;
  }
}

std::optional<bool> Expression::evaluate(const Latest& latest) const {
  if (nodes_.empty()) return std::nullopt;
  std::vector<std::optional<std::optional<double>>> cache(refs_.size());
  return condition(root_, latest, cache);
}

}  // namespace cityops::rules
