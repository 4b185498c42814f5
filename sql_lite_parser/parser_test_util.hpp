// Helpers shared by the parser's doctest suites (header only; not part of the library): parse
// and print in one call, so a test states input and expected canonical form side by side.
#pragma once

#include <string>
#include <string_view>

#include "sql_lite_parser/parser.hpp"

namespace meridian::sql::testing {

// The canonical printout of the one statement in `sql`, or "error: " and the error's message.
inline std::string canon(std::string_view sql) {
  auto st = parse_statement(sql);
  if (!st.ok()) return "error: " + st.err().message();
  return to_string(*st);
}

// The canonical printout of `expression`, parsed as the only item of a SELECT list.
inline std::string canon_expr(std::string_view expression) {
  std::string sql = "SELECT " + std::string(expression);
  auto st = parse_statement(sql);
  if (!st.ok()) return "error: " + st.err().message();
  const auto& select = std::get<select_stmt>(st->node);
  if (select.items.size() != 1 || !select.items[0].value) return "not one expression";
  return to_string(*select.items[0].value);
}

// The expression of `SELECT <expression>`. REQUIRES: it parses.
inline expr_ptr parse_expr(std::string_view expression) {
  auto st = parse_statement("SELECT " + std::string(expression));
  if (!st.ok()) return nullptr;
  return std::move(std::get<select_stmt>(st->node).items[0].value);
}

struct failure {
  bool failed = false;
  errc code = errc::ok;
  std::string message;  // the error's message: position, text, excerpt and caret
  source_pos pos;
};

// What parse_script reports for `sql`; failed is false when it parsed.
inline failure fail_of(std::string_view sql) {
  failure f;
  auto script = parse_script(sql, &f.pos);
  if (script.ok()) return f;
  f.failed = true;
  f.code = script.err().code();
  f.message = script.err().message();
  return f;
}

// The first line of an error message: "line L, column C: what".
inline std::string first_line(const std::string& message) {
  return message.substr(0, message.find('\n'));
}

}  // namespace meridian::sql::testing
