// Binding of INSERT, UPDATE and DELETE, plus the statement-level entry points: which tables a
// statement names, and dispatch to the per-statement binders.
#include <set>

#include "query/bound_statement.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {
namespace {

error at(const bind_context& ctx, errc code, sql::source_pos pos, const std::string& what) {
  return sql::make_sql_error(code, ctx.source, pos, what);
}

// The value a column gets when INSERT does not name it.
result<bound_expr> default_for(const column_descriptor& c, const table_descriptor& t,
                               const bind_context& ctx, sql::source_pos pos) {
  bound_expr e;
  switch (c.default_rule) {
    case default_kind::value: return bound_expr::constant_of(c.default_value, c.type, pos);
    case default_kind::now:
    case default_kind::gen_id:
      e.kind = expr_kind::function;
      e.function = c.default_rule == default_kind::now ? function_id::now : function_id::gen_id;
      e.type = c.default_rule == default_kind::now ? sql_type::timestamp() : sql_type::bigint();
      e.pos = pos;
      return e;
    case default_kind::none:
      if (c.hidden) {
        e.kind = expr_kind::function;
        e.function = function_id::gen_id;
        e.type = sql_type::bigint();
        return e;
      }
      if (!c.nullable) {
        return at(ctx, errc::sql_not_null_violation, pos,
                  "column " + c.name + " of table " + t.name +
                      " is NOT NULL and has no default (or DEFAULT NULL): give it a value");
      }
      return bound_expr::constant_of(null_value{}, c.type, pos);
  }
  return e;
}

result<scope> single_table_scope(const sql::identifier& name, const table_map& tables,
                                 const bind_context& ctx) {
  auto t = find_table(tables, name, ctx);
  if (!t) return t.err();
  scope s;
  s.tables.push_back(scope_table{name.value, *t, 0});
  return s;
}

status bind_where(const sql::expr_ptr& where, const bind_context& ctx, const scope& s,
                  std::vector<bound_expr>& out) {
  if (!where) return ok_status();
  expr_binder b(ctx, &s);
  b.forbid_aggregates("WHERE");
  auto w = b.bind_predicate(*where, "WHERE");
  if (!w) return w.err();
  split_conjuncts(std::move(*w), out);
  return ok_status();
}

}  // namespace

result<bound_insert> bind_insert(const sql::insert_stmt& s, const table_map& tables,
                                 const bind_context& ctx) {
  auto t = find_table(tables, s.table, ctx);
  if (!t) return t.err();
  const table_descriptor& table = **t;
  // For each table column, the index of the VALUES entry that sets it, or -1.
  std::vector<int> source(table.columns.size(), -1);
  if (s.columns.empty()) {
    int next = 0;
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (!table.columns[c].hidden) source[c] = next++;
    }
    if (!s.rows.empty() && static_cast<int>(s.rows[0].size()) != next) {
      return at(ctx, errc::sql_syntax, s.table.pos,
                "table " + table.name + " has " + std::to_string(next) + " columns but VALUES has " +
                    std::to_string(s.rows[0].size()) + ": name the columns");
    }
  }
  for (std::size_t i = 0; i < s.columns.size(); ++i) {
    int p = table.column_position(s.columns[i].value);
    if (p < 0 || table.columns[p].hidden) {
      return at(ctx, errc::sql_unknown_column, s.columns[i].pos,
                "column " + s.columns[i].value + " of table " + table.name + " does not exist");
    }
    if (source[p] >= 0) {
      return at(ctx, errc::sql_syntax, s.columns[i].pos,
                "column " + s.columns[i].value + " is named twice");
    }
    source[p] = static_cast<int>(i);
  }
  bound_insert out;
  out.table = *t;
  out.on_conflict_do_nothing = s.on_conflict_do_nothing;
  expr_binder b(ctx, nullptr);
  b.forbid_aggregates("VALUES");
  for (const auto& values : s.rows) {
    std::vector<bound_expr> row;
    row.reserve(table.columns.size());
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      auto e = source[c] >= 0 ? b.bind_for_column(*values[source[c]], table.columns[c])
                              : default_for(table.columns[c], table, ctx, s.table.pos);
      if (!e) return e.err();
      row.push_back(std::move(*e));
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

result<bound_update> bind_update(const sql::update_stmt& s, const table_map& tables,
                                 const bind_context& ctx) {
  auto target = single_table_scope(s.table, tables, ctx);
  if (!target) return target.err();
  bound_update out;
  out.target = std::move(*target);
  const table_descriptor& table = *out.target.tables[0].table;
  expr_binder b(ctx, &out.target);
  b.forbid_aggregates("UPDATE");
  std::set<int> assigned;
  for (const auto& a : s.assignments) {
    int p = table.column_position(a.column.value);
    if (p < 0 || table.columns[p].hidden) {
      return at(ctx, errc::sql_unknown_column, a.column.pos,
                "column " + a.column.value + " of table " + table.name + " does not exist");
    }
    if (!assigned.insert(p).second) {
      return at(ctx, errc::sql_syntax, a.column.pos,
                "column " + a.column.value + " is assigned twice");
    }
    auto v = b.bind_for_column(*a.value, table.columns[p]);
    if (!v) return v.err();
    out.assignments.emplace_back(p, std::move(*v));
  }
  MERIDIAN_TRY(bind_where(s.where, ctx, out.target, out.conjuncts));
  return out;
}

result<bound_delete> bind_delete(const sql::delete_stmt& s, const table_map& tables,
                                 const bind_context& ctx) {
  auto target = single_table_scope(s.table, tables, ctx);
  if (!target) return target.err();
  bound_delete out;
  out.target = std::move(*target);
  MERIDIAN_TRY(bind_where(s.where, ctx, out.target, out.conjuncts));
  return out;
}

std::vector<std::string> referenced_tables(const sql::statement& statement) {
  std::vector<std::string> out;
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, sql::select_stmt>) {
          if (n.from) out.push_back(n.from->table.value);
          for (const auto& j : n.joins) out.push_back(j.table.table.value);
        } else if constexpr (std::is_same_v<T, sql::insert_stmt> ||
                             std::is_same_v<T, sql::update_stmt> ||
                             std::is_same_v<T, sql::delete_stmt>) {
          out.push_back(n.table.value);
        } else if constexpr (std::is_same_v<T, sql::explain_stmt>) {
          out = referenced_tables(*n.inner);
        }
      },
      statement.node);
  return out;
}

result<bound_statement> bind_statement(const sql::statement& statement, const table_map& tables,
                                       const bind_context& ctx) {
  return std::visit(
      [&](const auto& n) -> result<bound_statement> {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, sql::select_stmt>) {
          auto b = bind_select(n, tables, ctx);
          if (!b) return b.err();
          return bound_statement(std::move(*b));
        } else if constexpr (std::is_same_v<T, sql::insert_stmt>) {
          auto b = bind_insert(n, tables, ctx);
          if (!b) return b.err();
          return bound_statement(std::move(*b));
        } else if constexpr (std::is_same_v<T, sql::update_stmt>) {
          auto b = bind_update(n, tables, ctx);
          if (!b) return b.err();
          return bound_statement(std::move(*b));
        } else if constexpr (std::is_same_v<T, sql::delete_stmt>) {
          auto b = bind_delete(n, tables, ctx);
          if (!b) return b.err();
          return bound_statement(std::move(*b));
        } else {
          return sql::make_sql_error(errc::internal, ctx.source, statement.pos,
                                     "bind_statement called on a statement that is not DML");
        }
      },
      statement.node);
}

}  // namespace meridian::query
