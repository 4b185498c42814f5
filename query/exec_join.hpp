// Join operators: lookup (index nested loop by primary key or index, one batched round trip
// per outer batch for point lookups), hash join and nested loop. Each outputs the outer row
// followed by the inner table's row, filtered by the join's conditions. Runs on the
// statement's trampoline.
#pragma once

#include "query/exec_context.hpp"
#include "query/plan.hpp"

namespace meridian::query {

// REQUIRES: `step` outlives the node.
node_ptr make_join(exec_context& ctx, node_ptr outer, const join_step& step);

}  // namespace meridian::query
