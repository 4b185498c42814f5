// Primary expressions: literals, placeholders, names and t.names, function calls (count(*),
// count(DISTINCT x)), CASE, CAST, TIMESTAMP '...' and parenthesised expressions. Everything
// here that contains expressions parses them through parse_expression, which is where the
// nesting depth is counted. Runs on the parser's thread.
#include <algorithm>
#include <charconv>

#include "sql_lite_parser/parser_core.hpp"

namespace meridian::sql::detail {

result<expr_ptr> parser::parse_primary() {
  const token& t = peek();
  switch (t.kind) {
    case token_kind::integer:
    case token_kind::exact_numeric:
    case token_kind::float_number:
    case token_kind::string: return make_literal(advance());
    case token_kind::placeholder: {
      const token& p = advance();
      std::uint32_t index = 0;
      std::from_chars(p.text.data() + 1, p.text.data() + p.text.size(), index);
      return make_expr(placeholder{index}, p.pos, 1);
    }
    case token_kind::left_paren: return parse_parenthesized();
    case token_kind::quoted_identifier: return parse_name();
    case token_kind::word:
      if (t.kw == keyword::none) return parse_name();
      return parse_keyword_primary();
    default: return fail_expected(t, "an expression");
  }
}

result<expr_ptr> parser::make_literal(const token& t) {
  switch (t.kind) {
    case token_kind::integer:
      return make_expr(literal{literal_kind::integer, std::string(t.text)}, t.pos, 1);
    case token_kind::exact_numeric:
      return make_expr(literal{literal_kind::exact_numeric, std::string(t.text)}, t.pos, 1);
    case token_kind::float_number:
      return make_expr(literal{literal_kind::float_number, std::string(t.text)}, t.pos, 1);
    default: return make_expr(literal{literal_kind::string, string_value(t.text)}, t.pos, 1);
  }
}

result<expr_ptr> parser::parse_keyword_primary() {
  const token t = peek();
  switch (t.kw) {
    case keyword::true_:
    case keyword::false_:
      advance();
      return make_expr(literal{literal_kind::boolean, t.kw == keyword::true_ ? "TRUE" : "FALSE"},
                       t.pos, 1);
    case keyword::null: advance(); return make_expr(literal{literal_kind::null, "NULL"}, t.pos, 1);
    case keyword::case_: return parse_case();
    case keyword::cast: return parse_cast();
    case keyword::timestamp:
      if (!peek_is(token_kind::string, 1)) break;
      advance();
      return make_expr(literal{literal_kind::timestamp, string_value(advance().text)}, t.pos, 1);
    case keyword::not_: return fail_not_operand();
    case keyword::exists:
      return fail_at(t, errc::sql_unsupported, "EXISTS subqueries are not supported");
    default: break;
  }
  if (!is_reserved(t.kw)) return parse_name();
  return fail_expected(t, "an expression");
}

result<expr_ptr> parser::parse_parenthesized() {
  source_pos open = advance().pos;
  if (peek_is(keyword::select)) {
    return fail_at(peek(), errc::sql_unsupported, "subqueries are not supported");
  }
  result<expr_ptr> inner = parse_expression();
  if (inner.ok() && !accept(token_kind::right_paren)) {
    return fail_unclosed("')'", "the '('", open);
  }
  return inner;
}

// A function call or a column reference, which a name starts. Dispatching here rather than
// after consuming the name keeps one frame fewer on the recursion through function arguments.
result<expr_ptr> parser::parse_name() {
  if (peek_is(token_kind::left_paren, 1)) return parse_function_call();
  return parse_column_ref();
}

result<expr_ptr> parser::parse_column_ref() {
  const token name = advance();
  column_ref ref;
  if (accept(token_kind::dot)) {
    if (peek_is(token_kind::star)) {
      return fail_at(peek(), errc::sql_syntax,
                     "t.* is allowed only as an item of the select list");
    }
    auto column = expect_identifier("a column name");
    if (!column.ok()) return column.err();
    if (peek_is(token_kind::dot)) {
      return fail_at(peek(), errc::sql_syntax,
                     "a column name has at most two parts (table.column), found a third '.'");
    }
    ref.table = identifier_value(name);
    ref.column = std::move(column->value);
  } else {
    ref.column = identifier_value(name);
  }
  return make_expr(std::move(ref), name.pos, 1);
}

result<expr_ptr> parser::parse_function_call() {
  function_call call;
  const token& name = advance();
  source_pos pos = name.pos;
  call.name = identifier_value(name);
  advance();  // '('
  int height = 1;
  if (peek_is(token_kind::star)) {
    source_pos star = advance().pos;
    if (call.name != "count") {
      return fail_at(star, errc::sql_syntax, "only COUNT accepts *, as in COUNT(*)");
    }
    call.star = true;
  } else if (!peek_is(token_kind::right_paren)) {
    call.distinct = accept(keyword::distinct);
    do {
      auto arg = parse_expression();
      if (!arg.ok()) return arg;
      height = std::max(height, 1 + (*arg)->height);
      call.args.push_back(std::move(*arg));
    } while (accept(token_kind::comma));
  }
  if (!accept(token_kind::right_paren)) {
    return fail_unclosed(call.star ? "')'" : "',' or ')'", "the call of ", pos, call.name);
  }
  return make_expr(std::move(call), pos, height);
}

status parser::parse_case_part(expr_ptr& slot, int& height) {
  auto e = parse_expression();
  if (!e.ok()) return e.err();
  height = std::max(height, 1 + (*e)->height);
  slot = std::move(*e);
  return ok_status();
}

result<expr_ptr> parser::parse_case() {
  source_pos case_pos = advance().pos;
  case_expr c;
  int height = 1;
  if (!peek_is(keyword::when)) MERIDIAN_TRY(parse_case_part(c.operand, height));
  if (!peek_is(keyword::when)) return fail_expected(peek(), "WHEN");
  while (accept(keyword::when)) {
    when_clause& w = c.whens.emplace_back();
    MERIDIAN_TRY(parse_case_part(w.condition, height));
    if (!accept(keyword::then)) return fail_expected(peek(), "THEN");
    MERIDIAN_TRY(parse_case_part(w.result, height));
  }
  if (accept(keyword::else_)) MERIDIAN_TRY(parse_case_part(c.else_result, height));
  if (!accept(keyword::end)) {
    return fail_unclosed(c.else_result ? "END" : "WHEN, ELSE or END", "the CASE", case_pos);
  }
  return make_expr(std::move(c), case_pos, height);
}

result<expr_ptr> parser::parse_cast() {
  source_pos cast_pos = advance().pos;
  if (!accept(token_kind::left_paren)) {
    return fail_expected(peek(), "'('", "as in CAST(x AS type)");
  }
  auto operand = parse_expression();
  if (!operand.ok()) return operand;
  if (!accept(keyword::as)) return fail_expected(peek(), "AS and a type");
  auto type = parse_type();
  if (!type.ok()) return type.err();
  if (!accept(token_kind::right_paren)) return fail_unclosed("')'", "the CAST", cast_pos);
  int height = 1 + (*operand)->height;
  return make_expr(cast_expr{std::move(*operand), std::move(*type)}, cast_pos, height);
}

}  // namespace meridian::sql::detail
