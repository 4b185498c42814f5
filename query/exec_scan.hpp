// Reading one table: the scan operator for every access path of plan.hpp, and the pieces the
// lookup join shares with it (fetching rows by key, turning index entries into row keys,
// reading a whole key range). Runs on the statement's trampoline.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "query/exec_context.hpp"
#include "query/plan.hpp"

namespace meridian::query {

using values_callback = std::function<void(result<std::vector<std::optional<std::string>>>)>;
using rows_callback = std::function<void(result<std::vector<std::optional<row>>>)>;
using pairs_callback = std::function<void(result<std::vector<txn::kv_pair>>)>;

// Reads the values at `keys` (batch gets of query_limits::lookup_batch_keys), one entry per key.
void fetch_values(exec_context& ctx, std::vector<std::string> keys, values_callback done);

// Reads and decodes the rows at `keys` (batch gets of query_limits::lookup_batch_keys);
// the result has one entry per key, nullopt where no row exists.
void fetch_rows(exec_context& ctx, descriptor_ptr table, std::vector<std::string> keys,
                rows_callback done);

// Reads every pair in [start, end) page by page (bounded by the materialization limit).
void scan_all(exec_context& ctx, std::string start, std::string end, pairs_callback done);

// The row keys that index entries point at.
result<std::vector<std::string>> row_keys_of_entries(const table_descriptor& table,
                                                     const index_descriptor& index,
                                                     const std::vector<txn::kv_pair>& entries);

// Applies a table access's filter to one of its rows.
result<bool> passes(const std::vector<bound_expr>& filter, const row& r, const eval_context& ctx);

// The scan operator: yields the table's own rows (slot 0 = first column) that pass the
// access's filter. REQUIRES: access.kind != no_table; `access` outlives the node.
node_ptr make_scan(exec_context& ctx, const table_access& access);

}  // namespace meridian::query
