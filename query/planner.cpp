// Statement planning: conditions are pushed to the tables they read, each table gets an access
// path (access_planner.cpp), and each join picks the cheapest method the ON/WHERE equalities
// allow: a lookup of the inner table by its primary key or an index when the outer row
// supplies the key, else a hash join on the equalities, else a nested loop.
#include "query/planner.hpp"

#include <algorithm>

#include "query/type_rules.hpp"

namespace meridian::query {
namespace {

int table_of_slot(const scope& s, int slot) {
  for (std::size_t i = s.tables.size(); i-- > 0;) {
    if (slot >= s.tables[i].first_slot) return static_cast<int>(i);
  }
  return 0;
}

// Bit i set when the expression reads table i (joins are bounded far below 64 tables by the
// statement size in practice; larger scopes fall back to "reads everything").
std::uint64_t tables_read(const scope& s, const bound_expr& e) {
  std::uint64_t mask = 0;
  for_each_slot(e, [&](int slot) {
    int t = table_of_slot(s, slot);
    mask |= t < 64 ? (std::uint64_t{1} << t) : ~std::uint64_t{0};
  });
  return mask;
}

int highest_table(std::uint64_t mask) { return mask == 0 ? -1 : 63 - __builtin_clzll(mask); }

struct join_equality {
  bound_expr outer;  // over the outer row
  bound_expr inner;  // over the combined row, reading only the inner table
  std::size_t conjunct = 0;
};

std::vector<join_equality> join_equalities(const scope& s, int inner_table,
                                           const std::vector<bound_expr>& conds) {
  std::vector<join_equality> out;
  std::uint64_t inner_bit = std::uint64_t{1} << inner_table;
  for (std::size_t i = 0; i < conds.size(); ++i) {
    const bound_expr& c = conds[i];
    if (c.kind != expr_kind::compare || c.op != sql::binary_op::equal) continue;
    std::uint64_t a = tables_read(s, c.args[0]);
    std::uint64_t b = tables_read(s, c.args[1]);
    if (a == inner_bit && b != 0 && (b & inner_bit) == 0) out.push_back({c.args[1], c.args[0], i});
    if (b == inner_bit && a != 0 && (a & inner_bit) == 0) out.push_back({c.args[0], c.args[1], i});
  }
  return out;
}

// The equality giving inner column `slot` a value from the outer row, usable as its key.
const join_equality* outer_value_for(const std::vector<join_equality>& eqs, int slot,
                                     const sql_type& column_type) {
  for (const auto& e : eqs) {
    if (e.inner.kind == expr_kind::column && e.inner.slot == slot &&
        key_compatible(e.outer.type, column_type)) {
      return &e;
    }
  }
  return nullptr;
}

// True when equal keys mean equal values (same type family on both sides), so the lookup
// itself checks the condition.
bool exact_key(const sql_type& value, const sql_type& column) {
  return value.id == column.id || (value.is_text() && column.is_text());
}

// Lookup through `columns` (the primary key or an index): how many leading columns the outer
// row supplies.
// Lookup through `columns` (the primary key or an index): how many leading columns the outer
// row supplies. With `step`, records the key values, and in `consumed` the conditions the
// lookup checks by itself.
std::size_t lookup_prefix(const std::vector<join_equality>& eqs, const scope_table& inner,
                          const std::vector<int>& columns, join_step* step,
                          std::vector<std::size_t>* consumed) {
  std::size_t n = 0;
  for (int p : columns) {
    const sql_type& type = inner.table->columns[p].type;
    const join_equality* e = outer_value_for(eqs, inner.first_slot + p, type);
    if (e == nullptr) break;
    if (step != nullptr) {
      step->lookup_values.push_back(e->outer);
      step->lookup_types.push_back(type);
      if (exact_key(e->outer.type, type)) consumed->push_back(e->conjunct);
    }
    ++n;
  }
  return n;
}

bool try_lookup_join(join_step& step, const scope_table& inner,
                     const std::vector<join_equality>& eqs, std::vector<std::size_t>& consumed) {
  const table_descriptor& t = *inner.table;
  auto pk = t.primary_key_positions();
  if (lookup_prefix(eqs, inner, pk, nullptr, nullptr) == pk.size()) {
    lookup_prefix(eqs, inner, pk, &step, &consumed);
    step.inner.kind = access_kind::point_get;
    return true;
  }
  const index_descriptor* best = nullptr;
  std::size_t best_prefix = 0;
  for (const auto& ix : t.indexes) {
    if (ix.state != index_state::public_) continue;
    std::size_t n = lookup_prefix(eqs, inner, t.index_positions(ix), nullptr, nullptr);
    bool full_unique = ix.unique && n == ix.column_ids.size();
    if (n > best_prefix || (full_unique && n == best_prefix && n > 0)) {
      best = &ix;
      best_prefix = n;
    }
  }
  if (best == nullptr) return false;
  auto positions = t.index_positions(*best);
  positions.resize(best_prefix);
  lookup_prefix(eqs, inner, positions, &step, &consumed);
  step.inner.index = *best;
  step.inner.kind = best->unique && best_prefix == best->column_ids.size()
                        ? access_kind::index_point
                        : access_kind::index_scan;
  return true;
}

result<join_step> plan_join(const scope& s, int i, std::vector<bound_expr> local,
                            std::vector<bound_expr> conds, const plan_context& ctx) {
  const scope_table& inner = s.tables[i];
  join_step step;
  auto eqs = join_equalities(s, i, conds);
  step.inner.source = inner;
  std::vector<std::size_t> consumed;
  if (try_lookup_join(step, inner, eqs, consumed)) {
    step.kind = join_kind::lookup;
    step.inner.filter = std::move(local);
    std::vector<bound_expr> rest;
    for (std::size_t c = 0; c < conds.size(); ++c) {
      if (std::find(consumed.begin(), consumed.end(), c) == consumed.end()) {
        rest.push_back(std::move(conds[c]));
      }
    }
    conds = std::move(rest);
  } else {
    auto access = choose_access(inner, std::move(local), ctx);
    if (!access) return access.err();
    step.inner = std::move(*access);
    for (const auto& e : eqs) {
      auto common = common_type(e.outer.type, e.inner.type);
      if (!common || !comparable(e.outer.type, e.inner.type)) continue;
      step.outer_keys.push_back(e.outer);
      bound_expr in = e.inner;
      shift_slots(in, -inner.first_slot);
      step.inner_keys.push_back(std::move(in));
      step.key_types.push_back(*common);
    }
    step.kind = step.outer_keys.empty() ? join_kind::nested_loop : join_kind::hash;
  }
  step.filter = std::move(conds);
  return step;
}

result<select_plan> plan_select(bound_select q, const plan_context& ctx) {
  select_plan plan;
  const scope& s = q.from;
  if (s.tables.empty()) {
    plan.first.kind = access_kind::no_table;
    plan.constant_filter = std::move(q.conjuncts);
    plan.query = std::move(q);
    return plan;
  }
  std::vector<std::vector<bound_expr>> local(s.tables.size()), joined(s.tables.size());
  for (auto& c : q.conjuncts) {
    std::uint64_t mask = tables_read(s, c);
    int top = std::max(0, highest_table(mask));
    if (mask == 0 || mask == (std::uint64_t{1} << top)) {
      shift_slots(c, -s.tables[top].first_slot);
      local[top].push_back(std::move(c));
    } else {
      joined[top].push_back(std::move(c));
    }
  }
  q.conjuncts.clear();
  auto first = choose_access(s.tables[0], std::move(local[0]), ctx);
  if (!first) return first.err();
  plan.first = std::move(*first);
  for (std::size_t i = 1; i < s.tables.size(); ++i) {
    auto step = plan_join(s, static_cast<int>(i), std::move(local[i]), std::move(joined[i]), ctx);
    if (!step) return step.err();
    plan.joins.push_back(std::move(*step));
  }
  plan.query = std::move(q);
  return plan;
}

}  // namespace

result<statement_plan> plan_statement(bound_statement statement, const plan_context& ctx) {
  statement_plan out;
  if (auto* s = std::get_if<bound_select>(&statement)) {
    auto p = plan_select(std::move(*s), ctx);
    if (!p) return p.err();
    out.node = std::move(*p);
  } else if (auto* ins = std::get_if<bound_insert>(&statement)) {
    out.written.push_back(ins->table);
    out.node = insert_plan{std::move(*ins)};
  } else if (auto* u = std::get_if<bound_update>(&statement)) {
    auto target = choose_access(u->target.tables[0], std::move(u->conjuncts), ctx);
    if (!target) return target.err();
    out.written.push_back(u->target.tables[0].table);
    out.node = update_plan{std::move(*target), std::move(u->assignments)};
  } else {
    auto& d = std::get<bound_delete>(statement);
    auto target = choose_access(d.target.tables[0], std::move(d.conjuncts), ctx);
    if (!target) return target.err();
    out.written.push_back(d.target.tables[0].table);
    out.node = delete_plan{std::move(*target)};
  }
  return out;
}

}  // namespace meridian::query
