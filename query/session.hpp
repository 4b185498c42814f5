// query::session: one SQL connection's state (open transaction, cached descriptors, id
// generator) and the entry point that runs one statement at a time: parse, bind, plan,
// execute over the asynchronous transaction interface, commit. Outside BEGIN each statement
// is its own transaction (autocommit), retried on retryable failures with back-off; inside
// BEGIN a failed statement aborts the transaction (PostgreSQL's rule: later statements fail
// until ROLLBACK). DDL runs in transactions of its own and is refused inside BEGIN.
// Threads: execute_async() may be called from any thread, one statement at a time; its
// callback runs on whichever thread completes the statement. execute() blocks the caller
// (never call it from an actor or from inside a callback of the engine).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/datum.hpp"
#include "common/result.hpp"
#include "query/ddl.hpp"
#include "query/descriptor.hpp"
#include "query/hooks.hpp"
#include "query/id_generator.hpp"
#include "txn/transaction.hpp"

namespace meridian::query {

struct result_column {
  std::string name;
  std::string type;  // SQL type text: BIGINT, DECIMAL(10,2), TEXT...
};

struct result_set {
  std::vector<result_column> columns;
  std::vector<std::vector<datum>> rows;
  std::uint64_t rows_affected = 0;  // INSERT/UPDATE/DELETE
  std::string tag;                  // "SELECT 3", "INSERT 2", "CREATE TABLE", "BEGIN"...
  std::string explanation;          // EXPLAIN's plan, or a notice ("... skipping")
  txn::ledger ledger;               // round trips this statement paid
};

struct session_options {
  // Told about table placement; null: a local_placement_hook owned by the session.
  placement_hook* placement = nullptr;
  // Shards and commit costs for EXPLAIN; null: a local_cluster_view.
  const cluster_view* cluster = nullptr;
  // gen_id() salt (low 10 bits used); the cluster derives it from node and session numbers
  // so concurrent sessions differ. 0: random.
  std::uint32_t id_salt = 0;
  // Runs a task after a delay (retry back-off). Empty: sleep on the calling thread, which
  // suits the local engine and tools; inside an actor pass a timer.
  defer_fn defer;
  // Rows per CREATE INDEX backfill transaction.
  std::size_t backfill_batch_rows = 0;  // 0: query_limits::backfill_batch_rows
  // Called after each backfill batch commits (tests interleave DML there).
  std::function<void()> on_backfill_batch;
};

using result_callback = std::function<void(result<result_set>)>;

class statement_run;

class session {
 public:
  // REQUIRES: `engine` (and the hooks in `options`) outlive the session.
  explicit session(txn::transaction_engine& engine, session_options options = {});
  // Rolls back an open transaction. REQUIRES: no statement is running.
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Runs one statement; $1, $2... take `params`. Blocks until it finishes.
  result<result_set> execute(std::string_view sql, const std::vector<datum>& params = {});
  // After the database opens, before the first statement: undoes what DDL a crash left
  // half-done (query/ddl_recover.cpp). Returns a line for each index build undone. Blocks.
  result<std::vector<std::string>> finish_interrupted_ddl();
  // Runs one statement asynchronously. REQUIRES: the previous statement finished.
  void execute_async(std::string sql, std::vector<datum> params, result_callback done);

  // Asks the running statement to stop; it fails with errc::cancelled. Any thread.
  void cancel() { cancelled_.store(true); }
  bool in_transaction() const { return txn_ != nullptr || aborted_; }
  // True after a statement failed inside BEGIN: only ROLLBACK (or COMMIT) is accepted.
  bool transaction_aborted() const { return aborted_; }

 private:
  friend class statement_run;
  // The run of the next statement (or recovery). REQUIRES: the previous one finished.
  std::shared_ptr<statement_run> new_run(std::string sql, std::vector<datum> params,
                                         result_callback done);

  // A descriptor read in the open transaction (reused by its later statements) with whether
  // the transaction validates it at commit.
  struct txn_table {
    descriptor_ptr table;  // null: the table did not exist
    bool validated = false;
  };

  txn::transaction_engine& engine_;
  session_options options_;
  std::unique_ptr<placement_hook> own_placement_;
  std::unique_ptr<cluster_view> own_cluster_;
  id_generator ids_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> running_{false};

  // Explicit transaction state (BEGIN ... COMMIT/ROLLBACK).
  std::unique_ptr<txn::transaction> txn_;
  bool aborted_ = false;
  std::map<std::string, txn_table, std::less<>> txn_tables_;
  txn::ledger ledger_at_statement_start_;

  // Decoded descriptors by name, reused while the stored version is unchanged.
  std::map<std::string, descriptor_ptr, std::less<>> descriptor_cache_;
};

}  // namespace meridian::query
