// The transaction runner DDL is built from, range deletion, descriptor reads, and the DDL
// dispatcher; see ddl.hpp.
#include <algorithm>

#include "query/ddl.hpp"
#include "query/descriptor_codec.hpp"
#include "query/keys.hpp"
#include "query/query_limits.hpp"
#include "storage/key_codec.hpp"

namespace meridian::query {
namespace {

struct txn_step {
  ddl_env env;
  txn_body body;
  std::shared_ptr<txn::ledger> ledger;
  std::function<void(status)> done;
  std::unique_ptr<txn::transaction> txn;
  int attempt = 0;
};

void attempt_step(std::shared_ptr<txn_step> s);

void fail_or_retry(std::shared_ptr<txn_step> s, const error& e) {
  if (s->txn) {
    s->ledger->add(s->txn->round_trips());
    s->txn->rollback([](result<txn::unit>) {});
    s->txn.reset();
  }
  if (!retry_may_help(e) || s->attempt >= query_limits::max_ddl_attempts) return s->done(e);
  ++s->ledger->retries;
  auto t = s->env.tramp;
  s->env.defer(backoff_ms(s->attempt), [t, s]() { t->post([s]() { attempt_step(s); }); });
}

void attempt_step(std::shared_ptr<txn_step> s) {
  ++s->attempt;
  if (s->env.cancelled != nullptr && s->env.cancelled->load()) {
    return s->done(error(errc::cancelled, "the statement was cancelled"));
  }
  txn::begin_options options;
  options.cancel = s->env.cancelled;
  options.cancel_commit = false;  // each step's next one depends on whether it committed
  s->env.engine->begin(
      options,
      via_trampoline<std::unique_ptr<txn::transaction>>(
          s->env.tramp, [s](result<std::unique_ptr<txn::transaction>> t) {
            if (!t) return fail_or_retry(s, t.err());
            s->txn = std::move(*t);
            s->body(*s->txn, [s](status body_status) {
              if (!body_status) return fail_or_retry(s, body_status.err());
              s->txn->commit(via_trampoline<std::uint64_t>(
                  s->env.tramp, [s](result<std::uint64_t> committed) {
                    if (!committed) return fail_or_retry(s, committed.err());
                    s->ledger->add(s->txn->round_trips());
                    s->txn.reset();
                    s->done(ok_status());
                  }));
            });
          }));
}

struct range_delete {
  ddl_env env;
  std::string start;
  std::string end;
  std::shared_ptr<txn::ledger> ledger;
  std::function<void(status)> done;
  bool more = true;
};

void delete_batch(std::shared_ptr<range_delete> s) {
  if (!s->more) return s->done(ok_status());
  auto body = [s](txn::transaction& txn, std::function<void(status)> finish) {
    txn.scan(s->start, s->end, query_limits::cleanup_batch_keys, false,
             via_trampoline<txn::scan_page>(s->env.tramp, [s, &txn, finish](result<txn::scan_page> page) {
               if (!page) return finish(page.err());
               for (const auto& kv : page->rows) {
                 if (auto st = txn.del(kv.key); !st) return finish(st.err());
               }
               s->more = page->more;
               if (page->more) s->start = page->resume_key;
               finish(ok_status());
             }));
  };
  run_in_transaction(s->env, body, s->ledger, [s](status st) {
    if (!st) return s->done(st.err());
    delete_batch(s);
  });
}

struct sweep_state {
  ddl_env env;
  std::shared_ptr<txn::ledger> ledger;
  std::vector<std::int64_t> tables;
  std::size_t next = 0;
  std::function<void(status)> done;
};

void sweep_next(std::shared_ptr<sweep_state> s) {
  if (s->next == s->tables.size()) return s->done(ok_status());
  std::int64_t id = s->tables[s->next++];
  std::string start = keys::table_prefix(id);
  delete_range(s->env, start, storage::codec::prefix_end(start), s->ledger, [s, id](status st) {
    if (!st) return s->done(st.err());
    std::string job = keys::drop_job_key(id);
    delete_range(s->env, job, job + std::string(1, '\0'), s->ledger, [s](status cleared) {
      if (!cleared) return s->done(cleared.err());
      sweep_next(s);
    });
  });
}

}  // namespace

void sweep_dropped_tables(const ddl_env& env, std::shared_ptr<txn::ledger> ledger,
                          std::function<void(status)> done) {
  auto s = std::make_shared<sweep_state>();
  s->env = env;
  s->ledger = ledger;
  s->done = std::move(done);
  auto body = [s](txn::transaction& txn, std::function<void(status)> finish) {
    s->tables.clear();
    txn.scan(keys::drop_jobs_start(), keys::drop_jobs_end(), query_limits::cleanup_batch_keys,
             false, via_trampoline<txn::scan_page>(s->env.tramp, [s, finish](result<txn::scan_page> p) {
               if (!p) return finish(p.err());
               for (const auto& kv : p->rows) {
                 auto id = keys::table_id_of_drop_job(kv.key);
                 if (!id) return finish(id.err());
                 s->tables.push_back(*id);
               }
               finish(ok_status());
             }));
  };
  run_in_transaction(env, body, ledger, [s](status st) {
    if (!st) return s->done(st.err());
    sweep_next(s);
  });
}

bool retry_may_help(const error& e) {
  // unavailable: the io already kept trying every replica until its own deadline; running the
  // statement again would only multiply the wait (five 8-second waits for one statement while a
  // quorum is down) before the same answer.
  return e.retryable() && e.code() != errc::outcome_unknown && e.code() != errc::timeout &&
         e.code() != errc::cancelled && e.code() != errc::unavailable;
}

std::uint32_t backoff_ms(int attempt) {
  std::uint32_t ms = query_limits::backoff_base_ms << std::min(attempt - 1, 16);
  return std::min(ms, query_limits::backoff_max_ms);
}

void run_in_transaction(const ddl_env& env, txn_body body, std::shared_ptr<txn::ledger> ledger,
                        std::function<void(status)> done) {
  auto s = std::make_shared<txn_step>();
  s->env = env;
  s->body = std::move(body);
  s->ledger = std::move(ledger);
  s->done = std::move(done);
  attempt_step(std::move(s));
}

void delete_range(const ddl_env& env, std::string start, std::string end,
                  std::shared_ptr<txn::ledger> ledger, std::function<void(status)> done) {
  auto s = std::make_shared<range_delete>();
  s->env = env;
  s->start = std::move(start);
  s->end = std::move(end);
  s->ledger = std::move(ledger);
  s->done = std::move(done);
  delete_batch(std::move(s));
}

void read_descriptor(const ddl_env& env, txn::transaction& txn, const std::string& name,
                     std::function<void(result<std::optional<table_descriptor>>)> done) {
  txn.get(keys::table_descriptor_key(name),
          via_trampoline<std::optional<std::string>>(
              env.tramp, [done](result<std::optional<std::string>> v) {
                if (!v) return done(v.err());
                if (!*v) return done(std::optional<table_descriptor>());
                auto d = decode_descriptor(**v);
                if (!d) return done(d.err());
                return done(std::optional<table_descriptor>(std::move(*d)));
              }));
}

void execute_ddl(const ddl_env& env, const sql::statement& statement, ddl_callback done) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, sql::create_table_stmt>) {
          create_table(env, n, std::move(done));
        } else if constexpr (std::is_same_v<T, sql::drop_table_stmt>) {
          drop_table(env, n, std::move(done));
        } else if constexpr (std::is_same_v<T, sql::alter_table_stmt>) {
          alter_table(env, n, std::move(done));
        } else if constexpr (std::is_same_v<T, sql::create_index_stmt>) {
          create_index(env, n, std::move(done));
        } else if constexpr (std::is_same_v<T, sql::drop_index_stmt>) {
          drop_index(env, n, std::move(done));
        } else {
          MERIDIAN_ASSERT(false, "execute_ddl called on a statement that is not DDL");
        }
      },
      statement.node);
}

}  // namespace meridian::query
