// The query pipeline of a statement run: SELECT, INSERT, UPDATE, DELETE and EXPLAIN. Reads the
// descriptors of the tables named (one batched read in the statement's transaction), binds,
// plans, validates the descriptors of written tables at commit, executes, and in autocommit
// commits and retries retryable failures (bounded, with back-off). A commit that fails with
// write_conflict because a validated descriptor changed is reported as sql_schema_changed.
#include <algorithm>
#include <set>

#include "common/time_text.hpp"
#include "query/descriptor_codec.hpp"
#include "query/exec_dml.hpp"
#include "query/exec_select.hpp"
#include "query/keys.hpp"
#include "query/plan_printer.hpp"
#include "query/planner.hpp"
#include "query/query_limits.hpp"
#include "query/statement_run.hpp"
#include "query/value_ops.hpp"
#include "sql_lite_parser/sql_error.hpp"
#include "txn/timestamp.hpp"

namespace meridian::query {
namespace {

const sql::select_stmt* select_of(const sql::statement& s) {
  return std::get_if<sql::select_stmt>(&s.node);
}

std::string command_tag(const statement_plan& plan, const result_set& r) {
  if (std::holds_alternative<select_plan>(plan.node)) return "SELECT " + std::to_string(r.rows.size());
  if (std::holds_alternative<insert_plan>(plan.node)) return "INSERT " + std::to_string(r.rows_affected);
  if (std::holds_alternative<update_plan>(plan.node)) return "UPDATE " + std::to_string(r.rows_affected);
  return "DELETE " + std::to_string(r.rows_affected);
}

}  // namespace

txn::ledger ledger_since(const txn::ledger& now, const txn::ledger& before) {
  txn::ledger d = now;
  d.tso_round_trips -= std::min(d.tso_round_trips, before.tso_round_trips);
  d.read_round_trips -= std::min(d.read_round_trips, before.read_round_trips);
  d.local_reads -= std::min(d.local_reads, before.local_reads);
  d.prewrite_rounds -= std::min(d.prewrite_rounds, before.prewrite_rounds);
  d.commit_rounds -= std::min(d.commit_rounds, before.commit_rounds);
  d.lock_resolutions -= std::min(d.lock_resolutions, before.lock_resolutions);
  d.retries -= std::min(d.retries, before.retries);
  d.wan_ms = std::max(0.0, d.wan_ms - before.wan_ms);
  return d;
}

error statement_run::future_as_of(sql::source_pos pos) const {
  return sql::make_sql_error(errc::sql_invalid_value, sql_, pos,
                             "AS OF SYSTEM TIME names a time in the future; it needs a time in "
                             "the past, such as '-10s'");
}

result<txn::begin_options> statement_run::as_of_options(const sql::select_stmt& s) const {
  txn::begin_options options;
  options.read_only = !s.for_update;
  if (!s.as_of_system_time) return options;
  const sql::expr& e = *s.as_of_system_time;
  if (session_.txn_) {
    return sql::make_sql_error(errc::sql_unsupported, sql_, e.pos,
                               "AS OF SYSTEM TIME inside a transaction block is not supported: "
                               "the transaction already has its snapshot");
  }
  if (s.for_update) {
    return sql::make_sql_error(errc::sql_unsupported, sql_, e.pos,
                               "AS OF SYSTEM TIME cannot be combined with FOR UPDATE (a past "
                               "snapshot cannot lock)");
  }
  bind_context ctx{sql_, &params_};
  expr_binder b(ctx, nullptr);
  auto bound = b.bind(e);
  if (!bound) return bound.err();
  if (calls_now(*bound)) {
    // now() is the transaction's start time, which the snapshot's time decides: circular.
    return sql::make_sql_error(errc::sql_invalid_value, sql_, e.pos,
                               "AS OF SYSTEM TIME cannot use now(); write an interval such as "
                               "'-10s' or a TIMESTAMP literal");
  }
  auto v = is_constant(*bound) ? evaluate(*bound, {}, eval_context{sql_})
                               : result<datum>(datum(null_value{}));
  if (!v) return v.err();
  if (const auto* text = std::get_if<std::string>(&*v)) {
    if (!text->empty() && (text->front() == '-' || text->front() == '+')) {
      auto micros = parse_interval_micros(*text);
      if (!micros) return sql::make_sql_error(micros.err().code(), sql_, e.pos, micros.err().message());
      if (*micros > 0) {
        return sql::make_sql_error(errc::sql_invalid_value, sql_, e.pos,
                                   "AS OF SYSTEM TIME needs a time in the past, such as '-10s'");
      }
      // Under a millisecond ago is now: a fresh snapshot, which sees every commit so far (a
      // timestamp at the start of the current millisecond would miss this millisecond's).
      options.staleness_ms = static_cast<std::uint64_t>(-*micros / 1000);
      if (options.staleness_ms == 0) options.staleness_ms.reset();
      options.read_only = true;
      return options;
    }
    auto t = cast_value(*v, sql_type::timestamp());
    if (!t) return sql::make_sql_error(t.err().code(), sql_, e.pos, t.err().message());
    v = std::move(*t);
  }
  if (const auto* ts = std::get_if<timestamp_value>(&*v); ts && ts->micros <= 0) {
    return sql::make_sql_error(errc::sql_invalid_value, sql_, e.pos,
                               "AS OF SYSTEM TIME needs a time after 1970-01-01 00:00:00 UTC");
  }
  if (const auto* ts = std::get_if<timestamp_value>(&*v); ts && ts->micros > 0) {
    auto ms = static_cast<std::uint64_t>(ts->micros / 1000);
    if (ms > txn::max_physical_ms) return future_as_of(e.pos);  // past the year ~4200
    options.read_ts = txn::compose_ts(ms, txn::max_logical);
    options.read_only = true;
    return options;
  }
  return sql::make_sql_error(errc::sql_invalid_value, sql_, e.pos,
                             "AS OF SYSTEM TIME takes an interval such as '-10s' or a TIMESTAMP");
}

void statement_run::start_query() {
  query_ = &*statement_;
  if (const auto* ex = std::get_if<sql::explain_stmt>(&statement_->node)) {
    explain_ = true;
    query_ = ex->inner.get();
  }
  const auto& node = query_->node;
  if (!std::holds_alternative<sql::select_stmt>(node) && !std::holds_alternative<sql::insert_stmt>(node) &&
      !std::holds_alternative<sql::update_stmt>(node) && !std::holds_alternative<sql::delete_stmt>(node)) {
    return finish(sql::make_sql_error(errc::sql_unsupported, sql_, query_->pos,
                                      "EXPLAIN shows plans of SELECT, INSERT, UPDATE and DELETE only"));
  }
  if (const auto* s = select_of(*query_)) {
    auto options = as_of_options(*s);
    if (!options) return finish(options.err());
    begin_options_ = *options;
  }
  if (explain_) begin_options_.read_only = true;
  begin_options_.cancel = &session_.cancelled_;
  if (session_.txn_) {
    txn_ = session_.txn_.get();
    return read_tables();
  }
  begin_attempt();
}

void statement_run::begin_attempt() {
  ++attempt_;
  tables_.clear();
  validated_.clear();
  plan_.reset();
  exec_.reset();
  root_.reset();
  result_ = result_set{};
  auto self = shared_from_this();
  session_.engine_.begin(begin_options_, via_trampoline<std::unique_ptr<txn::transaction>>(
                                             tramp_, [self](result<std::unique_ptr<txn::transaction>> t) {
                                               if (!t) return self->begin_failed(t.err());
                                               self->own_txn_ = std::move(*t);
                                               self->txn_ = self->own_txn_.get();
                                               self->read_tables();
                                             }));
}

void statement_run::begin_failed(const error& e) {
  // A read timestamp past the newest one the oracle issued: the statement's error, at its AS OF.
  const sql::select_stmt* s = query_ ? select_of(*query_) : nullptr;
  if (begin_options_.read_ts && e.code() == errc::invalid_argument && s && s->as_of_system_time) {
    return finish(future_as_of(s->as_of_system_time->pos));
  }
  retry_or_finish(e);
}

result<descriptor_ptr> statement_run::decode_cached(const std::string& name, const std::string& bytes) {
  auto header = read_descriptor_header(bytes);
  if (!header) return header.err();
  auto it = session_.descriptor_cache_.find(name);
  if (it != session_.descriptor_cache_.end() && it->second->id == header->id &&
      it->second->version == header->version) {
    return it->second;
  }
  auto decoded = decode_descriptor(bytes);
  if (!decoded) return decoded.err();
  auto ptr = std::make_shared<const table_descriptor>(std::move(*decoded));
  session_.descriptor_cache_[name] = ptr;
  return descriptor_ptr(ptr);
}

void statement_run::read_tables() {
  std::vector<std::string> names = referenced_tables(*query_);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  auto missing = std::make_shared<std::vector<std::string>>();
  for (const auto& n : names) {
    auto it = session_.txn_tables_.find(n);
    if (session_.txn_ && it != session_.txn_tables_.end()) {
      tables_[n] = it->second.table;
    } else {
      missing->push_back(n);
    }
  }
  if (missing->empty()) return bind_and_plan();
  std::vector<std::string> keys;
  for (const auto& n : *missing) keys.push_back(keys::table_descriptor_key(n));
  auto self = shared_from_this();
  txn_->batch_get(std::move(keys), via_trampoline<std::vector<std::optional<std::string>>>(
      tramp_, [self, missing](result<std::vector<std::optional<std::string>>> values) {
        if (!values) return self->fail_query(values.err());
        for (std::size_t i = 0; i < missing->size(); ++i) {
          const std::string& name = (*missing)[i];
          descriptor_ptr d;
          if ((*values)[i]) {
            auto decoded = self->decode_cached(name, *(*values)[i]);
            if (!decoded) return self->fail_query(decoded.err());
            d = *decoded;
          }
          self->tables_[name] = d;
          if (self->session_.txn_) self->session_.txn_tables_[name].table = d;
        }
        self->bind_and_plan();
      }));
}

void statement_run::bind_and_plan() {
  bind_context bctx{sql_, &params_};
  auto bound = bind_statement(*query_, tables_, bctx);
  if (!bound) return fail_query(bound.err());
  plan_context pctx;
  pctx.eval.source = sql_;
  pctx.eval.now_ms = txn::physical_ms_of(txn_->start_ts());
  pctx.eval.now_micros = static_cast<std::int64_t>(pctx.eval.now_ms) * 1000;
  pctx.eval.ids = &session_.ids_;
  auto plan = plan_statement(std::move(*bound), pctx);
  if (!plan) return fail_query(plan.err());
  plan_ = std::move(*plan);
  if (explain_) return explain();
  for (const auto& t : plan_->written) {
    auto entry = session_.txn_ ? &session_.txn_tables_[t->name] : nullptr;
    if (entry != nullptr && entry->validated) continue;
    if (auto st = txn_->validate_unchanged(keys::table_descriptor_key(t->name)); !st) {
      return fail_query(st.err());
    }
    if (entry != nullptr) entry->validated = true;
    validated_.emplace_back(t->name, t);
  }
  exec_ = std::make_unique<exec_context>(tramp_, *txn_, pctx.eval, &session_.cancelled_);
  execute_plan();
}

void statement_run::explain() {
  auto lines = explain_plan(*plan_, *session_.options_.cluster);
  result_.columns.push_back(result_column{"QUERY PLAN", "TEXT"});
  for (const auto& l : lines) {
    result_.rows.push_back({datum(l)});
    result_.explanation += l + "\n";
  }
  result_.tag = "EXPLAIN";
  complete_query();
}

void statement_run::execute_plan() {
  auto self = shared_from_this();
  auto counted = [self](result<std::uint64_t> n) {
    if (!n) return self->fail_query(n.err());
    self->result_.rows_affected = *n;
    self->complete_query();
  };
  if (const auto* s = std::get_if<select_plan>(&plan_->node)) {
    for (std::size_t i = 0; i < s->query.visible; ++i) {
      result_.columns.push_back(result_column{s->query.names[i], s->query.outputs[i].type.to_string()});
    }
    root_ = std::shared_ptr<exec_node>(build_select(*exec_, *s));
    return collect_rows(*exec_, root_, s->query.visible, [self](result<std::vector<row>> rows) {
      if (!rows) return self->fail_query(rows.err());
      self->result_.rows = std::move(*rows);
      self->complete_query();
    });
  }
  if (const auto* i = std::get_if<insert_plan>(&plan_->node)) return execute_insert(*exec_, *i, counted);
  if (const auto* u = std::get_if<update_plan>(&plan_->node)) return execute_update(*exec_, *u, counted);
  execute_delete(*exec_, std::get<delete_plan>(plan_->node), counted);
}

void statement_run::complete_query() {
  if (!explain_) result_.tag = command_tag(*plan_, result_);
  if (session_.txn_) {
    result_.ledger = ledger_since(txn_->round_trips(), session_.ledger_at_statement_start_);
    return finish(std::move(result_));
  }
  auto self = shared_from_this();
  own_txn_->commit(via_trampoline<std::uint64_t>(tramp_, [self](result<std::uint64_t> committed) {
    if (!committed) return self->fail_query(committed.err());
    self->ledger_.add(self->own_txn_->round_trips());
    self->own_txn_.reset();
    self->result_.ledger = self->ledger_;
    self->finish(std::move(self->result_));
  }));
}

void statement_run::fail_query(const error& e) {
  if (session_.txn_) return finish(e);  // inside BEGIN: reported; the transaction aborts
  if (own_txn_) {
    ledger_.add(own_txn_->round_trips());
    own_txn_->rollback([](result<txn::unit>) {});
    own_txn_.reset();
  }
  auto self = shared_from_this();
  if (e.code() == errc::write_conflict && !validated_.empty()) {
    return diagnose_conflict(validated_, e, [self](error mapped) { self->retry_or_finish(mapped); });
  }
  retry_or_finish(e);
}

void statement_run::retry_or_finish(const error& e) {
  if (!retry_may_help(e) || attempt_ >= query_limits::max_autocommit_attempts) return finish(e);
  ++ledger_.retries;
  auto self = shared_from_this();
  session_.options_.defer(backoff_ms(attempt_), [self]() {
    self->tramp_->post([self]() { self->begin_attempt(); });
  });
}

void statement_run::diagnose_conflict(std::vector<std::pair<std::string, descriptor_ptr>> tables,
                                      error e, std::function<void(error)> k) {
  if (e.code() != errc::write_conflict || tables.empty()) return k(std::move(e));
  auto shared = std::make_shared<std::vector<std::pair<std::string, descriptor_ptr>>>(std::move(tables));
  auto self = shared_from_this();
  session_.engine_.begin(txn::begin_options{}, via_trampoline<std::unique_ptr<txn::transaction>>(
      tramp_, [self, shared, e, k](result<std::unique_ptr<txn::transaction>> t) {
        if (!t) return k(e);
        std::vector<std::string> keys;
        for (const auto& [name, d] : *shared) keys.push_back(keys::table_descriptor_key(name));
        std::shared_ptr<txn::transaction> check(std::move(*t));
        check->batch_get(std::move(keys), via_trampoline<std::vector<std::optional<std::string>>>(
            self->tramp_, [shared, e, k, check](result<std::vector<std::optional<std::string>>> v) {
              check->rollback([](result<txn::unit>) {});
              if (!v) return k(e);
              for (std::size_t i = 0; i < shared->size(); ++i) {
                const auto& [name, before] = (*shared)[i];
                auto header = (*v)[i] ? read_descriptor_header(*(*v)[i])
                                      : result<descriptor_header>(descriptor_header{});
                if (!header) continue;
                if (!before || header->id != before->id || header->version != before->version) {
                  return k(error(errc::sql_schema_changed,
                                 "table " + name + " changed (schema version " +
                                     std::to_string(before ? before->version : 0) + " -> " +
                                     std::to_string(header->version) +
                                     ") while the transaction ran; run it again"));
                }
              }
              k(e);
            }));
      }));
}

}  // namespace meridian::query
