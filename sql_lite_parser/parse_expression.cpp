// Expressions, by recursive descent with one function per precedence level, loosest first:
// OR < AND < NOT < comparison (= <> < <= > >=, IS [NOT] NULL, [NOT] IN/BETWEEN/LIKE; these do
// not chain) < + - || < * / % < unary + - < primary. Recursion happens only through
// parse_expression (depth-checked); prefix chains like NOT NOT x are built in loops, in
// functions of their own so the common path keeps small stack frames. Runs on the parser's
// thread.
#include <algorithm>

#include "sql_lite_parser/parser_core.hpp"

namespace meridian::sql::detail {
namespace {

bool match_or(const token& t, binary_op& op) {
  op = binary_op::or_;
  return t.kind == token_kind::word && t.kw == keyword::or_;
}

bool match_and(const token& t, binary_op& op) {
  op = binary_op::and_;
  return t.kind == token_kind::word && t.kw == keyword::and_;
}

bool match_additive(const token& t, binary_op& op) {
  switch (t.kind) {
    case token_kind::plus: op = binary_op::add; return true;
    case token_kind::minus: op = binary_op::subtract; return true;
    case token_kind::concat: op = binary_op::concat; return true;
    default: return false;
  }
}

bool match_multiplicative(const token& t, binary_op& op) {
  switch (t.kind) {
    case token_kind::star: op = binary_op::multiply; return true;
    case token_kind::slash: op = binary_op::divide; return true;
    case token_kind::percent: op = binary_op::modulo; return true;
    default: return false;
  }
}

bool is_unsigned_number(const expr& e) {
  const auto* lit = std::get_if<literal>(&e.node);
  return lit != nullptr &&
         (lit->kind == literal_kind::integer || lit->kind == literal_kind::exact_numeric ||
          lit->kind == literal_kind::float_number) &&
         lit->text[0] != '-';
}

}  // namespace

bool comparison_op(token_kind kind, binary_op& op) {
  switch (kind) {
    case token_kind::equal: op = binary_op::equal; return true;
    case token_kind::not_equal: op = binary_op::not_equal; return true;
    case token_kind::less: op = binary_op::less; return true;
    case token_kind::less_equal: op = binary_op::less_equal; return true;
    case token_kind::greater: op = binary_op::greater; return true;
    case token_kind::greater_equal: op = binary_op::greater_equal; return true;
    default: return false;
  }
}

[[gnu::noinline]] result<expr_ptr> parser::make_binary(binary_op op, source_pos pos, expr_ptr left,
                                     expr_ptr right) {
  int height = 1 + std::max(left->height, right->height);
  return make_expr(binary_expr{op, std::move(left), std::move(right)}, pos, height);
}

result<expr_ptr> parser::parse_expression() {
  if (depth_ >= parse_limits::max_nesting_depth) {
    return nesting_too_deep(has_previous_ ? previous_.pos : peek().pos);
  }
  ++depth_;
  auto e = parse_or();
  --depth_;
  return e;
}

result<expr_ptr> parser::parse_chain(sub_parser next, op_matcher match) {
  result<expr_ptr> left = (this->*next)();
  binary_op op;
  while (left.ok() && match(peek(), op)) {
    source_pos pos = advance().pos;
    expr_ptr left_operand = std::move(*left);
    left = (this->*next)();
    if (left.ok()) left = make_binary(op, pos, std::move(left_operand), std::move(*left));
  }
  return left;
}

result<expr_ptr> parser::parse_or() { return parse_chain(&parser::parse_and, match_or); }

result<expr_ptr> parser::parse_and() { return parse_chain(&parser::parse_not, match_and); }

result<expr_ptr> parser::parse_not() {
  if (peek_is(keyword::not_)) return parse_not_chain();
  return parse_comparison();
}

result<expr_ptr> parser::parse_not_chain() {
  std::vector<source_pos> nots;
  while (peek_is(keyword::not_)) {
    if (nots.size() >= static_cast<std::size_t>(parse_limits::max_nesting_depth)) {
      return nesting_too_deep(peek().pos);
    }
    nots.push_back(advance().pos);
  }
  auto operand = parse_comparison();
  if (!operand.ok()) return operand;
  expr_ptr e = std::move(*operand);
  for (auto it = nots.rbegin(); it != nots.rend(); ++it) {
    int height = e->height + 1;
    auto node = make_expr(unary_expr{unary_op::not_, std::move(e)}, *it, height);
    if (!node.ok()) return node;
    e = std::move(*node);
  }
  return e;
}

bool parser::at_comparison_operator() {
  const token& t = peek();
  binary_op op;
  if (comparison_op(t.kind, op)) return true;
  if (t.kind != token_kind::word) return false;
  if (t.kw == keyword::is || t.kw == keyword::in || t.kw == keyword::between ||
      t.kw == keyword::like) {
    return true;
  }
  return t.kw == keyword::not_ &&
         (peek_is(keyword::in, 1) || peek_is(keyword::between, 1) || peek_is(keyword::like, 1));
}

result<expr_ptr> parser::parse_comparison() {
  result<expr_ptr> left = parse_additive();
  if (!left.ok() || !at_comparison_operator()) return left;
  left = parse_comparison_tail(std::move(*left));
  if (!left.ok() || !at_comparison_operator()) return left;
  return fail_chained_comparison();
}

result<expr_ptr> parser::parse_comparison_tail(expr_ptr left) {
  const token t = advance();
  binary_op op;
  if (comparison_op(t.kind, op)) {
    auto right = parse_additive();
    if (!right.ok()) return right;
    return make_binary(op, t.pos, std::move(left), std::move(*right));
  }
  if (t.kw == keyword::is) {
    bool negated = accept(keyword::not_);
    if (!accept(keyword::null)) {
      return fail_expected(peek(), negated ? "NULL" : "NULL or NOT NULL");
    }
    int height = left->height + 1;
    return make_expr(is_null_expr{std::move(left), negated}, t.pos, height);
  }
  bool negated = t.kw == keyword::not_;
  keyword kind = negated ? advance().kw : t.kw;
  if (kind == keyword::in) return parse_in_list(std::move(left), t.pos, negated);
  auto second = parse_additive();  // BETWEEN's low bound or LIKE's pattern
  if (!second.ok()) return second;
  int height = 1 + std::max(left->height, (*second)->height);
  if (kind == keyword::like) {
    return make_expr(like_expr{std::move(left), std::move(*second), negated}, t.pos, height);
  }
  if (!accept(keyword::and_)) return fail_expected(peek(), "AND", "BETWEEN takes low AND high");
  auto high = parse_additive();
  if (!high.ok()) return high;
  height = std::max(height, 1 + (*high)->height);
  return make_expr(between_expr{std::move(left), std::move(*second), std::move(*high), negated},
                   t.pos, height);
}

result<expr_ptr> parser::parse_in_list(expr_ptr operand, source_pos pos, bool negated) {
  if (!peek_is(token_kind::left_paren)) {
    return fail_expected(peek(), "'(' and a list of values", "as in IN (1, 2, 3)");
  }
  source_pos open = advance().pos;
  if (peek_is(keyword::select)) {
    return fail_at(peek(), errc::sql_unsupported,
                   "subqueries are not supported; list the values, as in IN (1, 2, 3)");
  }
  in_expr in;
  int height = 1 + operand->height;
  in.operand = std::move(operand);
  in.negated = negated;
  do {
    auto item = parse_expression();
    if (!item.ok()) return item;
    height = std::max(height, 2 + (*item)->height);
    in.items.push_back(std::move(*item));
  } while (accept(token_kind::comma));
  if (!accept(token_kind::right_paren)) return fail_unclosed("',' or ')'", "the IN list", open);
  return make_expr(std::move(in), pos, height);
}

result<expr_ptr> parser::parse_additive() {
  return parse_chain(&parser::parse_multiplicative, match_additive);
}

result<expr_ptr> parser::parse_multiplicative() {
  return parse_chain(&parser::parse_unary, match_multiplicative);
}

result<expr_ptr> parser::parse_unary() {
  if (peek_is(token_kind::minus) || peek_is(token_kind::plus)) return parse_signs();
  return parse_primary();
}

result<expr_ptr> parser::parse_signs() {
  std::vector<std::pair<unary_op, source_pos>> signs;
  while (peek_is(token_kind::minus) || peek_is(token_kind::plus)) {
    if (signs.size() >= static_cast<std::size_t>(parse_limits::max_nesting_depth)) {
      return nesting_too_deep(peek().pos);
    }
    const token& sign = advance();
    signs.emplace_back(sign.kind == token_kind::minus ? unary_op::negate : unary_op::plus,
                       sign.pos);
  }
  auto operand = parse_primary();
  if (!operand.ok()) return operand;
  expr_ptr e = std::move(*operand);
  if (signs.back().first == unary_op::negate && is_unsigned_number(*e)) {
    auto& lit = std::get<literal>(e->node);
    lit.text.insert(lit.text.begin(), '-');
    e->pos = signs.back().second;
    signs.pop_back();
  }
  for (auto it = signs.rbegin(); it != signs.rend(); ++it) {
    int height = e->height + 1;
    auto node = make_expr(unary_expr{it->first, std::move(e)}, it->second, height);
    if (!node.ok()) return node;
    e = std::move(*node);
  }
  return e;
}

}  // namespace meridian::sql::detail
