// What the binder makes of SELECT, INSERT, UPDATE and DELETE: tables resolved to descriptors
// and laid out in one row, expressions bound and typed, clauses in a form the planner can pick
// access paths for. DDL and transaction control are not bound here (ddl.hpp, session.hpp).
// Plain data, one statement, one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.hpp"
#include "query/bound_expr.hpp"
#include "query/descriptor.hpp"
#include "query/expr_binder.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::query {

// The descriptors a statement may name, as read in its transaction.
using table_map = std::map<std::string, descriptor_ptr, std::less<>>;

struct sort_key {
  std::size_t output = 0;  // index into bound_select::outputs
  bool descending = false;
};

struct bound_select {
  scope from;  // empty tables: SELECT without FROM
  // WHERE and ON conditions, split on AND, over the joined row.
  std::vector<bound_expr> conjuncts;
  bool aggregate = false;
  aggregate_binding agg;
  std::vector<bound_expr> having;  // over the aggregate row [group keys..., calls...]
  // Over the joined row (or the aggregate row). Outputs past `visible` are hidden sort keys.
  std::vector<bound_expr> outputs;
  std::vector<std::string> names;
  std::size_t visible = 0;
  bool distinct = false;
  std::vector<sort_key> order;
  std::optional<std::int64_t> limit;
  std::int64_t offset = 0;
  bool for_update = false;
};

struct bound_insert {
  descriptor_ptr table;
  // One entry per row, each as wide as the table, in column order (defaults filled in).
  std::vector<std::vector<bound_expr>> rows;
  bool on_conflict_do_nothing = false;
};

struct bound_update {
  scope target;  // one table
  std::vector<bound_expr> conjuncts;
  std::vector<std::pair<int, bound_expr>> assignments;  // column position, value over the row
};

struct bound_delete {
  scope target;
  std::vector<bound_expr> conjuncts;
};

using bound_statement = std::variant<bound_select, bound_insert, bound_update, bound_delete>;

// Names of the tables a statement reads or writes (what the session must fetch descriptors
// for before binding). REQUIRES: a SELECT, INSERT, UPDATE, DELETE or EXPLAIN of one.
std::vector<std::string> referenced_tables(const sql::statement& statement);

// Binds a SELECT, INSERT, UPDATE or DELETE (not EXPLAIN: pass its inner statement).
// Errors: sql_unknown_table, sql_unknown_column, sql_ambiguous_column, sql_type_mismatch,
// sql_not_null_violation, sql_syntax (grouping rules), sql_unsupported, ...
result<bound_statement> bind_statement(const sql::statement& statement, const table_map& tables,
                                       const bind_context& ctx);

// Internal pieces, one file each.
result<bound_select> bind_select(const sql::select_stmt& s, const table_map& tables,
                                 const bind_context& ctx);
result<bound_insert> bind_insert(const sql::insert_stmt& s, const table_map& tables,
                                 const bind_context& ctx);
result<bound_update> bind_update(const sql::update_stmt& s, const table_map& tables,
                                 const bind_context& ctx);
result<bound_delete> bind_delete(const sql::delete_stmt& s, const table_map& tables,
                                 const bind_context& ctx);
// Looks up a table named in the statement (sql_unknown_table pointing at the name).
result<descriptor_ptr> find_table(const table_map& tables, const sql::identifier& name,
                                  const bind_context& ctx);

}  // namespace meridian::query
