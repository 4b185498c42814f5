// The evaluator of bound expressions: a recursive walk over a row with SQL's three-valued
// logic (NULL propagates through operators; AND/OR use Kleene's truth tables; IN with a NULL
// item and no match is NULL). Runtime errors (overflow, division by zero, invalid casts) get
// the position of the operator that raised them. Pure; any thread.
#include "query/bound_expr.hpp"

#include <cctype>

#include "query/query_limits.hpp"
#include "query/value_ops.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {
namespace {

// The error with the statement's line, column and caret when the text is known.
error at(const eval_context& ctx, const bound_expr& e, const error& err) {
  if (ctx.source.empty() || e.pos.offset > ctx.source.size()) return err;
  return sql::make_sql_error(err.code(), ctx.source, e.pos, err.message());
}

// A tri-state truth value: -1 NULL, 0 false, 1 true.
int truth(const datum& d) {
  if (is_null(d)) return -1;
  return std::get<bool>(d) ? 1 : 0;
}

datum from_truth(int t) { return t < 0 ? datum(null_value{}) : datum(t == 1); }

bool compare_holds(sql::binary_op op, int c) {
  switch (op) {
    case sql::binary_op::equal: return c == 0;
    case sql::binary_op::not_equal: return c != 0;
    case sql::binary_op::less: return c < 0;
    case sql::binary_op::less_equal: return c <= 0;
    case sql::binary_op::greater: return c > 0;
    case sql::binary_op::greater_equal: return c >= 0;
    default: MERIDIAN_ASSERT(false, "not a comparison");
  }
  return false;
}

std::string ascii_case(std::string s, bool upper) {
  for (auto& c : s) {
    auto u = static_cast<unsigned char>(c);
    c = static_cast<char>(upper ? std::toupper(u) : std::tolower(u));
  }
  return s;
}

result<datum> eval_logic(const bound_expr& e, const row& input, const eval_context& ctx) {
  auto left = evaluate(e.args[0], input, ctx);
  if (!left) return left;
  int l = truth(*left);
  // Short circuit: FALSE AND x, TRUE OR x (x is still type-checked, never evaluated).
  if (e.kind == expr_kind::and_ && l == 0) return datum(false);
  if (e.kind == expr_kind::or_ && l == 1) return datum(true);
  auto right = evaluate(e.args[1], input, ctx);
  if (!right) return right;
  int r = truth(*right);
  if (e.kind == expr_kind::and_) {
    if (r == 0) return datum(false);
    return from_truth(l == 1 && r == 1 ? 1 : -1);
  }
  if (r == 1) return datum(true);
  return from_truth(l == 0 && r == 0 ? 0 : -1);
}

result<datum> eval_in(const bound_expr& e, const row& input, const eval_context& ctx) {
  auto v = evaluate(e.args[0], input, ctx);
  if (!v) return v;
  if (is_null(*v)) return datum(null_value{});
  bool saw_null = false;
  for (std::size_t i = 1; i < e.args.size(); ++i) {
    auto item = evaluate(e.args[i], input, ctx);
    if (!item) return item;
    if (is_null(*item)) {
      saw_null = true;
    } else if (compare_values(*v, *item) == 0) {
      return datum(!e.negated);
    }
  }
  if (saw_null) return datum(null_value{});
  return datum(e.negated);
}

result<datum> eval_case(const bound_expr& e, const row& input, const eval_context& ctx) {
  std::size_t pairs = (e.args.size() - (e.has_else ? 1 : 0)) / 2;
  for (std::size_t i = 0; i < pairs; ++i) {
    auto cond = evaluate(e.args[2 * i], input, ctx);
    if (!cond) return cond;
    if (truth(*cond) == 1) return evaluate(e.args[2 * i + 1], input, ctx);
  }
  if (e.has_else) return evaluate(e.args.back(), input, ctx);
  return datum(null_value{});
}

result<datum> eval_function(const bound_expr& e, const row& input, const eval_context& ctx) {
  std::vector<datum> args;
  args.reserve(e.args.size());
  for (const auto& a : e.args) {
    auto v = evaluate(a, input, ctx);
    if (!v) return v;
    args.push_back(std::move(*v));
  }
  switch (e.function) {
    case function_id::now: return datum(timestamp_value{ctx.now_micros});
    case function_id::gen_id:
      MERIDIAN_ASSERT(ctx.ids != nullptr, "gen_id() evaluated without a generator");
      return datum(ctx.ids->next(ctx.now_ms));
    default: break;
  }
  if (is_null(args[0])) return datum(null_value{});
  switch (e.function) {
    case function_id::abs: {
      auto r = abs_value(args[0]);
      return r ? r : result<datum>(at(ctx, e, r.err()));
    }
    case function_id::lower: return datum(ascii_case(std::get<std::string>(args[0]), false));
    case function_id::upper: return datum(ascii_case(std::get<std::string>(args[0]), true));
    case function_id::length: return datum(char_length(std::get<std::string>(args[0])));
    case function_id::round: {
      std::int64_t digits = 0;
      if (args.size() > 1) {
        if (is_null(args[1])) return datum(null_value{});
        digits = std::get<std::int64_t>(args[1]);
      }
      auto r = round_value(args[0], digits);
      return r ? r : result<datum>(at(ctx, e, r.err()));
    }
    default: break;
  }
  MERIDIAN_ASSERT(false, "unknown function id");
  return datum(null_value{});
}

result<datum> eval_binary(const bound_expr& e, const row& input, const eval_context& ctx) {
  auto a = evaluate(e.args[0], input, ctx);
  if (!a) return a;
  auto b = evaluate(e.args[1], input, ctx);
  if (!b) return b;
  switch (e.kind) {
    case expr_kind::arithmetic: {
      auto r = arithmetic(e.op, *a, *b);
      if (!r) return at(ctx, e, r.err());
      return r;
    }
    case expr_kind::concat: {
      if (is_null(*a) || is_null(*b)) return datum(null_value{});
      std::string left = value_to_text(*a), right = value_to_text(*b);
      if (left.size() + right.size() > query_limits::max_computed_value_bytes) {
        return at(ctx, e, error(errc::sql_result_too_large,
                                "|| would make a value of " +
                                    std::to_string(left.size() + right.size()) +
                                    " bytes; computed values are limited to " +
                                    std::to_string(query_limits::max_computed_value_bytes >> 20) +
                                    " MiB"));
      }
      return datum(std::move(left) + right);
    }
    case expr_kind::compare:
      if (is_null(*a) || is_null(*b)) return datum(null_value{});
      return datum(compare_holds(e.op, compare_values(*a, *b)));
    case expr_kind::like: {
      if (is_null(*a) || is_null(*b)) return datum(null_value{});
      auto m = like_match(std::get<std::string>(*a), std::get<std::string>(*b));
      if (!m) return at(ctx, e, m.err());
      return datum(*m != e.negated);
    }
    default: break;
  }
  MERIDIAN_ASSERT(false, "not a binary expression");
  return datum(null_value{});
}

}  // namespace

bound_expr bound_expr::constant_of(datum v, sql_type t, sql::source_pos p) {
  bound_expr e;
  e.kind = expr_kind::constant;
  e.value = std::move(v);
  e.type = t;
  e.pos = p;
  return e;
}

bound_expr bound_expr::column_of(int slot, sql_type t, sql::source_pos p) {
  bound_expr e;
  e.kind = expr_kind::column;
  e.slot = slot;
  e.type = t;
  e.pos = p;
  return e;
}

result<datum> evaluate(const bound_expr& e, const row& input, const eval_context& ctx) {
  switch (e.kind) {
    case expr_kind::constant: return e.value;
    case expr_kind::column:
      MERIDIAN_ASSERT(e.slot >= 0 && static_cast<std::size_t>(e.slot) < input.size(),
                      "column slot outside the row");
      return input[static_cast<std::size_t>(e.slot)];
    case expr_kind::negate: {
      auto v = evaluate(e.args[0], input, ctx);
      if (!v) return v;
      auto r = negate(*v);
      if (!r) return at(ctx, e, r.err());
      return r;
    }
    case expr_kind::not_: {
      auto v = evaluate(e.args[0], input, ctx);
      if (!v) return v;
      int t = truth(*v);
      return from_truth(t < 0 ? -1 : 1 - t);
    }
    case expr_kind::and_:
    case expr_kind::or_: return eval_logic(e, input, ctx);
    case expr_kind::is_null: {
      auto v = evaluate(e.args[0], input, ctx);
      if (!v) return v;
      return datum(is_null(*v) != e.negated);
    }
    case expr_kind::in_list: return eval_in(e, input, ctx);
    case expr_kind::case_: return eval_case(e, input, ctx);
    case expr_kind::coalesce:
      for (const auto& a : e.args) {
        auto v = evaluate(a, input, ctx);
        if (!v || !is_null(*v)) return v;
      }
      return datum(null_value{});
    case expr_kind::cast: {
      auto v = evaluate(e.args[0], input, ctx);
      if (!v) return v;
      auto r = cast_value(*v, e.type);
      if (!r) return at(ctx, e, r.err());
      return r;
    }
    case expr_kind::function: return eval_function(e, input, ctx);
    default: return eval_binary(e, input, ctx);
  }
}

result<bool> evaluate_predicate(const bound_expr& e, const row& input, const eval_context& ctx) {
  auto v = evaluate(e, input, ctx);
  if (!v) return v.err();
  return truth(*v) == 1;
}

bool is_constant(const bound_expr& e) {
  if (e.kind == expr_kind::column) return false;
  if (e.kind == expr_kind::function && e.function == function_id::gen_id) return false;
  for (const auto& a : e.args) {
    if (!is_constant(a)) return false;
  }
  return true;
}

bool calls_now(const bound_expr& e) {
  if (e.kind == expr_kind::function && e.function == function_id::now) return true;
  for (const auto& a : e.args) {
    if (calls_now(a)) return true;
  }
  return false;
}

void shift_slots(bound_expr& e, int delta) {
  if (e.kind == expr_kind::column) e.slot += delta;
  for (auto& a : e.args) shift_slots(a, delta);
}

bool same_expr(const bound_expr& a, const bound_expr& b) {
  if (a.kind != b.kind || a.type != b.type || a.slot != b.slot || a.op != b.op ||
      a.function != b.function || a.negated != b.negated || a.has_else != b.has_else ||
      a.args.size() != b.args.size()) {
    return false;
  }
  if (a.kind == expr_kind::constant && !datum_equal(a.value, b.value)) return false;
  for (std::size_t i = 0; i < a.args.size(); ++i) {
    if (!same_expr(a.args[i], b.args[i])) return false;
  }
  return true;
}

void split_conjuncts(bound_expr e, std::vector<bound_expr>& out) {
  if (e.kind == expr_kind::and_) {
    split_conjuncts(std::move(e.args[0]), out);
    split_conjuncts(std::move(e.args[1]), out);
    return;
  }
  out.push_back(std::move(e));
}

}  // namespace meridian::query
