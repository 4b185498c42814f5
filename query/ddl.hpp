// DDL: CREATE/DROP TABLE, CREATE/DROP INDEX, ALTER TABLE. Each runs as one or more catalog
// transactions of its own (so DDL is refused inside BEGIN ... COMMIT): the descriptor under
// ("m", "table", name) changes transactionally and its schema version grows, which makes
// concurrent DML that read the old version fail to commit (schema_changed) instead of missing
// a new index. CREATE INDEX builds without blocking writes: write-only descriptor, backfill in
// bounded transactions, then public (see ddl_index.cpp). DROP TABLE hides the table at once
// and deletes its keys in bounded batches afterwards. Runs on the statement's trampoline.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/descriptor.hpp"
#include "query/exec_context.hpp"
#include "query/hooks.hpp"
#include "sql_lite_parser/ast.hpp"
#include "txn/transaction.hpp"

// In a continuation: hands a failed status to `finish` and returns.
#define MERIDIAN_TRY_CALLBACK(expr, finish)            \
  do {                                                 \
    auto meridian_status_ = (expr);                    \
    if (!meridian_status_.ok()) return (finish)(meridian_status_.err()); \
  } while (false)

namespace meridian::query {

// Runs `task` after `delay_ms` milliseconds (retry back-off).
using defer_fn = std::function<void(std::uint32_t delay_ms, std::function<void()> task)>;

struct ddl_env {
  txn::transaction_engine* engine = nullptr;
  placement_hook* placement = nullptr;
  std::shared_ptr<trampoline> tramp;
  const std::atomic<bool>* cancelled = nullptr;
  defer_fn defer;
  std::size_t backfill_batch_rows = 0;
  std::string_view source;                 // the statement text (errors point into it)
  const std::vector<datum>* params = nullptr;
  // Called between backfill batches (tests interleave DML there); may be empty.
  std::function<void()> on_backfill_batch;
};

struct ddl_outcome {
  std::string tag;     // "CREATE TABLE", "DROP INDEX"...
  std::string notice;  // e.g. "table t already exists, skipping"
  txn::ledger ledger;  // summed over the statement's transactions
};

using ddl_callback = std::function<void(result<ddl_outcome>)>;

// REQUIRES: a DDL statement; env.source and `statement` outlive the call.
void execute_ddl(const ddl_env& env, const sql::statement& statement, ddl_callback done);

// ---- shared by the DDL files -------------------------------------------------------------

// True when retrying the same work may succeed (conflicts, locks, leader changes), but not
// when the outcome is unknown, the request was cancelled, or the cluster stayed unavailable for
// a whole request deadline.
bool retry_may_help(const error& e);

// Back-off before attempt `attempt` (1-based): base * 2^(attempt-1), capped.
std::uint32_t backoff_ms(int attempt);

// The body of one catalog transaction: reads (through via_trampoline), writes, then calls
// `finish`. The runner begins, runs the body, commits, and retries the whole step (body
// included) on retryable failures up to query_limits::max_ddl_attempts times.
using txn_body =
    std::function<void(txn::transaction& txn, std::function<void(status)> finish)>;
void run_in_transaction(const ddl_env& env, txn_body body, std::shared_ptr<txn::ledger> ledger,
                        std::function<void(status)> done);

// Deletes every key in [start, end) in transactions of query_limits::cleanup_batch_keys keys.
void delete_range(const ddl_env& env, std::string start, std::string end,
                  std::shared_ptr<txn::ledger> ledger, std::function<void(status)> done);

// Deletes the keys of every dropped table recorded under ("m", "drop", id), then the records:
// the tail of DROP TABLE, which also finishes drops a crash interrupted.
void sweep_dropped_tables(const ddl_env& env, std::shared_ptr<txn::ledger> ledger,
                          std::function<void(status)> done);

// After a crash (ddl_recover.cpp): undoes index builds left write-only and finishes the sweeps
// of dropped tables; `done` gets a line for each build undone.
void finish_interrupted_ddl(const ddl_env& env,
                            std::function<void(result<std::vector<std::string>>)> done);

// Reads and decodes a table descriptor in `txn`: nullopt when the table does not exist.
void read_descriptor(const ddl_env& env, txn::transaction& txn, const std::string& name,
                     std::function<void(result<std::optional<table_descriptor>>)> done);

// Descriptor building from the AST (ddl_build.cpp).
result<table_descriptor> build_table(const sql::create_table_stmt& s, const ddl_env& env);
result<column_descriptor> build_column(const sql::column_def& c, const ddl_env& env,
                                       bool adding_to_existing, std::int64_t now_micros);
status apply_option(table_descriptor& t, const sql::table_option& option, const ddl_env& env);
std::string generated_index_name(const std::string& table, const std::vector<std::string>& columns);

// The statements, one file each.
void create_table(const ddl_env& env, const sql::create_table_stmt& s, ddl_callback done);
void drop_table(const ddl_env& env, const sql::drop_table_stmt& s, ddl_callback done);
void alter_table(const ddl_env& env, const sql::alter_table_stmt& s, ddl_callback done);
void create_index(const ddl_env& env, const sql::create_index_stmt& s, ddl_callback done);
void drop_index(const ddl_env& env, const sql::drop_index_stmt& s, ddl_callback done);

}  // namespace meridian::query
