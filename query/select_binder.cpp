// Binding of SELECT: the FROM scope, WHERE/ON conjuncts, GROUP BY and aggregates, the select
// list (with * expanded), ORDER BY (positions, output names, expressions; hidden sort keys),
// LIMIT and OFFSET. Aggregation is on when GROUP BY or HAVING is present or an aggregate
// appears in the select list or ORDER BY.
#include <algorithm>

#include "query/bound_statement.hpp"
#include "query/query_limits.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {
namespace {

struct select_item_ast {
  const sql::expr* expression = nullptr;  // null for an expanded * column
  bound_expr star_column;                  // * columns: over the input row
  std::string name;
};

result<scope> build_scope(const sql::select_stmt& s, const table_map& tables,
                          const bind_context& ctx) {
  scope out;
  std::vector<const sql::table_ref*> refs{&*s.from};
  for (const auto& j : s.joins) refs.push_back(&j.table);
  if (refs.size() > query_limits::max_join_tables) {
    const auto& past = s.joins[query_limits::max_join_tables - 1].table.table;
    return sql::make_sql_error(errc::limit_exceeded, ctx.source, past.pos,
                               "a query may read at most " +
                                   std::to_string(query_limits::max_join_tables) +
                                   " tables; this one joins " + std::to_string(refs.size()));
  }
  int slot = 0;
  for (const auto* ref : refs) {
    auto t = find_table(tables, ref->table, ctx);
    if (!t) return t.err();
    std::string alias = ref->alias ? ref->alias->value : ref->table.value;
    for (const auto& existing : out.tables) {
      if (existing.alias == alias) {
        return sql::make_sql_error(errc::sql_syntax, ctx.source,
                                   ref->alias ? ref->alias->pos : ref->table.pos,
                                   "table name " + alias +
                                       " appears twice in FROM: give one an alias");
      }
    }
    out.tables.push_back(scope_table{alias, *t, slot});
    slot += static_cast<int>((*t)->columns.size());
  }
  return out;
}

status bind_conditions(const sql::select_stmt& s, const bind_context& ctx, bound_select& out) {
  // ON sees the tables joined so far (as in PostgreSQL); WHERE sees all of them.
  for (std::size_t i = 0; i < s.joins.size(); ++i) {
    scope prefix;
    prefix.tables.assign(out.from.tables.begin(), out.from.tables.begin() + static_cast<long>(i) + 2);
    expr_binder b(ctx, &prefix);
    b.forbid_aggregates("ON");
    auto on = b.bind_predicate(*s.joins[i].on, "ON");
    if (!on) return on.err();
    split_conjuncts(std::move(*on), out.conjuncts);
  }
  if (s.where) {
    expr_binder b(ctx, &out.from);
    b.forbid_aggregates("WHERE");
    auto where = b.bind_predicate(*s.where, "WHERE");
    if (!where) return where.err();
    split_conjuncts(std::move(*where), out.conjuncts);
  }
  return ok_status();
}

std::string output_name(const sql::select_item& item) {
  if (item.alias) return item.alias->value;
  if (const auto* c = std::get_if<sql::column_ref>(&item.value->node)) return c->column;
  if (const auto* f = std::get_if<sql::function_call>(&item.value->node)) return f->name;
  return sql::to_string(*item.value);
}

result<std::vector<select_item_ast>> expand_items(const sql::select_stmt& s, const scope* from,
                                                  const bind_context& ctx) {
  std::vector<select_item_ast> out;
  for (const auto& item : s.items) {
    if (item.kind == sql::select_item_kind::expression) {
      out.push_back(select_item_ast{item.value.get(), {}, output_name(item)});
      continue;
    }
    if (from == nullptr) {
      return sql::make_sql_error(errc::sql_syntax, ctx.source, item.pos,
                                 "* needs a FROM clause");
    }
    bool matched = false;
    for (const auto& t : from->tables) {
      if (item.kind == sql::select_item_kind::table_star && t.alias != item.table.value) continue;
      matched = true;
      for (std::size_t c = 0; c < t.table->columns.size(); ++c) {
        const auto& col = t.table->columns[c];
        if (col.hidden) continue;
        out.push_back(select_item_ast{
            nullptr, bound_expr::column_of(t.first_slot + static_cast<int>(c), col.type, item.pos),
            col.name});
      }
    }
    if (!matched) {
      return sql::make_sql_error(errc::sql_unknown_table, ctx.source, item.table.pos,
                                 "table " + item.table.value + " is not in the FROM clause");
    }
  }
  return out;
}

bool needs_aggregation(const sql::select_stmt& s) {
  if (!s.group_by.empty() || s.having) return true;
  for (const auto& item : s.items) {
    if (item.value && contains_aggregate(*item.value)) return true;
  }
  for (const auto& o : s.order_by) {
    if (contains_aggregate(*o.value)) return true;
  }
  return false;
}

// GROUP BY 2 and GROUP BY alias name select-list entries (PostgreSQL does the same).
result<const sql::expr*> resolve_group_item(const sql::expr& e,
                                            const std::vector<select_item_ast>& items,
                                            const scope* from, const bind_context& ctx) {
  if (const auto* lit = std::get_if<sql::literal>(&e.node)) {
    if (lit->kind == sql::literal_kind::integer) {
      long n = std::atol(lit->text.c_str());
      if (n < 1 || static_cast<std::size_t>(n) > items.size()) {
        return sql::make_sql_error(errc::sql_syntax, ctx.source, e.pos,
                                   "GROUP BY position " + lit->text +
                                       " is not in the select list (1.." +
                                       std::to_string(items.size()) + ")");
      }
      if (items[n - 1].expression == nullptr) {
        return sql::make_sql_error(errc::sql_syntax, ctx.source, e.pos,
                                   "GROUP BY position names a * column; name the column instead");
      }
      return items[n - 1].expression;
    }
  }
  if (const auto* c = std::get_if<sql::column_ref>(&e.node); c && c->table.empty()) {
    bool is_input_column = false;
    for (const auto& t : from->tables) {
      if (t.table->column_position(c->column) >= 0) is_input_column = true;
    }
    if (!is_input_column) {
      for (const auto& item : items) {
        if (item.expression != nullptr && item.name == c->column) return item.expression;
      }
    }
  }
  return &e;
}

status bind_grouping(const sql::select_stmt& s, const std::vector<select_item_ast>& items,
                     const bind_context& ctx, bound_select& out) {
  expr_binder b(ctx, &out.from);
  b.forbid_aggregates("GROUP BY");
  for (const auto& g : s.group_by) {
    auto e = resolve_group_item(*g, items, &out.from, ctx);
    if (!e) return e.err();
    auto key = b.bind(**e);
    if (!key) return key.err();
    out.agg.group_keys.push_back(std::move(*key));
  }
  return ok_status();
}

status bind_outputs(const std::vector<select_item_ast>& items, const bind_context& ctx,
                    const scope* from, bound_select& out) {
  expr_binder b(ctx, from);
  if (out.aggregate) b.bind_after_grouping(&out.agg);
  for (const auto& item : items) {
    if (item.expression == nullptr) {
      bound_expr col = item.star_column;
      if (out.aggregate) {
        auto key = std::find_if(out.agg.group_keys.begin(), out.agg.group_keys.end(),
                                [&](const bound_expr& k) { return same_expr(k, col); });
        if (key == out.agg.group_keys.end()) {
          return sql::make_sql_error(errc::sql_syntax, ctx.source, col.pos,
                                     "column " + item.name +
                                         " must appear in GROUP BY or be used in an aggregate "
                                         "function");
        }
        col = bound_expr::column_of(static_cast<int>(key - out.agg.group_keys.begin()), col.type,
                                    col.pos);
      }
      out.outputs.push_back(std::move(col));
    } else {
      auto e = b.bind(*item.expression);
      if (!e) return e.err();
      out.outputs.push_back(std::move(*e));
    }
    out.names.push_back(item.name);
  }
  out.visible = out.outputs.size();
  return ok_status();
}

// ORDER BY n, ORDER BY output_name, or an expression (reusing an equal output if any).
result<std::size_t> bind_order_item(const sql::order_item& o, const bind_context& ctx,
                                    const scope* from, bound_select& out) {
  const sql::expr& e = *o.value;
  if (const auto* lit = std::get_if<sql::literal>(&e.node)) {
    if (lit->kind == sql::literal_kind::integer) {
      long n = std::atol(lit->text.c_str());
      if (n < 1 || static_cast<std::size_t>(n) > out.visible) {
        return sql::make_sql_error(errc::sql_syntax, ctx.source, e.pos,
                                   "ORDER BY position " + lit->text + " is not in the select list (1.." +
                                       std::to_string(out.visible) + ")");
      }
      return static_cast<std::size_t>(n - 1);
    }
  }
  if (const auto* c = std::get_if<sql::column_ref>(&e.node); c && c->table.empty()) {
    // An output name two different outputs carry is ambiguous (PostgreSQL's rule); the same
    // expression twice under one name is not.
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < out.visible; ++i) {
      if (out.names[i] != c->column) continue;
      if (found && !same_expr(out.outputs[*found], out.outputs[i])) {
        return sql::make_sql_error(errc::sql_ambiguous_column, ctx.source, e.pos,
                                   "ORDER BY \"" + c->column + "\" is ambiguous: output columns " +
                                       std::to_string(*found + 1) + " and " +
                                       std::to_string(i + 1) +
                                       " both have that name; order by position or rename one");
      }
      if (!found) found = i;
    }
    if (found) return *found;
  }
  expr_binder b(ctx, from);
  if (out.aggregate) b.bind_after_grouping(&out.agg);
  auto bound = b.bind(e);
  if (!bound) return bound.err();
  for (std::size_t i = 0; i < out.outputs.size(); ++i) {
    if (same_expr(out.outputs[i], *bound)) return i;
  }
  if (out.distinct) {
    return sql::make_sql_error(errc::sql_syntax, ctx.source, e.pos,
                               "for SELECT DISTINCT, ORDER BY expressions must appear in the "
                               "select list");
  }
  out.outputs.push_back(std::move(*bound));
  out.names.push_back(sql::to_string(e));
  return out.outputs.size() - 1;
}

result<std::int64_t> bind_count(const sql::expr& e, const bind_context& ctx, const char* what) {
  expr_binder b(ctx, nullptr);
  b.forbid_aggregates(what);
  auto bound = b.bind(e);
  if (!bound) return bound.err();
  if (!is_constant(*bound)) {
    return sql::make_sql_error(errc::sql_type_mismatch, ctx.source, e.pos,
                               std::string(what) + " needs a constant (a literal or a parameter)");
  }
  if (bound->type.id != type_id::bigint && !bound->type.is_null()) {
    return sql::make_sql_error(errc::sql_type_mismatch, ctx.source, e.pos,
                               std::string(what) + " needs a BIGINT constant, not " +
                                   bound->type.to_string());
  }
  auto v = evaluate(*bound, {}, eval_context{ctx.source});
  if (!v) return v.err();
  if (!std::holds_alternative<std::int64_t>(*v) || std::get<std::int64_t>(*v) < 0) {
    return sql::make_sql_error(errc::sql_invalid_value, ctx.source, e.pos,
                               std::string(what) + " must be a non-negative integer");
  }
  return std::get<std::int64_t>(*v);
}

}  // namespace

result<descriptor_ptr> find_table(const table_map& tables, const sql::identifier& name,
                                  const bind_context& ctx) {
  auto it = tables.find(name.value);
  if (it == tables.end() || !it->second) {
    return sql::make_sql_error(errc::sql_unknown_table, ctx.source, name.pos,
                               "table " + name.value + " does not exist");
  }
  return it->second;
}

result<bound_select> bind_select(const sql::select_stmt& s, const table_map& tables,
                                 const bind_context& ctx) {
  bound_select out;
  if (s.from) {
    auto from = build_scope(s, tables, ctx);
    if (!from) return from.err();
    out.from = std::move(*from);
    MERIDIAN_TRY(bind_conditions(s, ctx, out));
  }
  const scope* from = s.from ? &out.from : nullptr;
  auto items = expand_items(s, from, ctx);
  if (!items) return items.err();
  out.distinct = s.distinct;
  out.aggregate = needs_aggregation(s);
  if (out.aggregate) {
    if (from == nullptr && !s.group_by.empty()) {
      return sql::make_sql_error(errc::sql_syntax, ctx.source, s.group_by[0]->pos,
                                 "GROUP BY needs a FROM clause");
    }
    if (from != nullptr) MERIDIAN_TRY(bind_grouping(s, *items, ctx, out));
  }
  MERIDIAN_TRY(bind_outputs(*items, ctx, from, out));
  if (s.having) {
    expr_binder b(ctx, from);
    b.bind_after_grouping(&out.agg);
    auto having = b.bind_predicate(*s.having, "HAVING");
    if (!having) return having.err();
    split_conjuncts(std::move(*having), out.having);
  }
  for (const auto& o : s.order_by) {
    auto index = bind_order_item(o, ctx, from, out);
    if (!index) return index.err();
    out.order.push_back(sort_key{*index, o.descending});
  }
  if (s.limit) {
    auto n = bind_count(*s.limit, ctx, "LIMIT");
    if (!n) return n.err();
    out.limit = *n;
  }
  if (s.offset) {
    auto n = bind_count(*s.offset, ctx, "OFFSET");
    if (!n) return n.err();
    out.offset = *n;
  }
  if (s.for_update && (out.aggregate || out.distinct)) {
    // The rows it would lock are not the rows it returns (PostgreSQL refuses it too).
    return sql::make_sql_error(errc::sql_unsupported, ctx.source, s.from ? s.from->table.pos : sql::source_pos{},
                               std::string("FOR UPDATE is not allowed with ") +
                                   (out.distinct ? "DISTINCT" : "aggregates or GROUP BY") +
                                   ": lock the rows themselves (SELECT ... FOR UPDATE), then run the "
                                   "DISTINCT or aggregate as a second statement");
  }
  out.for_update = s.for_update;
  return out;
}

}  // namespace meridian::query
