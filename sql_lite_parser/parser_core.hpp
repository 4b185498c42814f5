// The recursive-descent parser's internals, shared by parser_core.cpp (token stream, errors,
// statement dispatch), parse_expression.cpp, parse_primary.cpp, parse_dml.cpp and
// parse_ddl.cpp. One parser object parses one text on one thread and owns nothing but a
// tokenizer and a few tokens of lookahead. Not part of the public interface: use parser.hpp.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "common/result.hpp"
#include "sql_lite_parser/ast.hpp"
#include "sql_lite_parser/parser_limits.hpp"
#include "sql_lite_parser/tokenizer.hpp"

namespace meridian::sql::detail {

class parser {
 public:
  explicit parser(std::string_view source) : tokenizer_(source) {}

  // Marks the current token as the first of a new statement (for the length limit).
  void begin_statement();
  // One statement into `out`, stopping before ';' or the end of input.
  status parse_statement(statement& out);

  // ---- token stream ----
  // The token `ahead` positions after the current one. REQUIRES: ahead < lookahead_capacity.
  const token& peek(std::size_t ahead = 0) {
    if (count_ > ahead && !too_long_) return buffer_[(head_ + ahead) & (lookahead_capacity - 1)];
    return peek_slow(ahead);
  }
  // Consumes the current token and returns it (valid until the next advance()).
  const token& advance();
  bool peek_is(token_kind kind, std::size_t ahead = 0) { return peek(ahead).kind == kind; }
  bool peek_is(keyword kw, std::size_t ahead = 0) {
    const token& t = peek(ahead);
    return t.kind == token_kind::word && t.kw == kw;
  }
  bool accept(token_kind kind);
  bool accept(keyword kw);
  // Consumes the expected token or fails with "expected <what> after <previous>, found ...".
  status expect(token_kind kind, std::string_view what);
  status expect(keyword kw);
  bool peek_is_identifier(std::size_t ahead = 0);
  // A name (bare non-reserved word or quoted name), converted to an identifier.
  result<identifier> expect_identifier(std::string_view what);

  // ---- errors (parser_core.cpp) ----
  // They live out of line so that building a message never enlarges the stack frames of the
  // recursive functions: the nesting limit's promise about stack use depends on small frames.
  //
  // "expected <expected> after <previous token>, found <t>[ (<hint>)]". If t is an error
  // token, the tokenizer's (or the length limit's) error instead, so the earliest problem is
  // reported.
  error fail_expected(const token& t, std::string_view expected, std::string_view hint = {});
  // "expected <expected> to close <construct> at <open>, found <current token>"; with a name,
  // "... to close <construct><name>( at ...", for function calls.
  error fail_unclosed(std::string_view expected, std::string_view construct, source_pos open,
                      std::string_view name = {});
  // An error at t with a message of the caller's own wording.
  error fail_at(const token& t, errc code, std::string_view message);
  error fail_at(source_pos pos, errc code, std::string_view message);
  error nesting_too_deep(source_pos pos);
  static std::string where(source_pos pos);  // "line L, column C" for cross-references
  // Where the error most recently returned by this parser points.
  source_pos error_pos() const { return error_pos_; }

  // ---- expressions (parse_expression.cpp, parse_primary.cpp) ----
  result<expr_ptr> parse_expression();
  // A node built from children: checks the height limit. `height` includes the node itself.
  template <class Node>
  result<expr_ptr> make_expr(Node&& node, source_pos pos, int height) {
    if (height > parse_limits::max_nesting_depth) return nesting_too_deep(pos);
    auto e = std::make_unique<expr>();
    e->node.template emplace<std::decay_t<Node>>(std::forward<Node>(node));
    e->pos = pos;
    e->height = static_cast<std::uint16_t>(height);
    return e;
  }

  // ---- statements (parser_core.cpp, parse_dml.cpp, parse_ddl.cpp) ----
  status parse_select(statement_node& out);
  status parse_insert(statement_node& out);
  status parse_update(statement_node& out);
  status parse_delete(statement_node& out);
  status parse_create(statement_node& out);
  status parse_alter(statement_node& out);
  status parse_drop(statement_node& out);
  result<type_name> parse_type();
  result<column_def> parse_column_def();
  result<table_option> parse_table_option();
  result<std::vector<identifier>> parse_name_list(std::string_view what);

 private:
  static constexpr std::size_t lookahead_capacity = 4;  // a power of two; the grammar needs 3

  using sub_parser = result<expr_ptr> (parser::*)();
  using op_matcher = bool (*)(const token&, binary_op&);
  // next (op next)*, left-associative.
  result<expr_ptr> parse_chain(sub_parser next, op_matcher match);
  bool at_comparison_operator();
  result<expr_ptr> parse_or();
  result<expr_ptr> parse_and();
  result<expr_ptr> parse_not();
  result<expr_ptr> parse_not_chain();
  result<expr_ptr> parse_comparison();
  result<expr_ptr> parse_comparison_tail(expr_ptr left);
  result<expr_ptr> parse_in_list(expr_ptr operand, source_pos pos, bool negated);
  result<expr_ptr> parse_additive();
  result<expr_ptr> parse_multiplicative();
  result<expr_ptr> parse_unary();
  result<expr_ptr> parse_signs();
  result<expr_ptr> parse_primary();
  result<expr_ptr> parse_keyword_primary();
  result<expr_ptr> make_literal(const token& t);  // a number or string token
  result<expr_ptr> parse_name();
  result<expr_ptr> parse_column_ref();
  result<expr_ptr> parse_function_call();
  result<expr_ptr> parse_case();
  status parse_case_part(expr_ptr& slot, int& height);
  result<expr_ptr> parse_cast();
  result<expr_ptr> parse_parenthesized();
  result<expr_ptr> make_binary(binary_op op, source_pos pos, expr_ptr left, expr_ptr right);
  error fail_chained_comparison();
  error fail_not_operand();

  status parse_statement_node(statement_node& out, const token& first);
  status parse_explain(statement_node& out);
  result<select_item> parse_select_item();
  status parse_alias(std::optional<identifier>& alias);
  result<table_ref> parse_table_ref();
  status parse_from(select_stmt& s);
  status parse_select_tail(select_stmt& s);
  status parse_as_of(select_stmt& s);
  status parse_expression_list(std::vector<expr_ptr>& out);
  status parse_values_row(insert_stmt& s);
  status parse_on_conflict(insert_stmt& s);
  status parse_create_table(statement_node& out);
  status parse_create_index(statement_node& out, bool unique);
  status parse_table_element(create_table_stmt& s, std::optional<source_pos>& primary_key);
  status parse_column_constraint(column_def& column);
  bool parse_if_not_exists();
  bool parse_if_exists();
  result<std::int64_t> parse_type_parameter(std::string_view type, std::string_view what,
                                            std::int64_t low, std::int64_t high);

  const token& peek_slow(std::size_t ahead);

  tokenizer tokenizer_;
  token buffer_[lookahead_capacity];
  std::size_t head_ = 0;   // index of the current token in buffer_
  std::size_t count_ = 0;  // tokens buffered
  token previous_;
  bool has_previous_ = false;  // previous_ belongs to the current statement
  std::uint32_t statement_start_ = 0;
  // Once a consumed token ends past the statement length limit, every peek sees this error
  // token, so the parser stops at its next decision with too_long_error_.
  token too_long_token_;
  std::optional<error> too_long_error_;
  bool too_long_ = false;  // too_long_error_.has_value(), kept as a flag for the hot path
  source_pos error_pos_;
  int depth_ = 0;  // parse_expression calls in progress
};

// Converts a name token (bare word or quoted name) to its value: bare words fold to lower
// case, quoted names lose their quotes and "" becomes ".
std::string identifier_value(const token& t);
// The value of a string token: quotes removed, '' becomes '.
std::string string_value(std::string_view quoted);
// Returns the binary operator a token stands for at the comparison level, if any.
bool comparison_op(token_kind kind, binary_op& op);

}  // namespace meridian::sql::detail
