// INSERT, UPDATE and DELETE over the transaction: rows and every index entry (public and
// write-only indexes alike) are written in the statement's transaction, primary and unique
// keys are checked with one batched read, and duplicates fail with sql_duplicate_key naming
// the table, the index and the value (or are skipped with ON CONFLICT DO NOTHING). Two
// concurrent writers of one key both buffer a put, and the second to commit fails with
// write_conflict. Runs on the statement's trampoline.
#pragma once

#include <cstdint>
#include <functional>

#include "query/exec_context.hpp"
#include "query/plan.hpp"

namespace meridian::query {

using count_callback = std::function<void(result<std::uint64_t>)>;

// Each calls `done` with the number of rows inserted, updated or deleted.
// REQUIRES: the plan outlives the call.
void execute_insert(exec_context& ctx, const insert_plan& plan, count_callback done);
void execute_update(exec_context& ctx, const update_plan& plan, count_callback done);
void execute_delete(exec_context& ctx, const delete_plan& plan, count_callback done);

// "(a, b) = (1, 'x')": the row's values of the columns at `positions`, for duplicate-key errors.
std::string describe_key(const table_descriptor& t, const std::vector<int>& positions,
                         const row& r);

}  // namespace meridian::query
