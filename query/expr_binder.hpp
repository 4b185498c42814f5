// The expression half of the binder: resolves column names against a scope (the tables of a
// FROM clause laid out side by side in one row), turns placeholders into their values, checks
// types with type_rules.hpp, and, after GROUP BY, maps expressions onto the aggregate's output
// row. Errors point into the statement text (make_sql_error). One binder per statement, used
// by one thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/bound_expr.hpp"
#include "query/descriptor.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::query {

// A table in a FROM clause: its columns occupy slots [first_slot, first_slot + width).
struct scope_table {
  std::string alias;  // the alias, or the table's name
  descriptor_ptr table;
  int first_slot = 0;
};

struct scope {
  std::vector<scope_table> tables;
  int width() const;
};

enum class aggregate_fn : std::uint8_t { count, sum, avg, min, max };

struct aggregate_call {
  aggregate_fn fn = aggregate_fn::count;
  bool star = false;      // COUNT(*)
  bool distinct = false;  // f(DISTINCT x)
  bound_expr arg;         // over the input row (not for COUNT(*))
  sql_type type;          // result type
  std::string text;       // canonical text, to share one call between SELECT and HAVING
};

// GROUP BY state: the aggregate operator outputs [group keys..., aggregate calls...].
struct aggregate_binding {
  std::vector<bound_expr> group_keys;  // over the input row
  std::vector<aggregate_call> calls;
};

struct bind_context {
  std::string_view source;
  const std::vector<datum>* params = nullptr;
};

class expr_binder {
 public:
  // `input` may be null (no FROM: no column may be named).
  expr_binder(const bind_context& ctx, const scope* input) : ctx_(ctx), input_(input) {}

  // After GROUP BY: expressions must be group keys, aggregates or built from them; the result
  // reads the aggregate's output row. Aggregates found are added to `agg`.
  void bind_after_grouping(aggregate_binding* agg) { agg_ = agg; }
  // Names the clause in "aggregate functions are not allowed in <clause>" errors.
  void forbid_aggregates(const char* clause) { forbidden_clause_ = clause; }

  result<bound_expr> bind(const sql::expr& e);
  // Binds and checks the result is BOOL (or NULL): WHERE, ON, HAVING.
  result<bound_expr> bind_predicate(const sql::expr& e, const char* clause);
  // A value to be stored into `column` (INSERT values, UPDATE SET, DEFAULT): binds, checks
  // assignability (string constants become TIMESTAMP), names the column in errors.
  result<bound_expr> bind_for_column(const sql::expr& e, const column_descriptor& column);

  error error_at(errc code, sql::source_pos pos, std::string_view what) const;

 private:
  result<bound_expr> bind_node(const sql::expr& e);
  result<bound_expr> bind_literal(const sql::literal& l, sql::source_pos pos);
  result<bound_expr> bind_column(const sql::column_ref& c, sql::source_pos pos);
  result<bound_expr> bind_placeholder(const sql::placeholder& p, sql::source_pos pos);
  result<bound_expr> bind_unary(const sql::unary_expr& u, sql::source_pos pos);
  result<bound_expr> bind_binary(const sql::binary_expr& b, sql::source_pos pos);
  result<bound_expr> bind_comparison(sql::binary_op op, bound_expr l, bound_expr r,
                                     sql::source_pos pos);
  result<bound_expr> bind_in(const sql::in_expr& in, sql::source_pos pos);
  result<bound_expr> bind_between(const sql::between_expr& b, sql::source_pos pos);
  result<bound_expr> bind_like(const sql::like_expr& l, sql::source_pos pos);
  result<bound_expr> bind_case(const sql::case_expr& c, sql::source_pos pos);
  result<bound_expr> bind_cast(const sql::cast_expr& c, sql::source_pos pos);
  result<bound_expr> bind_call(const sql::function_call& f, sql::source_pos pos);
  result<bound_expr> bind_scalar_function(const sql::function_call& f, sql::source_pos pos);
  result<bound_expr> bind_coalesce(const sql::function_call& f, sql::source_pos pos);
  result<bound_expr> bind_aggregate(const sql::expr& e, const sql::function_call& f);
  result<bound_expr> bind_grouped(const sql::expr& e);
  status check_boolean(const bound_expr& e, sql::source_pos pos, std::string_view what) const;
  // Converts a text constant to TIMESTAMP when the other side is a TIMESTAMP.
  status coerce_timestamp_constant(bound_expr& e, const sql_type& other) const;
  result<bound_expr> unify(std::vector<bound_expr>& items, sql::source_pos pos,
                           std::string_view what) const;

  const bind_context& ctx_;
  const scope* input_;
  aggregate_binding* agg_ = nullptr;
  const char* forbidden_clause_ = nullptr;
  bool inside_aggregate_ = false;
};

// True when an aggregate function name (count, sum, avg, min, max) is called in `e`.
bool contains_aggregate(const sql::expr& e);
bool is_aggregate_name(std::string_view name);

}  // namespace meridian::query
