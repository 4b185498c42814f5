// The coordinator's reads and lock resolution (PROTOCOL.md "Reads at read_ts" and "Lock
// resolution"): a read that meets a foreign lock asks the lock's primary how its transaction
// ended (check_txn_status), resolves the key accordingly, and retries; a live classic lock is
// pushed past the read instead; an async-commit lock whose TTL passed is decided from all its
// keys (check_secondary_lock). Outcomes are cached per start_ts.
#include "actors/coordinator_core.hpp"

namespace meridian::actors {

void txn_core::read_key(std::string key, std::uint64_t deadline_ms, int attempt,
                        txn::callback<std::optional<std::string>> done) {
  auto self = shared_from_this();
  query_shard(
      [self, key] { return self->io().locate(key); },
      [self, key](const route& r) {
        return shard_query(get_query{r.epoch, key, storage::read_options{self->start_ts, self->bypass}});
      },
      deadline_ms, attempt,
      [self, key, deadline_ms, attempt, done](result<std::pair<route, std::string>> got) {
        if (!got) return done(got.err());
        auto answer = decode_answer(got->second);
        if (answer) return done(decode_value(*answer));
        if (answer.err().code() != errc::key_locked) return done(answer.err().cause);
        self->after_lock(
            answer.err().lock, deadline_ms, attempt,
            [self, key, deadline_ms, attempt, done] {
              self->read_key(key, deadline_ms, attempt + 1, done);
            },
            [key, done](error e) {
              if (e.code() == errc::lock_not_resolved) {
                e = error(errc::lock_not_resolved, "a lock on '" + txn::printable_key(key) +
                                                       "' was not resolved before the read's "
                                                       "deadline");
              }
              done(std::move(e));
            });
      });
}

void txn_core::after_lock(const std::optional<storage::locked_key>& met, std::uint64_t deadline_ms,
                          int attempt, std::function<void()> again,
                          std::function<void(error)> fail) {
  auto self = shared_from_this();
  auto retry = [self, deadline_ms, attempt, again, fail](result<resolution> r) {
    if (!r) return fail(r.err());
    if (self->past(deadline_ms)) {
      return fail(error(errc::lock_not_resolved,
                        "a lock met by a read was not resolved before the read's deadline"));
    }
    if (*r == resolution::wait) return self->io().after(self->backoff_ms(attempt), again);
    again();
  };
  if (!met) return retry(resolution::wait);  // a lock still being proposed
  resolve(*met, true, retry);
}

void txn_core::read_page(txn::scan_merger::fetch f, bool reverse, std::uint64_t deadline_ms,
                         int attempt, txn::callback<txn::scan_page> done) {
  auto self = shared_from_this();
  locator where = [self, f, reverse] {
    return reverse ? self->io().locate_before(f.end) : self->io().locate(f.start);
  };
  query_shard(
      where,
      [self, f, reverse](const route& r) {
        return shard_query(scan_query{r.epoch, f.start, f.end,
                                      storage::read_options{self->start_ts, self->bypass},
                                      static_cast<std::uint32_t>(f.limit), reverse});
      },
      deadline_ms, attempt,
      [self, f, reverse, deadline_ms, attempt, done](result<std::pair<route, std::string>> got) {
        if (!got) return done(got.err());
        auto answer = decode_answer(got->second);
        if (!answer) return done(answer.err().cause);
        auto page = decode_scan(*answer);
        if (!page) return done(page.err());
        if (page->blocked) {
          // Resolve the lock, then read the page again (rows before it are read again too).
          return self->resolve(*page->blocked, true,
                               [self, f, reverse, deadline_ms, attempt, done](result<resolution> r) {
                                 if (!r) return done(r.err());
                                 auto again = [self, f, reverse, deadline_ms, attempt, done] {
                                   self->read_page(f, reverse, deadline_ms, attempt + 1, done);
                                 };
                                 if (*r == resolution::wait) {
                                   return self->io().after(self->backoff_ms(attempt), again);
                                 }
                                 again();
                               });
        }
        const route& shard = got->first;
        txn::scan_page out;
        for (auto& [k, v] : page->rows) out.rows.push_back(txn::kv_pair{std::move(k), std::move(v)});
        out.more = page->more;
        out.resume_key = std::move(page->resume_key);
        if (!out.more) {
          // The shard is done; the range may go on in the next shard.
          if (!reverse && !shard.end.empty() && (f.end.empty() || shard.end < f.end)) {
            out.more = true;
            out.resume_key = shard.end;
          } else if (reverse && shard.start > f.start) {
            out.more = true;
            out.resume_key = shard.start;
          }
        }
        done(std::move(out));
      });
}

void txn_core::resolve_key(const std::string& key, std::uint64_t lock_start_ts,
                           txn::txn_outcome outcome, txn::callback<resolution> done) {
  auto self = shared_from_this();
  std::uint64_t deadline = io().now_ms() + options().read_deadline_ms;
  scatter({key},
          [lock_start_ts, outcome](const route& r, const std::vector<std::string>& keys) {
            return shard_command(resolve_lock_cmd{r.epoch, {lock_start_ts, outcome, keys}});
          },
          deadline, [self, done](result<std::vector<group_answer>> answers) {
            if (!answers) return done(answers.err());
            for (const auto& a : *answers) {
              // A contradiction (the key carries another outcome) is a broken transaction.
              if (!a.answer) return done(a.answer.err().cause);
            }
            ++self->ledger.lock_resolutions;  // cleared: counted once, not per look at it
            done(resolution::resolved);
          });
}

void txn_core::resolve(storage::locked_key met, bool reader, txn::callback<resolution> done) {
  auto self = shared_from_this();
  std::uint64_t lock_ts = met.lock.start_ts;
  if (auto known = shared->resolved.find(lock_ts)) {
    return resolve_key(met.key, lock_ts, *known, done);
  }
  fetch_timestamp([self, met, reader, lock_ts, done](result<std::uint64_t> now) {
    if (!now) return done(now.err());
    ++self->ledger.tso_round_trips;
    txn::check_txn_status_request req;
    req.primary = met.lock.primary;
    req.start_ts = lock_ts;
    req.caller_ts = *now;
    req.met_lock_ttl_ms = met.lock.ttl_ms;
    req.push_min_commit_ts = reader && !met.lock.use_async_commit;
    std::uint64_t deadline = self->io().now_ms() + self->options().read_deadline_ms;
    self->scatter(
        {met.lock.primary},
        [req](const route& r, const std::vector<std::string>&) {
          return shard_command(check_txn_status_cmd{r.epoch, req, 0});
        },
        deadline, [self, met, reader, lock_ts, done](result<std::vector<group_answer>> answers) {
          if (!answers) return done(answers.err());
          const auto& a = answers->front().answer;
          if (!a) return done(a.err().cause);
          auto st = decode_txn_status(*a);
          if (!st) return done(st.err());
          using state = txn::txn_status::state;
          auto settle = [self, met, lock_ts, done](txn::txn_outcome o) {
            self->shared->resolved.insert(lock_ts, o);
            self->resolve_key(met.key, lock_ts, o, done);
          };
          switch (st->outcome) {
            case state::committed:
              return settle(txn::txn_outcome::committed_at(st->commit_ts));
            case state::rolled_back:
              return settle(txn::txn_outcome::rolled_back());
            case state::locked:
              if (reader && st->lock && st->lock->min_commit_ts > self->start_ts) {
                return done(resolution::bypass);
              }
              return done(resolution::wait);
            case state::check_secondaries:
              if (!st->lock_expired || !st->lock) return done(resolution::wait);
              return self->recover_async(*st->lock, [settle, done](result<txn::txn_outcome> o) {
                if (!o) return done(o.err());
                settle(*o);
              });
            case state::not_yet_prewritten:
              return done(resolution::wait);
          }
          done(resolution::wait);
        });
  });
}

void txn_core::recover_async(storage::lock_record primary_lock,
                             txn::callback<txn::txn_outcome> done) {
  std::vector<std::string> keys = primary_lock.secondaries;
  keys.push_back(primary_lock.primary);
  std::uint64_t lock_ts = primary_lock.start_ts;
  std::uint64_t deadline = io().now_ms() + options().read_deadline_ms;
  scatter(keys,
          [lock_ts](const route& r, const std::vector<std::string>& group) {
            return shard_command(check_secondary_locks_cmd{r.epoch, {lock_ts, group}});
          },
          deadline, [done](result<std::vector<group_answer>> answers) {
            if (!answers) return done(answers.err());
            std::vector<txn::secondary_status> all;
            for (const auto& a : *answers) {
              if (!a.answer) return done(a.answer.err().cause);
              auto statuses = decode_secondary_statuses(*a.answer);
              if (!statuses) return done(statuses.err());
              all.insert(all.end(), statuses->begin(), statuses->end());
            }
            auto decided = txn::decide_async_commit(all);
            if (!decided) return done(decided.err().cause);
            done(*decided);
          });
}

}  // namespace meridian::actors
