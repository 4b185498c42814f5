// Physical plans: how each table is read (point get, batch point get, primary-key range scan,
// unique-index point lookup, index range scan, full scan), how tables are joined (lookup by
// primary key or index from the outer row, hash join, nested loop), and the operators above
// (aggregate, having, projection, distinct, sort, limit). The planner (planner.hpp) builds
// them, the executor (exec_*.hpp) runs them, EXPLAIN prints them (plan_printer.hpp).
// Plain data, one statement, one thread.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "query/bound_statement.hpp"

namespace meridian::query {

enum class access_kind : std::uint8_t {
  no_table,     // SELECT without FROM: one empty row
  point_get,    // rows by primary key (`keys`); in a lookup join, keys come from the outer row
  range_scan,   // rows in [start, end) of the primary key
  full_scan,    // every row
  index_point,  // unique index entries (`keys`), then their rows
  index_scan,   // index entries in [start, end), then their rows
};

struct table_access {
  scope_table source;  // the table and where its columns sit in the joined row
  access_kind kind = access_kind::full_scan;
  std::optional<index_descriptor> index;  // index_point, index_scan
  std::vector<std::string> keys;          // point_get, index_point
  std::string start;                      // range_scan, full_scan, index_scan
  std::string end;
  // The conditions the key or range came from (EXPLAIN shows them).
  std::vector<bound_expr> key_conditions;
  // Conditions checked on each row read, over the table's own row (slot 0 = first column).
  std::vector<bound_expr> filter;
  // True when a condition can never hold (x = NULL): nothing is read.
  bool empty = false;
};

enum class join_kind : std::uint8_t {
  lookup,       // for each outer row, look the inner rows up by primary key or index
  hash,         // build a hash table of the inner side, probe with outer rows
  nested_loop,  // materialize the inner side, test every pair
};

struct join_step {
  join_kind kind = join_kind::nested_loop;
  // lookup: kind point_get (all primary-key columns), index_point (all columns of a unique
  // index) or index_scan (a prefix of an index's columns); `keys`/`start`/`end` are built per
  // outer row from lookup_values. hash, nested_loop: the inner side's own access path.
  table_access inner;
  std::vector<bound_expr> lookup_values;  // lookup: over the outer row, in key column order
  std::vector<sql_type> lookup_types;     // lookup: the key columns' types
  std::vector<bound_expr> outer_keys;     // hash: over the outer row
  std::vector<bound_expr> inner_keys;     // hash: over the inner table's own row
  std::vector<sql_type> key_types;        // hash: the type both sides are compared in
  std::vector<bound_expr> filter;         // over the combined row (outer then inner)
};

struct select_plan {
  bound_select query;  // conjuncts moved into the accesses and joins
  table_access first;
  std::vector<join_step> joins;
  std::vector<bound_expr> constant_filter;  // conditions that read no table (SELECT w/o FROM)
};

struct insert_plan {
  bound_insert query;
};

struct update_plan {
  table_access target;
  std::vector<std::pair<int, bound_expr>> assignments;
};

struct delete_plan {
  table_access target;
};

struct statement_plan {
  std::variant<select_plan, insert_plan, update_plan, delete_plan> node;
  // Tables the statement writes: their descriptors are validated at commit.
  std::vector<descriptor_ptr> written;
};

}  // namespace meridian::query
