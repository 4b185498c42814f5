// The planner: picks an access path for every table from the conditions on it (equalities
// and IN lists on the primary key, ranges on a key prefix, public secondary indexes), orders
// joins as written and picks lookup, hash or nested-loop joins. Constant key values (literals,
// parameters, now()) are evaluated here and encoded into keys. Pure; any thread.
#pragma once

#include "common/result.hpp"
#include "query/plan.hpp"

namespace meridian::query {

struct plan_context {
  eval_context eval;  // folds constant key expressions
};

result<statement_plan> plan_statement(bound_statement statement, const plan_context& ctx);

// The access path for one table given conditions over its own row (local slots).
result<table_access> choose_access(const scope_table& table, std::vector<bound_expr> conditions,
                                   const plan_context& ctx);

// True when a value of type `value` can be encoded as a key of a column of type `column` so
// that equal values get equal keys (BIGINT into DECIMAL and DOUBLE columns, DECIMAL into
// DOUBLE, and same-family pairs).
bool key_compatible(const sql_type& value, const sql_type& column);
// The value as the column stores it, for key encoding. REQUIRES: key_compatible, not NULL.
datum key_value(const datum& value, const sql_type& column);

}  // namespace meridian::query
