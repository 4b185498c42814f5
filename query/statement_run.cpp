// Statement dispatch, transaction control (BEGIN, COMMIT, ROLLBACK and the aborted state) and
// DDL; see statement_run.hpp.
#include "query/statement_run.hpp"

#include "query/ddl.hpp"
#include "sql_lite_parser/parser.hpp"
#include "sql_lite_parser/sql_error.hpp"

namespace meridian::query {
namespace {

bool is_ddl(const sql::statement& s) {
  return std::holds_alternative<sql::create_table_stmt>(s.node) ||
         std::holds_alternative<sql::create_index_stmt>(s.node) ||
         std::holds_alternative<sql::alter_table_stmt>(s.node) ||
         std::holds_alternative<sql::drop_table_stmt>(s.node) ||
         std::holds_alternative<sql::drop_index_stmt>(s.node);
}

const char* ddl_name(const sql::statement& s) {
  if (std::holds_alternative<sql::create_table_stmt>(s.node)) return "CREATE TABLE";
  if (std::holds_alternative<sql::create_index_stmt>(s.node)) return "CREATE INDEX";
  if (std::holds_alternative<sql::alter_table_stmt>(s.node)) return "ALTER TABLE";
  if (std::holds_alternative<sql::drop_table_stmt>(s.node)) return "DROP TABLE";
  return "DROP INDEX";
}

result_set tagged(std::string tag) {
  result_set r;
  r.tag = std::move(tag);
  return r;
}

}  // namespace

statement_run::statement_run(session& s, std::string sql, std::vector<datum> params,
                             result_callback done)
    : session_(s),
      sql_(std::move(sql)),
      params_(std::move(params)),
      done_(std::move(done)),
      tramp_(std::make_shared<trampoline>()) {}

void statement_run::start() {
  auto self = shared_from_this();
  tramp_->post([self]() { self->dispatch(); });
}

void statement_run::finish(result<result_set> r, bool abort_transaction_on_error) {
  if (!r && abort_transaction_on_error && session_.txn_) {
    // PostgreSQL's rule: the transaction is unusable until ROLLBACK.
    session_.txn_->rollback([](result<txn::unit>) {});
    session_.txn_.reset();
    session_.txn_tables_.clear();
    session_.aborted_ = true;
  }
  // The plan and operators stay alive until this run is released: finish() may be called from
  // inside an operator's callback.
  session_.running_.store(false);
  auto done = std::move(done_);
  done(std::move(r));
}

void statement_run::dispatch() {
  sql::source_pos error_pos;
  auto parsed = sql::parse_statement(sql_, &error_pos);
  if (!parsed) return finish(parsed.err());
  statement_.emplace(std::move(*parsed));
  if (session_.txn_) session_.ledger_at_statement_start_ = session_.txn_->round_trips();
  const auto& node = statement_->node;
  if (std::holds_alternative<sql::begin_stmt>(node)) return begin_transaction();
  if (std::holds_alternative<sql::commit_stmt>(node)) return commit_transaction();
  if (std::holds_alternative<sql::rollback_stmt>(node)) return rollback_transaction();
  if (session_.aborted_) {
    return finish(error(errc::txn_not_active,
                        "the transaction was aborted by an earlier error; statements are "
                        "ignored until ROLLBACK"),
                  false);
  }
  if (is_ddl(*statement_)) {
    if (session_.txn_) {
      return finish(sql::make_sql_error(
          errc::sql_unsupported, sql_, statement_->pos,
          std::string(ddl_name(*statement_)) +
              " inside a transaction block is not supported: DDL runs in transactions of its "
              "own; COMMIT or ROLLBACK first"));
    }
    return run_ddl();
  }
  if (std::holds_alternative<sql::show_tables_stmt>(node) ||
      std::holds_alternative<sql::describe_stmt>(node)) {
    return run_catalog_listing();
  }
  start_query();
}

void statement_run::begin_transaction() {
  if (session_.txn_ || session_.aborted_) {
    return finish(sql::make_sql_error(errc::sql_unsupported, sql_, statement_->pos,
                                      "a transaction is already open (nested transactions are "
                                      "not supported)"),
                  false);
  }
  auto self = shared_from_this();
  txn::begin_options options;
  options.cancel = &session_.cancelled_;
  session_.engine_.begin(options,
                         via_trampoline<std::unique_ptr<txn::transaction>>(
                             tramp_, [self](result<std::unique_ptr<txn::transaction>> t) {
                               if (!t) return self->finish(t.err());
                               self->session_.txn_ = std::move(*t);
                               self->session_.txn_tables_.clear();
                               // BEGIN paid for the start timestamp: it reports that round trip.
                               result_set r = tagged("BEGIN");
                               r.ledger = self->session_.txn_->round_trips();
                               self->session_.ledger_at_statement_start_ = r.ledger;
                               self->finish(std::move(r));
                             }));
}

void statement_run::rollback_transaction() {
  if (session_.aborted_) {
    session_.aborted_ = false;
    return finish(tagged("ROLLBACK"));
  }
  if (!session_.txn_) {
    return finish(error(errc::sql_no_transaction, "ROLLBACK without an open transaction"));
  }
  auto txn = std::move(session_.txn_);
  session_.txn_tables_.clear();
  auto self = shared_from_this();
  auto* raw = txn.get();
  raw->rollback(via_trampoline<txn::unit>(
      tramp_, [self, txn = std::shared_ptr<txn::transaction>(std::move(txn))](result<txn::unit>) {
        self->finish(tagged("ROLLBACK"));
      }));
}

void statement_run::commit_transaction() {
  if (session_.aborted_) {
    session_.aborted_ = false;
    result_set r = tagged("ROLLBACK");
    r.explanation = "the transaction was aborted by an earlier error and has been rolled back";
    return finish(std::move(r));
  }
  if (!session_.txn_) {
    return finish(error(errc::sql_no_transaction, "COMMIT without an open transaction"));
  }
  std::shared_ptr<txn::transaction> txn(std::move(session_.txn_));
  std::vector<std::pair<std::string, descriptor_ptr>> validated;
  for (const auto& [name, t] : session_.txn_tables_) {
    if (t.validated) validated.emplace_back(name, t.table);
  }
  session_.txn_tables_.clear();
  auto self = shared_from_this();
  txn->commit(via_trampoline<std::uint64_t>(
      tramp_, [self, txn, validated](result<std::uint64_t> committed) {
        result_set r = tagged("COMMIT");
        r.ledger = ledger_since(txn->round_trips(), self->session_.ledger_at_statement_start_);
        if (committed) return self->finish(std::move(r));
        self->diagnose_conflict(validated, committed.err(),
                                [self](error e) { self->finish(std::move(e), false); });
      }));
}

ddl_env statement_run::make_ddl_env() const {
  ddl_env env;
  env.engine = &session_.engine_;
  env.placement = session_.options_.placement;
  env.tramp = tramp_;
  env.cancelled = &session_.cancelled_;
  env.defer = session_.options_.defer;
  env.backfill_batch_rows = session_.options_.backfill_batch_rows;
  env.source = sql_;
  env.params = &params_;
  env.on_backfill_batch = session_.options_.on_backfill_batch;
  return env;
}

void statement_run::start_recovery() {
  auto self = shared_from_this();
  tramp_->post([self]() {
    finish_interrupted_ddl(self->make_ddl_env(), [self](result<std::vector<std::string>> notes) {
      if (!notes) return self->finish(notes.err());
      result_set r = tagged("RECOVER");
      r.columns.push_back(result_column{"note", "TEXT"});
      for (const auto& n : *notes) r.rows.push_back({datum(n)});
      self->finish(std::move(r));
    });
  });
}

void statement_run::run_ddl() {
  auto self = shared_from_this();
  execute_ddl(make_ddl_env(), *statement_, [self](result<ddl_outcome> out) {
    if (!out) return self->finish(out.err());
    result_set r = tagged(out->tag);
    r.explanation = out->notice;
    r.ledger = out->ledger;
    self->finish(std::move(r));
  });
}

}  // namespace meridian::query
