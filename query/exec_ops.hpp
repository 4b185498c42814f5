// The row-at-a-time operators above the scans and joins: a one-row source for SELECT without
// FROM, filter, projection, FOR UPDATE locking, aggregation, DISTINCT, sort and LIMIT/OFFSET.
// Materializing operators (aggregate, DISTINCT, sort) respect
// query_limits::max_materialized_rows. Runs on the statement's trampoline.
#pragma once

#include <optional>

#include "query/exec_context.hpp"
#include "query/plan.hpp"

namespace meridian::query {

node_ptr make_single_row(exec_context& ctx);
// REQUIRES: the expressions outlive the node (they belong to the plan).
node_ptr make_filter(exec_context& ctx, node_ptr input, const std::vector<bound_expr>& conditions);
node_ptr make_project(exec_context& ctx, node_ptr input, const std::vector<bound_expr>& outputs);
// Locks the rows of every table in `tables` that appears in the joined input row.
node_ptr make_lock(exec_context& ctx, node_ptr input, const std::vector<scope_table>& tables);
node_ptr make_aggregate(exec_context& ctx, node_ptr input, const aggregate_binding& agg);
// DISTINCT over the first `width` columns.
node_ptr make_distinct(exec_context& ctx, node_ptr input, std::size_t width);
// `keep`: only the first `keep` rows will be used (ORDER BY with LIMIT), when known.
node_ptr make_sort(exec_context& ctx, node_ptr input, const std::vector<sort_key>& keys,
                   std::optional<std::size_t> keep);
node_ptr make_limit(exec_context& ctx, node_ptr input, std::optional<std::int64_t> limit,
                    std::int64_t offset);

}  // namespace meridian::query
