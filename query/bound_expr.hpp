// Bound expressions: what the binder makes of an AST expression once names are resolved to
// row slots, placeholders to their values, and types checked. The evaluator walks them over a
// row. Value semantics (children by value), so the planner may copy and rewrite them; the
// tree height is the AST's, which the parser bounds, so recursion is safe.
// Plain data plus pure functions; any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/id_generator.hpp"
#include "query/row_codec.hpp"
#include "query/sql_type.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::query {

enum class expr_kind : std::uint8_t {
  constant,
  column,      // slot
  negate,      // args[0]
  not_,        // args[0]
  arithmetic,  // op, args[0..1]
  concat,      // args[0..1], both converted to text
  compare,     // op, args[0..1]
  and_,        // args[0..1]
  or_,         // args[0..1]
  is_null,     // args[0]; negated: IS NOT NULL
  in_list,     // args[0] IN args[1..]; negated: NOT IN
  like,        // args[0] LIKE args[1]; negated: NOT LIKE
  case_,       // args: cond1, result1, cond2, result2, ... [, else]; has_else
  coalesce,    // args
  cast,        // args[0] to `type`
  function,    // function(args)
};

enum class function_id : std::uint8_t { abs, lower, upper, length, round, now, gen_id };

struct bound_expr {
  expr_kind kind = expr_kind::constant;
  sql_type type;
  datum value;  // constant
  int slot = -1;  // column: position in the input row
  sql::binary_op op = sql::binary_op::add;
  function_id function = function_id::abs;
  bool negated = false;
  bool has_else = false;
  sql::source_pos pos;  // where runtime errors point
  std::vector<bound_expr> args;

  static bound_expr constant_of(datum v, sql_type t, sql::source_pos p = {});
  static bound_expr column_of(int slot, sql_type t, sql::source_pos p = {});
};

// What evaluation needs besides the row.
struct eval_context {
  std::string_view source;       // the statement's text, for error positions (may be empty)
  std::int64_t now_micros = 0;   // now(): the transaction's start time
  std::uint64_t now_ms = 0;      // the same, for gen_id()
  id_generator* ids = nullptr;   // gen_id(); null where ids cannot be generated
};

result<datum> evaluate(const bound_expr& e, const row& input, const eval_context& ctx);
// TRUE -> true; FALSE and NULL -> false (WHERE, ON, HAVING keep only TRUE).
result<bool> evaluate_predicate(const bound_expr& e, const row& input, const eval_context& ctx);

// True when the expression reads no column and no generated id: a value fixed for the
// statement (constants, parameters, now()).
bool is_constant(const bound_expr& e);
// True when the expression calls now() anywhere.
bool calls_now(const bound_expr& e);
// Calls f(slot) for every column the expression reads.
template <class F>
void for_each_slot(const bound_expr& e, F&& f) {
  if (e.kind == expr_kind::column) f(e.slot);
  for (const auto& a : e.args) for_each_slot(a, f);
}
// Adds `delta` to every column slot (to move an expression between row layouts).
void shift_slots(bound_expr& e, int delta);
// Structural equality (same kinds, slots, constants and types).
bool same_expr(const bound_expr& a, const bound_expr& b);
// Splits a conjunction into its conjuncts.
void split_conjuncts(bound_expr e, std::vector<bound_expr>& out);

}  // namespace meridian::query
