// Access-path selection for one table: the conditions on it are sorted into equalities, IN
// lists and range bounds per column (constant sides evaluated and converted to the column's
// key form), then the cheapest path wins: primary-key points, a unique index point, the
// longest key or index prefix (with a range on the next column), or a full scan. Equalities
// a path consumes exactly leave the filter; range conditions stay in it.
#include <algorithm>

#include "query/keys.hpp"
#include "query/planner.hpp"
#include "query/query_limits.hpp"
#include "query/value_ops.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

namespace codec = storage::codec;

enum class bound_kind : std::uint8_t { equal, in_list, lower, upper };

struct key_condition {
  std::size_t conjunct = 0;
  bound_kind kind = bound_kind::equal;
  bool inclusive = true;
  std::vector<datum> values;  // key values: one for equal/lower/upper, several for in_list
};

struct analysis {
  std::vector<std::vector<key_condition>> by_column;  // per column position
  bool never_true = false;
};

sql::binary_op flip(sql::binary_op op) {
  switch (op) {
    case sql::binary_op::less: return sql::binary_op::greater;
    case sql::binary_op::less_equal: return sql::binary_op::greater_equal;
    case sql::binary_op::greater: return sql::binary_op::less;
    case sql::binary_op::greater_equal: return sql::binary_op::less_equal;
    default: return op;
  }
}

// Fills `cond` from `column op constant`; false when the conjunct cannot serve as a key.
result<bool> analyze_compare(const bound_expr& e, const table_descriptor& t, const plan_context& ctx,
                             int& column, key_condition& cond, bool& never_true) {
  const bound_expr* col = &e.args[0];
  const bound_expr* value = &e.args[1];
  sql::binary_op op = e.op;
  if (col->kind != expr_kind::column) {
    std::swap(col, value);
    op = flip(op);
  }
  if (col->kind != expr_kind::column || !is_constant(*value) || op == sql::binary_op::not_equal) {
    return false;
  }
  const sql_type& type = t.columns[col->slot].type;
  auto v = evaluate(*value, {}, ctx.eval);
  if (!v) return v.err();
  if (is_null(*v)) {
    never_true = true;
    return false;
  }
  if (!key_compatible(value->type, type)) return false;
  column = col->slot;
  cond.values.push_back(key_value(*v, type));
  switch (op) {
    case sql::binary_op::equal: cond.kind = bound_kind::equal; break;
    case sql::binary_op::greater: cond.kind = bound_kind::lower; cond.inclusive = false; break;
    case sql::binary_op::greater_equal: cond.kind = bound_kind::lower; break;
    case sql::binary_op::less: cond.kind = bound_kind::upper; cond.inclusive = false; break;
    default: cond.kind = bound_kind::upper; break;
  }
  return true;
}

result<bool> analyze_in(const bound_expr& e, const table_descriptor& t, const plan_context& ctx,
                        int& column, key_condition& cond, bool& never_true) {
  if (e.negated || e.args[0].kind != expr_kind::column) return false;
  const sql_type& type = t.columns[e.args[0].slot].type;
  for (std::size_t i = 1; i < e.args.size(); ++i) {
    const bound_expr& item = e.args[i];
    if (!is_constant(item) || (!item.type.is_null() && !key_compatible(item.type, type))) return false;
  }
  for (std::size_t i = 1; i < e.args.size(); ++i) {
    auto v = evaluate(e.args[i], {}, ctx.eval);
    if (!v) return v.err();
    if (!is_null(*v)) cond.values.push_back(key_value(*v, type));
  }
  if (cond.values.empty()) {
    never_true = true;
    return false;
  }
  std::sort(cond.values.begin(), cond.values.end(),
            [](const datum& a, const datum& b) { return compare(a, b) < 0; });
  cond.values.erase(std::unique(cond.values.begin(), cond.values.end(),
                                [](const datum& a, const datum& b) { return compare(a, b) == 0; }),
                    cond.values.end());
  cond.kind = cond.values.size() == 1 ? bound_kind::equal : bound_kind::in_list;
  column = e.args[0].slot;
  return true;
}

result<analysis> analyze(const std::vector<bound_expr>& conds, const table_descriptor& t,
                         const plan_context& ctx) {
  analysis out;
  out.by_column.resize(t.columns.size());
  for (std::size_t i = 0; i < conds.size(); ++i) {
    const bound_expr& e = conds[i];
    key_condition cond;
    cond.conjunct = i;
    int column = -1;
    result<bool> usable = false;
    if (e.kind == expr_kind::compare) {
      usable = analyze_compare(e, t, ctx, column, cond, out.never_true);
    } else if (e.kind == expr_kind::in_list) {
      usable = analyze_in(e, t, ctx, column, cond, out.never_true);
    }
    if (!usable) return usable.err();
    if (*usable) out.by_column[column].push_back(std::move(cond));
  }
  return out;
}

const key_condition* find(const analysis& a, int column, bound_kind kind) {
  for (const auto& c : a.by_column[column]) {
    if (c.kind == kind) return &c;
  }
  return nullptr;
}

// A candidate path over `columns` (primary key or index columns) below `base`.
struct candidate {
  std::vector<int> columns;
  std::string base;
  std::optional<index_descriptor> index;
  std::size_t equal_prefix = 0;
  const key_condition* lower = nullptr;
  const key_condition* upper = nullptr;
  int score() const {
    return static_cast<int>(equal_prefix) * 2 + ((lower || upper) ? 1 : 0);
  }
};

candidate make_candidate(const analysis& a, std::vector<int> columns, std::string base,
                         std::optional<index_descriptor> index) {
  candidate c{std::move(columns), std::move(base), std::move(index)};
  while (c.equal_prefix < c.columns.size() &&
         find(a, c.columns[c.equal_prefix], bound_kind::equal) != nullptr) {
    ++c.equal_prefix;
  }
  if (c.equal_prefix < c.columns.size()) {
    c.lower = find(a, c.columns[c.equal_prefix], bound_kind::lower);
    c.upper = find(a, c.columns[c.equal_prefix], bound_kind::upper);
  }
  return c;
}

// Moves the conditions a path consumed into key_conditions (EXPLAIN shows them), copies the
// shown-but-rechecked ones (ranges) there too, and leaves the rest as the filter.
void take_conditions(table_access& access, std::vector<bound_expr>& conds,
                     std::vector<std::size_t> consumed, const std::vector<std::size_t>& shown) {
  std::sort(consumed.begin(), consumed.end());
  auto is_consumed = [&](std::size_t i) {
    return std::binary_search(consumed.begin(), consumed.end(), i);
  };
  for (auto i : shown) {
    if (is_consumed(i)) {
      access.key_conditions.push_back(std::move(conds[i]));
    } else {
      access.key_conditions.push_back(conds[i]);
    }
  }
  for (std::size_t i = 0; i < conds.size(); ++i) {
    if (!is_consumed(i)) access.filter.push_back(std::move(conds[i]));
  }
}

void use_candidate(table_access& access, const candidate& c, std::vector<bound_expr>& conds,
                   const analysis& a) {
  std::string prefix = c.base;
  std::vector<std::size_t> consumed, shown;
  for (std::size_t i = 0; i < c.equal_prefix; ++i) {
    const key_condition* eq = find(a, c.columns[i], bound_kind::equal);
    codec::append(prefix, eq->values[0]);
    consumed.push_back(eq->conjunct);
    shown.push_back(eq->conjunct);
  }
  access.index = c.index;
  if (c.index && c.index->unique && c.equal_prefix == c.columns.size()) {
    access.kind = access_kind::index_point;
    access.keys.push_back(prefix);
  } else {
    access.kind = c.index ? access_kind::index_scan : access_kind::range_scan;
    access.start = prefix;
    access.end = codec::prefix_end(prefix);
    if (c.lower || c.upper) {
      // A range condition never holds for NULL, so the scan starts after the NULL entries.
      std::string after_nulls = prefix;
      codec::append(after_nulls, datum(null_value{}));
      access.start = codec::prefix_end(after_nulls);
    }
    if (c.lower) {
      std::string k = prefix;
      codec::append(k, c.lower->values[0]);
      access.start = c.lower->inclusive ? k : codec::prefix_end(k);
      shown.push_back(c.lower->conjunct);
    }
    if (c.upper) {
      std::string k = prefix;
      codec::append(k, c.upper->values[0]);
      access.end = c.upper->inclusive ? codec::prefix_end(k) : k;
      shown.push_back(c.upper->conjunct);
    }
  }
  take_conditions(access, conds, consumed, shown);
}

// Primary-key points when every key column has an equality or IN list.
bool try_point_get(table_access& access, const table_descriptor& t, std::vector<bound_expr>& conds,
                   const analysis& a) {
  std::vector<const key_condition*> parts;
  std::size_t combinations = 1;
  for (int p : t.primary_key_positions()) {
    const key_condition* c = find(a, p, bound_kind::equal);
    if (c == nullptr) c = find(a, p, bound_kind::in_list);
    if (c == nullptr) return false;
    combinations *= c->values.size();
    if (combinations > query_limits::max_point_keys) return false;
    parts.push_back(c);
  }
  std::vector<std::string> keys{keys::row_prefix(t.id)};
  std::vector<std::size_t> consumed;
  for (const auto* part : parts) {
    std::vector<std::string> next;
    for (const auto& k : keys) {
      for (const auto& v : part->values) {
        std::string key = k;
        codec::append(key, v);
        next.push_back(std::move(key));
      }
    }
    keys = std::move(next);
    consumed.push_back(part->conjunct);
  }
  access.kind = access_kind::point_get;
  access.keys = std::move(keys);
  take_conditions(access, conds, consumed, consumed);
  return true;
}

}  // namespace

bool key_compatible(const sql_type& value, const sql_type& column) {
  switch (column.id) {
    case type_id::bigint: return value.id == type_id::bigint;
    case type_id::decimal: return value.id == type_id::bigint || value.id == type_id::decimal;
    case type_id::double_: return value.is_numeric();
    case type_id::text:
    case type_id::varchar: return value.is_text();
    default: return value.id == column.id;
  }
}

datum key_value(const datum& value, const sql_type& column) {
  if (column.id == type_id::double_ && !std::holds_alternative<double>(value)) {
    return *cast_value(value, sql_type::double_());
  }
  if (column.id == type_id::decimal && std::holds_alternative<std::int64_t>(value)) {
    return decimal::from_int(std::get<std::int64_t>(value));
  }
  return value;
}

result<table_access> choose_access(const scope_table& table, std::vector<bound_expr> conds,
                                   const plan_context& ctx) {
  const table_descriptor& t = *table.table;
  table_access access;
  access.source = table;
  auto a = analyze(conds, t, ctx);
  if (!a) return a.err();
  if (a->never_true) {
    access.kind = access_kind::point_get;
    access.empty = true;
    access.filter = std::move(conds);
    return access;
  }
  if (try_point_get(access, t, conds, *a)) return access;
  std::vector<candidate> candidates;
  candidates.push_back(make_candidate(*a, t.primary_key_positions(), keys::row_prefix(t.id), {}));
  for (const auto& ix : t.indexes) {
    if (ix.state != index_state::public_) continue;
    candidate c = make_candidate(*a, t.index_positions(ix), keys::index_prefix(t.id, ix.id), ix);
    if (ix.unique && c.equal_prefix == c.columns.size()) {
      use_candidate(access, c, conds, *a);
      return access;
    }
    candidates.push_back(std::move(c));
  }
  const candidate* best = &candidates[0];
  for (const auto& c : candidates) {
    if (c.score() > best->score()) best = &c;
  }
  if (best->score() == 0) {
    access.kind = access_kind::full_scan;
    access.start = keys::row_prefix(t.id);
    access.end = codec::prefix_end(access.start);
    access.filter = std::move(conds);
    return access;
  }
  use_candidate(access, *best, conds, *a);
  return access;
}

}  // namespace meridian::query
