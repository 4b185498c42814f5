// One statement's execution inside a session (internal to query/): owns the statement's text,
// syntax tree, trampoline, plan and operator tree until the statement completes, and walks
// the steps (parse, transaction control, DDL, catalog listings, or bind-plan-execute-commit
// with autocommit retries) as continuations on its trampoline. Shared-owned by the callbacks
// in flight; session.cpp creates it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "query/bound_statement.hpp"
#include "query/exec_context.hpp"
#include "query/plan.hpp"
#include "query/session.hpp"
#include "sql_lite_parser/ast.hpp"

namespace meridian::query {

// What a transaction paid between two readings of its ledger.
txn::ledger ledger_since(const txn::ledger& now, const txn::ledger& before);

class statement_run : public std::enable_shared_from_this<statement_run> {
 public:
  statement_run(session& s, std::string sql, std::vector<datum> params, result_callback done);
  void start();
  // Instead of a statement: finish_interrupted_ddl, its notes as the result's rows.
  void start_recovery();

 private:
  // statement_run.cpp: dispatch, transaction control, DDL
  void dispatch();
  void begin_transaction();
  void commit_transaction();
  void rollback_transaction();
  void run_ddl();
  void finish(result<result_set> r, bool abort_transaction_on_error = true);
  ddl_env make_ddl_env() const;

  // catalog_show.cpp: SHOW TABLES, DESCRIBE
  void run_catalog_listing();
  void list_tables(txn::transaction& txn, std::function<void(result<result_set>)> k);
  void describe_table(txn::transaction& txn, const std::string& name, sql::source_pos pos,
                      std::function<void(result<result_set>)> k);

  // query_run.cpp: SELECT, INSERT, UPDATE, DELETE, EXPLAIN
  void start_query();
  void begin_attempt();
  void read_tables();
  void bind_and_plan();
  void execute_plan();
  void complete_query();
  void fail_query(const error& e);
  void retry_or_finish(const error& e);
  void begin_failed(const error& e);
  error future_as_of(sql::source_pos pos) const;
  void explain();
  result<txn::begin_options> as_of_options(const sql::select_stmt& s) const;
  // Maps a commit's write_conflict to sql_schema_changed when a validated table changed.
  void diagnose_conflict(std::vector<std::pair<std::string, descriptor_ptr>> tables, error e,
                         std::function<void(error)> k);
  result<descriptor_ptr> decode_cached(const std::string& name, const std::string& bytes);

  session& session_;
  std::string sql_;
  std::vector<datum> params_;
  result_callback done_;
  std::shared_ptr<trampoline> tramp_;
  std::optional<sql::statement> statement_;

  // The query pipeline.
  const sql::statement* query_ = nullptr;  // the statement bound (EXPLAIN's inner one)
  bool explain_ = false;
  txn::begin_options begin_options_;
  std::unique_ptr<txn::transaction> own_txn_;  // autocommit
  txn::transaction* txn_ = nullptr;            // own_txn_ or the session's
  int attempt_ = 0;
  txn::ledger ledger_;  // autocommit: summed over attempts
  table_map tables_;
  std::vector<std::pair<std::string, descriptor_ptr>> validated_;
  std::optional<statement_plan> plan_;
  std::unique_ptr<exec_context> exec_;
  std::shared_ptr<exec_node> root_;
  result_set result_;
};

}  // namespace meridian::query
