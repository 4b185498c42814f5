// The expression binder; see expr_binder.hpp. One visitor over the AST's expression variants;
// every type error names both types and points at the operator.
#include "query/expr_binder.hpp"

#include <cmath>

#include <cerrno>
#include <cstdlib>

#include "common/time_text.hpp"
#include "query/type_rules.hpp"
#include "query/value_ops.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {
namespace {

bool is_comparison(sql::binary_op op) {
  return op == sql::binary_op::equal || op == sql::binary_op::not_equal ||
         op == sql::binary_op::less || op == sql::binary_op::less_equal ||
         op == sql::binary_op::greater || op == sql::binary_op::greater_equal;
}

bound_expr make_node(expr_kind kind, sql_type type, sql::source_pos pos,
                     std::vector<bound_expr> args) {
  bound_expr e;
  e.kind = kind;
  e.type = type;
  e.pos = pos;
  e.args = std::move(args);
  return e;
}

std::vector<bound_expr> two(bound_expr a, bound_expr b) {
  std::vector<bound_expr> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return v;
}

std::vector<bound_expr> one(bound_expr a) {
  std::vector<bound_expr> v;
  v.push_back(std::move(a));
  return v;
}

// A cast to `to` when the value's representation differs (BIGINT in a DECIMAL branch...).
bound_expr convert(bound_expr e, const sql_type& to) {
  bool same_kind = e.type.id == to.id || (e.type.is_text() && to.is_text());
  bool same_scale = to.id != type_id::decimal || e.type.scale == to.scale;
  if (e.type.is_null() || (same_kind && same_scale)) return e;
  sql::source_pos pos = e.pos;
  return make_node(expr_kind::cast, to, pos, one(std::move(e)));
}

}  // namespace

int scope::width() const {
  int w = 0;
  for (const auto& t : tables) w += static_cast<int>(t.table->columns.size());
  return w;
}

bool is_aggregate_name(std::string_view name) {
  return name == "count" || name == "sum" || name == "avg" || name == "min" || name == "max";
}

bool contains_aggregate(const sql::expr& e) {
  struct visitor {
    bool operator()(const sql::literal&) const { return false; }
    bool operator()(const sql::column_ref&) const { return false; }
    bool operator()(const sql::placeholder&) const { return false; }
    bool operator()(const sql::unary_expr& u) const { return contains_aggregate(*u.operand); }
    bool operator()(const sql::binary_expr& b) const {
      return contains_aggregate(*b.left) || contains_aggregate(*b.right);
    }
    bool operator()(const sql::is_null_expr& n) const { return contains_aggregate(*n.operand); }
    bool operator()(const sql::in_expr& in) const {
      if (contains_aggregate(*in.operand)) return true;
      for (const auto& i : in.items) {
        if (contains_aggregate(*i)) return true;
      }
      return false;
    }
    bool operator()(const sql::between_expr& b) const {
      return contains_aggregate(*b.operand) || contains_aggregate(*b.low) ||
             contains_aggregate(*b.high);
    }
    bool operator()(const sql::like_expr& l) const {
      return contains_aggregate(*l.operand) || contains_aggregate(*l.pattern);
    }
    bool operator()(const sql::function_call& f) const {
      if (is_aggregate_name(f.name)) return true;
      for (const auto& a : f.args) {
        if (contains_aggregate(*a)) return true;
      }
      return false;
    }
    bool operator()(const sql::case_expr& c) const {
      if (c.operand && contains_aggregate(*c.operand)) return true;
      if (c.else_result && contains_aggregate(*c.else_result)) return true;
      for (const auto& w : c.whens) {
        if (contains_aggregate(*w.condition) || contains_aggregate(*w.result)) return true;
      }
      return false;
    }
    bool operator()(const sql::cast_expr& c) const { return contains_aggregate(*c.operand); }
  };
  return std::visit(visitor{}, e.node);
}

error expr_binder::error_at(errc code, sql::source_pos pos, std::string_view what) const {
  return sql::make_sql_error(code, ctx_.source, pos, what);
}

result<bound_expr> expr_binder::bind(const sql::expr& e) {
  if (agg_ != nullptr && !inside_aggregate_) return bind_grouped(e);
  return bind_node(e);
}

result<bound_expr> expr_binder::bind_predicate(const sql::expr& e, const char* clause) {
  auto b = bind(e);
  if (!b) return b;
  MERIDIAN_TRY(check_boolean(*b, e.pos, clause));
  return b;
}

result<bound_expr> expr_binder::bind_for_column(const sql::expr& e,
                                                const column_descriptor& column) {
  auto b = bind(e);
  if (!b) return b;
  MERIDIAN_TRY(coerce_timestamp_constant(*b, column.type));
  if (!assignable(b->type, column.type)) {
    return error_at(errc::sql_type_mismatch, e.pos,
                    "column " + column.name + " is " + column.type.to_string() +
                        " but the value is " + b->type.to_string() + " (use CAST)");
  }
  return b;
}

result<bound_expr> expr_binder::bind_node(const sql::expr& e) {
  return std::visit(
      [&](const auto& n) -> result<bound_expr> {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, sql::literal>) return bind_literal(n, e.pos);
        if constexpr (std::is_same_v<T, sql::column_ref>) return bind_column(n, e.pos);
        if constexpr (std::is_same_v<T, sql::placeholder>) return bind_placeholder(n, e.pos);
        if constexpr (std::is_same_v<T, sql::unary_expr>) return bind_unary(n, e.pos);
        if constexpr (std::is_same_v<T, sql::binary_expr>) return bind_binary(n, e.pos);
        if constexpr (std::is_same_v<T, sql::is_null_expr>) {
          auto operand = bind(*n.operand);
          if (!operand) return operand;
          auto out = make_node(expr_kind::is_null, sql_type::boolean(), e.pos,
                               one(std::move(*operand)));
          out.negated = n.negated;
          return out;
        }
        if constexpr (std::is_same_v<T, sql::in_expr>) return bind_in(n, e.pos);
        if constexpr (std::is_same_v<T, sql::between_expr>) return bind_between(n, e.pos);
        if constexpr (std::is_same_v<T, sql::like_expr>) return bind_like(n, e.pos);
        if constexpr (std::is_same_v<T, sql::function_call>) {
          if (is_aggregate_name(n.name) && agg_ != nullptr && !inside_aggregate_) {
            return bind_aggregate(e, n);
          }
          return bind_call(n, e.pos);
        }
        if constexpr (std::is_same_v<T, sql::case_expr>) return bind_case(n, e.pos);
        if constexpr (std::is_same_v<T, sql::cast_expr>) return bind_cast(n, e.pos);
      },
      e.node);
}

result<bound_expr> expr_binder::bind_literal(const sql::literal& l, sql::source_pos pos) {
  switch (l.kind) {
    case sql::literal_kind::null: return bound_expr::constant_of(null_value{}, sql_type::null(), pos);
    case sql::literal_kind::boolean:
      return bound_expr::constant_of(l.text == "TRUE", sql_type::boolean(), pos);
    case sql::literal_kind::integer: {
      errno = 0;
      long long v = std::strtoll(l.text.c_str(), nullptr, 10);
      if (errno == ERANGE) {
        // Past BIGINT an integer is a DECIMAL, as in PostgreSQL (which makes it numeric): a
        // DECIMAL(38,0) column takes 38-digit literals.
        auto d = decimal::parse(l.text);
        if (!d) {
          return error_at(errc::sql_out_of_range, pos,
                          "integer " + l.text + " is out of range for BIGINT and for DECIMAL(" +
                              std::to_string(decimal::max_precision) + ")");
        }
        return bound_expr::constant_of(*d, sql_type::decimal(decimal::max_precision, 0), pos);
      }
      return bound_expr::constant_of(static_cast<std::int64_t>(v), sql_type::bigint(), pos);
    }
    case sql::literal_kind::exact_numeric: {
      auto d = decimal::parse(l.text);
      if (!d) return error_at(d.err().code(), pos, d.err().message());
      int scale = d->scale();
      return bound_expr::constant_of(*d, sql_type::decimal(decimal::max_precision, scale), pos);
    }
    case sql::literal_kind::float_number: {
      auto v = cast_value(datum(l.text), sql_type::double_());
      if (!v && v.err().code() != errc::sql_out_of_range) {
        return error_at(v.err().code(), pos, v.err().message());
      }
      if (const auto* d = v ? std::get_if<double>(&*v) : nullptr; !v || (d && std::isinf(*d))) {
        return error_at(errc::sql_out_of_range, pos,
                        "number " + l.text + " is out of range for DOUBLE");
      }
      return bound_expr::constant_of(std::move(*v), sql_type::double_(), pos);
    }
    case sql::literal_kind::string:
      return bound_expr::constant_of(l.text, sql_type::text(), pos);
    case sql::literal_kind::timestamp: {
      auto t = parse_timestamp(l.text);
      if (!t) return error_at(t.err().code(), pos, t.err().message());
      return bound_expr::constant_of(timestamp_value{*t}, sql_type::timestamp(), pos);
    }
  }
  return error_at(errc::internal, pos, "unknown literal kind");
}

result<bound_expr> expr_binder::bind_column(const sql::column_ref& c, sql::source_pos pos) {
  auto shown = [&c]() { return c.table.empty() ? c.column : c.table + "." + c.column; };
  if (input_ == nullptr) {
    return error_at(errc::sql_unknown_column, pos,
                    "column " + shown() + " does not exist (the statement reads no table)");
  }
  bool table_found = c.table.empty();
  std::optional<bound_expr> found;
  for (const auto& t : input_->tables) {
    if (!c.table.empty() && t.alias != c.table) continue;
    table_found = true;
    int p = t.table->column_position(c.column);
    if (p < 0 || t.table->columns[p].hidden) continue;
    if (found) {
      return error_at(errc::sql_ambiguous_column, pos,
                      "column " + c.column + " is ambiguous: qualify it with a table name");
    }
    found = bound_expr::column_of(t.first_slot + p, t.table->columns[p].type, pos);
  }
  if (!table_found) {
    return error_at(errc::sql_unknown_table, pos,
                    "table " + c.table + " is not in the FROM clause");
  }
  if (!found) return error_at(errc::sql_unknown_column, pos, "column " + shown() + " does not exist");
  return std::move(*found);
}

result<bound_expr> expr_binder::bind_placeholder(const sql::placeholder& p, sql::source_pos pos) {
  std::size_t given = ctx_.params == nullptr ? 0 : ctx_.params->size();
  if (p.index > given) {
    return error_at(errc::invalid_argument, pos,
                    "no value for placeholder $" + std::to_string(p.index) + " (" +
                        std::to_string(given) + " parameters given)");
  }
  datum v = (*ctx_.params)[p.index - 1];
  if (const auto* u = std::get_if<std::uint64_t>(&v)) {
    if (*u > static_cast<std::uint64_t>(INT64_MAX)) {
      return error_at(errc::sql_out_of_range, pos,
                      "parameter $" + std::to_string(p.index) + " is out of range for BIGINT");
    }
    v = static_cast<std::int64_t>(*u);
  }
  auto type = type_of_value(v);
  if (!type) {
    return error_at(errc::sql_unsupported, pos,
                    "parameter $" + std::to_string(p.index) + " has a type SQL does not support");
  }
  return bound_expr::constant_of(std::move(v), *type, pos);
}

result<bound_expr> expr_binder::bind_unary(const sql::unary_expr& u, sql::source_pos pos) {
  auto operand = bind(*u.operand);
  if (!operand) return operand;
  if (u.op == sql::unary_op::not_) {
    MERIDIAN_TRY(check_boolean(*operand, pos, "NOT"));
    return make_node(expr_kind::not_, sql_type::boolean(), pos, one(std::move(*operand)));
  }
  if (!operand->type.is_numeric() && !operand->type.is_null()) {
    return error_at(errc::sql_type_mismatch, pos,
                    std::string("unary ") + (u.op == sql::unary_op::negate ? "-" : "+") +
                        " needs a number, not " + operand->type.to_string());
  }
  if (u.op == sql::unary_op::plus) return operand;
  sql_type t = operand->type;
  return make_node(expr_kind::negate, t, pos, one(std::move(*operand)));
}

result<bound_expr> expr_binder::bind_binary(const sql::binary_expr& b, sql::source_pos pos) {
  auto l = bind(*b.left);
  if (!l) return l;
  auto r = bind(*b.right);
  if (!r) return r;
  if (b.op == sql::binary_op::and_ || b.op == sql::binary_op::or_) {
    MERIDIAN_TRY(check_boolean(*l, pos, sql::binary_spelling(b.op)));
    MERIDIAN_TRY(check_boolean(*r, pos, sql::binary_spelling(b.op)));
    return make_node(b.op == sql::binary_op::and_ ? expr_kind::and_ : expr_kind::or_,
                     sql_type::boolean(), pos, two(std::move(*l), std::move(*r)));
  }
  if (is_comparison(b.op)) return bind_comparison(b.op, std::move(*l), std::move(*r), pos);
  if (b.op == sql::binary_op::concat) {
    if (!(l->type.is_text() || r->type.is_text() || (l->type.is_null() && r->type.is_null()))) {
      return error_at(errc::sql_type_mismatch, pos,
                      "operator || needs TEXT on at least one side, not " +
                          l->type.to_string() + " and " + r->type.to_string());
    }
    return make_node(expr_kind::concat, sql_type::text(), pos, two(std::move(*l), std::move(*r)));
  }
  auto t = arithmetic_type(b.op, l->type, r->type);
  if (!t) {
    return error_at(errc::sql_type_mismatch, pos,
                    "operator " + std::string(sql::binary_spelling(b.op)) + " cannot be applied to " +
                        l->type.to_string() + " and " + r->type.to_string());
  }
  auto out = make_node(expr_kind::arithmetic, *t, pos, two(std::move(*l), std::move(*r)));
  out.op = b.op;
  return out;
}

result<bound_expr> expr_binder::bind_comparison(sql::binary_op op, bound_expr l, bound_expr r,
                                                sql::source_pos pos) {
  MERIDIAN_TRY(coerce_timestamp_constant(l, r.type));
  MERIDIAN_TRY(coerce_timestamp_constant(r, l.type));
  if (!comparable(l.type, r.type)) {
    return error_at(errc::sql_type_mismatch, pos,
                    "cannot compare " + l.type.to_string() + " with " + r.type.to_string() +
                        " (operator " + std::string(sql::binary_spelling(op)) + ")");
  }
  auto out = make_node(expr_kind::compare, sql_type::boolean(), pos, two(std::move(l), std::move(r)));
  out.op = op;
  return out;
}

status expr_binder::check_boolean(const bound_expr& e, sql::source_pos pos,
                                  std::string_view what) const {
  if (e.type.id == type_id::boolean || e.type.is_null()) return ok_status();
  return error_at(errc::sql_type_mismatch, pos,
                  std::string(what) + " needs BOOL, not " + e.type.to_string());
}

status expr_binder::coerce_timestamp_constant(bound_expr& e, const sql_type& other) const {
  if (other.id != type_id::timestamp || e.kind != expr_kind::constant || !e.type.is_text()) {
    return ok_status();
  }
  auto t = parse_timestamp(std::get<std::string>(e.value));
  if (!t) return error_at(t.err().code(), e.pos, t.err().message());
  e = bound_expr::constant_of(timestamp_value{*t}, sql_type::timestamp(), e.pos);
  return ok_status();
}

result<bound_expr> expr_binder::bind_in(const sql::in_expr& in, sql::source_pos pos) {
  auto operand = bind(*in.operand);
  if (!operand) return operand;
  std::vector<bound_expr> args;
  args.push_back(std::move(*operand));
  for (const auto& item : in.items) {
    auto v = bind(*item);
    if (!v) return v;
    MERIDIAN_TRY(coerce_timestamp_constant(*v, args[0].type));
    if (!comparable(args[0].type, v->type)) {
      return error_at(errc::sql_type_mismatch, item->pos,
                      "IN list item is " + v->type.to_string() + " but the value is " +
                          args[0].type.to_string());
    }
    args.push_back(std::move(*v));
  }
  auto out = make_node(expr_kind::in_list, sql_type::boolean(), pos, std::move(args));
  out.negated = in.negated;
  return out;
}

result<bound_expr> expr_binder::bind_between(const sql::between_expr& b, sql::source_pos pos) {
  auto x = bind(*b.operand);
  if (!x) return x;
  auto low = bind(*b.low);
  if (!low) return low;
  auto high = bind(*b.high);
  if (!high) return high;
  bound_expr x_copy = *x;
  auto ge = bind_comparison(sql::binary_op::greater_equal, std::move(*x), std::move(*low), pos);
  if (!ge) return ge;
  auto le = bind_comparison(sql::binary_op::less_equal, std::move(x_copy), std::move(*high), pos);
  if (!le) return le;
  auto both = make_node(expr_kind::and_, sql_type::boolean(), pos, two(std::move(*ge), std::move(*le)));
  if (!b.negated) return both;
  return make_node(expr_kind::not_, sql_type::boolean(), pos, one(std::move(both)));
}

result<bound_expr> expr_binder::bind_like(const sql::like_expr& l, sql::source_pos pos) {
  auto text = bind(*l.operand);
  if (!text) return text;
  auto pattern = bind(*l.pattern);
  if (!pattern) return pattern;
  for (const auto* side : {&*text, &*pattern}) {
    if (!side->type.is_text() && !side->type.is_null()) {
      return error_at(errc::sql_type_mismatch, pos,
                      "LIKE needs TEXT operands, not " + side->type.to_string());
    }
  }
  auto out = make_node(expr_kind::like, sql_type::boolean(), pos,
                       two(std::move(*text), std::move(*pattern)));
  out.negated = l.negated;
  return out;
}

result<bound_expr> expr_binder::unify(std::vector<bound_expr>& items, sql::source_pos pos,
                                      std::string_view what) const {
  // Text constants among TIMESTAMP branches are timestamps, as in comparisons.
  for (const auto& item : items) {
    if (item.type.id != type_id::timestamp) continue;
    for (auto& other : items) MERIDIAN_TRY(coerce_timestamp_constant(other, item.type));
    break;
  }
  sql_type common = sql_type::null();
  for (const auto& item : items) {
    auto c = common_type(common, item.type);
    if (!c) {
      return error_at(errc::sql_type_mismatch, item.pos,
                      std::string(what) + " mixes " + common.to_string() + " and " +
                          item.type.to_string());
    }
    common = *c;
  }
  for (auto& item : items) item = convert(std::move(item), common);
  return bound_expr::constant_of(null_value{}, common, pos);
}

result<bound_expr> expr_binder::bind_case(const sql::case_expr& c, sql::source_pos pos) {
  std::optional<bound_expr> operand;
  if (c.operand) {
    auto o = bind(*c.operand);
    if (!o) return o;
    operand = std::move(*o);
  }
  std::vector<bound_expr> conditions, results;
  for (const auto& w : c.whens) {
    auto cond = bind(*w.condition);
    if (!cond) return cond;
    if (operand) {
      auto eq = bind_comparison(sql::binary_op::equal, *operand, std::move(*cond), w.condition->pos);
      if (!eq) return eq;
      conditions.push_back(std::move(*eq));
    } else {
      MERIDIAN_TRY(check_boolean(*cond, w.condition->pos, "WHEN"));
      conditions.push_back(std::move(*cond));
    }
    auto res = bind(*w.result);
    if (!res) return res;
    results.push_back(std::move(*res));
  }
  if (c.else_result) {
    auto e = bind(*c.else_result);
    if (!e) return e;
    results.push_back(std::move(*e));
  }
  auto common = unify(results, pos, "CASE");
  if (!common) return common;
  std::vector<bound_expr> args;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    args.push_back(std::move(conditions[i]));
    args.push_back(std::move(results[i]));
  }
  if (c.else_result) args.push_back(std::move(results.back()));
  auto out = make_node(expr_kind::case_, common->type, pos, std::move(args));
  out.has_else = c.else_result != nullptr;
  return out;
}

result<bound_expr> expr_binder::bind_cast(const sql::cast_expr& c, sql::source_pos pos) {
  auto operand = bind(*c.operand);
  if (!operand) return operand;
  sql_type to = sql_type::from_ast(c.type);
  if (!castable(operand->type, to)) {
    return error_at(errc::sql_type_mismatch, pos,
                    "cannot cast " + operand->type.to_string() + " to " + to.to_string());
  }
  return make_node(expr_kind::cast, to, pos, one(std::move(*operand)));
}

}  // namespace meridian::query
