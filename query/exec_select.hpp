// Running a SELECT plan: builds the operator tree (scan, joins, FOR UPDATE locks, aggregate,
// HAVING, projection, DISTINCT, sort, limit) and collects its rows, at most
// query_limits::max_result_rows of them. Runs on the statement's trampoline.
#pragma once

#include <functional>
#include <memory>

#include "query/exec_context.hpp"
#include "query/plan.hpp"

namespace meridian::query {

// REQUIRES: `plan` outlives the tree.
node_ptr build_select(exec_context& ctx, const select_plan& plan);

using collect_callback = std::function<void(result<std::vector<row>>)>;

// Pulls every batch of `root`, keeping the first `width` columns of each row (hidden sort
// keys are dropped). Fails with sql_result_too_large past max_result_rows.
void collect_rows(exec_context& ctx, std::shared_ptr<exec_node> root, std::size_t width,
                  collect_callback done);

}  // namespace meridian::query
