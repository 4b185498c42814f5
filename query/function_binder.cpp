// Function calls in the expression binder: the scalar functions (abs, lower, upper, length,
// round, coalesce, now, gen_id), the aggregates (count, sum, avg, min, max, with DISTINCT),
// and the mapping of expressions onto the aggregate's output row after GROUP BY.
#include "query/expr_binder.hpp"

#include <algorithm>

#include "query/type_rules.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {
namespace {

constexpr const char* supported_functions =
    "abs, coalesce, gen_id, length, lower, now, round, upper; aggregates count, sum, avg, min, "
    "max";

struct scalar_signature {
  std::string_view name;
  function_id id;
  std::size_t min_args;
  std::size_t max_args;
};

constexpr scalar_signature scalar_functions[] = {
    {"abs", function_id::abs, 1, 1},       {"lower", function_id::lower, 1, 1},
    {"upper", function_id::upper, 1, 1},   {"length", function_id::length, 1, 1},
    {"round", function_id::round, 1, 2},   {"now", function_id::now, 0, 0},
    {"gen_id", function_id::gen_id, 0, 0},
};

aggregate_fn aggregate_of(std::string_view name) {
  if (name == "count") return aggregate_fn::count;
  if (name == "sum") return aggregate_fn::sum;
  if (name == "avg") return aggregate_fn::avg;
  if (name == "min") return aggregate_fn::min;
  return aggregate_fn::max;
}

// The result type of an aggregate over `arg`, or nullopt when the argument type is wrong.
std::optional<sql_type> aggregate_type(aggregate_fn fn, const sql_type& arg) {
  switch (fn) {
    case aggregate_fn::count: return sql_type::bigint();
    case aggregate_fn::sum:
      if (arg.id == type_id::decimal) return sql_type::decimal(decimal::max_precision, arg.scale);
      if (arg.is_numeric() || arg.is_null()) return arg.is_null() ? sql_type::bigint() : arg;
      return std::nullopt;
    case aggregate_fn::avg:
      if (!arg.is_numeric() && !arg.is_null()) return std::nullopt;
      // The average of integers is exact: a DECIMAL with division_extra_scale digits.
      if (arg.id == type_id::double_) return sql_type::double_();
      return arithmetic_type(sql::binary_op::divide,
                             arg.id == type_id::decimal ? arg : sql_type::decimal(38, 0),
                             sql_type::bigint());
    case aggregate_fn::min:
    case aggregate_fn::max: return arg.is_text() ? sql_type::text() : arg;
  }
  return std::nullopt;
}

}  // namespace

result<bound_expr> expr_binder::bind_call(const sql::function_call& f, sql::source_pos pos) {
  if (is_aggregate_name(f.name)) {
    std::string where = forbidden_clause_ != nullptr ? forbidden_clause_ : "this clause";
    return error_at(errc::sql_syntax, pos,
                    "aggregate function " + f.name + "() is not allowed in " + where);
  }
  if (f.distinct || f.star) {
    return error_at(errc::sql_syntax, pos,
                    std::string(f.star ? "*" : "DISTINCT") + " is only allowed in aggregates, not " +
                        f.name + "()");
  }
  if (f.name == "coalesce") return bind_coalesce(f, pos);
  return bind_scalar_function(f, pos);
}

result<bound_expr> expr_binder::bind_scalar_function(const sql::function_call& f,
                                                     sql::source_pos pos) {
  const scalar_signature* sig = nullptr;
  for (const auto& s : scalar_functions) {
    if (s.name == f.name) sig = &s;
  }
  if (sig == nullptr) {
    return error_at(errc::sql_unsupported, pos,
                    "unknown function " + f.name + "() (supported: " + supported_functions + ")");
  }
  if (f.args.size() < sig->min_args || f.args.size() > sig->max_args) {
    return error_at(errc::sql_type_mismatch, pos,
                    f.name + "() takes " + std::to_string(sig->min_args) +
                        (sig->max_args != sig->min_args ? " or " + std::to_string(sig->max_args)
                                                        : std::string()) +
                        " arguments, not " + std::to_string(f.args.size()));
  }
  bound_expr out;
  out.kind = expr_kind::function;
  out.function = sig->id;
  out.pos = pos;
  for (const auto& a : f.args) {
    auto b = bind(*a);
    if (!b) return b;
    out.args.push_back(std::move(*b));
  }
  auto arg_type = [&](std::size_t i) { return out.args[i].type; };
  auto wrong = [&](std::size_t i, const char* wanted) {
    return error_at(errc::sql_type_mismatch, f.args[i]->pos,
                    f.name + "() needs " + wanted + ", not " + arg_type(i).to_string());
  };
  switch (sig->id) {
    case function_id::abs:
      if (!arg_type(0).is_numeric() && !arg_type(0).is_null()) return wrong(0, "a number");
      out.type = arg_type(0).is_null() ? sql_type::bigint() : arg_type(0);
      break;
    case function_id::lower:
    case function_id::upper:
    case function_id::length:
      if (!arg_type(0).is_text() && !arg_type(0).is_null()) return wrong(0, "TEXT");
      out.type = sig->id == function_id::length ? sql_type::bigint() : sql_type::text();
      break;
    case function_id::round: {
      if (!arg_type(0).is_numeric() && !arg_type(0).is_null()) return wrong(0, "a number");
      int digits = 0;
      if (out.args.size() == 2) {
        if (out.args[1].kind != expr_kind::constant || out.args[1].type.id != type_id::bigint) {
          return wrong(1, "a BIGINT constant for its digits");
        }
        digits = static_cast<int>(std::clamp<std::int64_t>(std::get<std::int64_t>(out.args[1].value), 0, 38));
      }
      out.type = arg_type(0).id == type_id::decimal ? sql_type::decimal(decimal::max_precision, digits)
                 : arg_type(0).is_null()            ? sql_type::bigint()
                                                    : arg_type(0);
      break;
    }
    case function_id::now: out.type = sql_type::timestamp(); break;
    case function_id::gen_id: out.type = sql_type::bigint(); break;
  }
  return out;
}

result<bound_expr> expr_binder::bind_coalesce(const sql::function_call& f, sql::source_pos pos) {
  if (f.args.empty()) return error_at(errc::sql_type_mismatch, pos, "coalesce() needs arguments");
  std::vector<bound_expr> args;
  for (const auto& a : f.args) {
    auto b = bind(*a);
    if (!b) return b;
    args.push_back(std::move(*b));
  }
  auto common = unify(args, pos, "coalesce()");
  if (!common) return common;
  bound_expr out;
  out.kind = expr_kind::coalesce;
  out.type = common->type;
  out.pos = pos;
  out.args = std::move(args);
  return out;
}

result<bound_expr> expr_binder::bind_aggregate(const sql::expr& e, const sql::function_call& f) {
  aggregate_call call;
  call.fn = aggregate_of(f.name);
  call.star = f.star;
  call.distinct = f.distinct;
  call.text = sql::to_string(e);
  if (f.star && call.fn != aggregate_fn::count) {
    return error_at(errc::sql_syntax, e.pos, f.name + "(*) is not allowed; only count(*)");
  }
  if (!f.star && f.args.size() != 1) {
    return error_at(errc::sql_type_mismatch, e.pos, f.name + "() takes exactly one argument");
  }
  sql_type arg_type = sql_type::null();
  if (!f.star) {
    // The argument reads the input row; an aggregate inside it is an error.
    expr_binder inner(ctx_, input_);
    inner.inside_aggregate_ = true;
    inner.forbidden_clause_ = "the argument of another aggregate";
    auto arg = inner.bind(*f.args[0]);
    if (!arg) return arg;
    arg_type = arg->type;
    call.arg = std::move(*arg);
  }
  auto type = aggregate_type(call.fn, arg_type);
  if (!type) {
    return error_at(errc::sql_type_mismatch, e.pos,
                    f.name + "() needs a number, not " + arg_type.to_string());
  }
  call.type = *type;
  int base = static_cast<int>(agg_->group_keys.size());
  for (std::size_t i = 0; i < agg_->calls.size(); ++i) {
    if (agg_->calls[i].text == call.text) {
      return bound_expr::column_of(base + static_cast<int>(i), call.type, e.pos);
    }
  }
  agg_->calls.push_back(std::move(call));
  return bound_expr::column_of(base + static_cast<int>(agg_->calls.size() - 1), *type, e.pos);
}

result<bound_expr> expr_binder::bind_grouped(const sql::expr& e) {
  if (const auto* f = std::get_if<sql::function_call>(&e.node); f && is_aggregate_name(f->name)) {
    return bind_aggregate(e, *f);
  }
  if (!contains_aggregate(e)) {
    expr_binder plain(ctx_, input_);
    plain.forbidden_clause_ = forbidden_clause_;
    auto b = plain.bind(e);
    if (!b) return b;
    for (std::size_t i = 0; i < agg_->group_keys.size(); ++i) {
      if (same_expr(*b, agg_->group_keys[i])) {
        return bound_expr::column_of(static_cast<int>(i), b->type, e.pos);
      }
    }
    if (is_constant(*b)) return b;
    if (std::holds_alternative<sql::column_ref>(e.node)) {
      return error_at(errc::sql_syntax, e.pos,
                      "column " + sql::to_string(e) +
                          " must appear in GROUP BY or be used in an aggregate function");
    }
  }
  return bind_node(e);
}

}  // namespace meridian::query
