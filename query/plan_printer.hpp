// EXPLAIN: the plan as an operator tree, one operator per line, children indented under their
// parent, followed by the shards the statement touches and the round trips it is expected to
// cost (from the cluster_view). Pure functions.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "query/hooks.hpp"
#include "query/plan.hpp"

namespace meridian::query {

// Lines of EXPLAIN's output.
std::vector<std::string> explain_plan(const statement_plan& plan, const cluster_view& view);

// An expression as SQL text; `column_name(slot)` names the columns.
std::string expr_text(const bound_expr& e, const std::function<std::string(int)>& column_name);

}  // namespace meridian::query
