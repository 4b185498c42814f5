// The coordinator's commit paths (PROTOCOL.md "The commit path"): one-phase commit when every key
// lives in one shard, async commit for small transactions (committed once every prewrite
// succeeded, at the largest min_commit_ts), classic two-phase commit otherwise (the primary's
// commit is the commit point). Secondaries are committed in the background after the answer.
#include <algorithm>

#include "actors/coordinator_core.hpp"
#include "common/limits.hpp"
#include "txn/timestamp.hpp"

namespace meridian::actors {
namespace {

using group_answer = txn_core::group_answer;

error aborted(const error& why) { return why; }

struct commit_plan {
  std::vector<txn::mutation> mutations;
  std::map<std::string, txn::mutation> by_key;
  std::string primary;
  std::uint64_t deadline_ms = 0;
  prewrite_mode mode = prewrite_mode::classic;
  std::uint64_t min_commit_ts = 0;  // async: the largest min_commit_ts seen
  // A prewrite found the transaction already committed (a resolver met its async-commit locks,
  // found them all and committed it): its commit_ts is decided, whatever this coordinator would
  // have computed from the answers it has (one may have been lost).
  std::optional<std::uint64_t> decided_commit_ts;
  int attempt = 0;
  // A one-phase attempt's answer was lost (or the shard could not tell): that command may still
  // commit the transaction, until a later command on its keys proves it did or cannot.
  bool one_phase_unsure = false;
  // The client has its answer: heartbeats stop (the background commit needs no live TTL: a
  // resolver that finds the primary committed rolls its secondaries forward).
  bool settled = false;
};

std::vector<std::string> keys_of_plan(const commit_plan& p) {
  std::vector<std::string> keys;
  for (const auto& m : p.mutations) keys.push_back(m.key);
  return keys;
}

// A lock's TTL counts from its start_ts (PROTOCOL.md "Timestamps"), so a transaction that read
// for a while before committing asks for the time it has already spent plus the configured TTL:
// otherwise an interactive transaction's locks would be expired the moment they are written.
std::uint64_t ttl_from_now(txn_core& t) {
  std::uint64_t started = txn::physical_ms_of(t.start_ts);
  std::uint64_t now = t.io().now_ms();
  std::uint64_t elapsed = now > started ? now - started : 0;
  return std::min(limits::max_lock_ttl_ms, elapsed + t.options().lock_ttl_ms);
}

txn::prewrite_params params_of(txn_core& t, const commit_plan& p) {
  txn::prewrite_params params;
  params.primary = p.primary;
  params.start_ts = t.start_ts;
  params.ttl_ms = ttl_from_now(t);
  if (p.mode == prewrite_mode::async_commit) {
    params.use_async_commit = true;
    for (const auto& m : p.mutations) {
      if (m.key != p.primary) params.secondaries.push_back(m.key);
    }
  }
  return params;
}

// Commits (or rolls back) keys in the background: the answer has already been given.
void finish_keys(const std::shared_ptr<txn_core>& self, std::vector<std::string> keys,
                 std::optional<std::uint64_t> commit_ts) {
  if (keys.empty()) return;
  std::uint64_t start_ts = self->start_ts;
  std::uint64_t deadline = self->io().now_ms() + self->options().commit_deadline_ms;
  self->scatter(
      std::move(keys),
      [start_ts, commit_ts](const route& r, const std::vector<std::string>& group) {
        if (commit_ts) return shard_command(commit_cmd{r.epoch, {start_ts, *commit_ts, group}});
        return shard_command(rollback_cmd{r.epoch, {start_ts, group}});
      },
      deadline, [](result<std::vector<group_answer>>) {
        // Keys left behind are resolved by the next reader through the primary.
      });
}

// While the commit is in flight, extends the primary lock's TTL every half TTL (txn_heartbeat), so
// readers that meet a slow commit's locks (a shard electing a leader, a large prewrite) wait for
// it instead of rolling it back. Stops once the client has its answer or the primary is gone.
void keep_alive(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan) {
  std::uint64_t every = std::max<std::uint64_t>(1, self->options().lock_ttl_ms / 2);
  // The timer holds the transaction weakly: one that settled and was let go is not kept in
  // memory until its next heartbeat would have been due.
  std::weak_ptr<txn_core> weak_self = self;
  std::weak_ptr<commit_plan> weak_plan = plan;
  self->io().after(every, [weak_self, weak_plan, every] {
    auto self = weak_self.lock();
    auto plan = weak_plan.lock();
    if (!self || !plan || plan->settled) return;
    std::uint64_t start_ts = self->start_ts;
    std::uint64_t ttl = ttl_from_now(*self);
    std::string primary = plan->primary;
    self->scatter(
        {primary},
        [start_ts, ttl, primary](const route& r, const std::vector<std::string>&) {
          return shard_command(heartbeat_cmd{r.epoch, primary, start_ts, ttl});
        },
        self->io().now_ms() + every, [self, plan](result<std::vector<group_answer>> answers) {
          // Committed, rolled back or refused: nothing left to keep alive. A lost heartbeat is
          // sent again, and so is one that came before the primary's prewrite was applied.
          const auto* a = answers.ok() ? &answers->front().answer : nullptr;
          bool gone = a && !a->ok() && a->err().code() != errc::txn_lock_not_found;
          if (!gone) keep_alive(self, plan);
        });
  });
}

// Resolves every lock a prewrite met, then retries those keys (after a back-off when one is
// still live). Wait-die: two transactions whose prewrites each met the other's live lock would
// wait for each other until their deadlines (the simulator found it), so a transaction waits only
// for older ones; one that meets a live lock of an older transaction gives way (its abort frees
// its locks).
void resolve_then_retry(std::shared_ptr<txn_core> self, std::vector<storage::locked_key> locks,
                        int attempt, std::function<void()> retry,
                        std::function<void(error)> give_way) {
  auto pending = std::make_shared<std::size_t>(locks.size());
  auto older = std::make_shared<std::optional<storage::locked_key>>();
  for (auto& l : locks) {
    bool is_older = l.lock.start_ts < self->start_ts;
    self->resolve(l, false, [self, pending, attempt, retry, give_way, older, l,
                             is_older](result<resolution> r) {
      bool wait = !r || *r == resolution::wait;
      if (wait && is_older) *older = l;
      if (--*pending > 0) return;
      if (*older) {
        return give_way(error(errc::write_conflict,
                              "key '" + txn::printable_key((*older)->key) +
                                  "' is locked by the older transaction " +
                                  std::to_string((*older)->lock.start_ts) +
                                  ", still committing; this one gives way so that neither waits "
                                  "for the other"));
      }
      if (wait) return self->io().after(self->backoff_ms(attempt), retry);
      retry();
    });
  }
}

// Prewrites every key of the plan (parallel per shard), resolving locks met and retrying, then
// calls done with the plan (min_commit_ts filled for async commit) or the error that aborts it.
void prewrite_all(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                  std::vector<std::string> keys,
                  std::function<void(result<std::shared_ptr<commit_plan>>)> done) {
  ++self->ledger.prewrite_rounds;
  auto params = params_of(*self, *plan);
  self->scatter(
      std::move(keys),
      [plan, params](const route& r, const std::vector<std::string>& group) {
        prewrite_cmd c;
        c.epoch = r.epoch;
        c.mode = plan->mode;
        c.request.txn = params;
        for (const auto& k : group) c.request.mutations.push_back(plan->by_key.at(k));
        return shard_command(c);
      },
      plan->deadline_ms, [self, plan, done](result<std::vector<group_answer>> answers) {
        if (!answers) return done(answers.err());
        std::vector<std::string> again;
        std::vector<storage::locked_key> locks;
        bool not_ready = false;
        for (const auto& a : *answers) {
          if (a.answer) {
            auto r = decode_prewrite_answer(*a.answer);
            if (!r) return done(r.err());
            plan->min_commit_ts = std::max(plan->min_commit_ts, r->min_commit_ts);
            for (const auto& k : r->keys) {
              if (k.already_committed_at) plan->decided_commit_ts = *k.already_committed_at;
            }
            continue;
          }
          errc code = a.answer.err().code();
          if (code == errc::key_locked && a.answer.err().lock) {
            locks.push_back(*a.answer.err().lock);
          } else if (code == errc::key_locked || code == errc::not_ready) {
            not_ready = not_ready || code == errc::not_ready;
          } else {
            return done(a.answer.err().cause);
          }
          again.insert(again.end(), a.keys.begin(), a.keys.end());
        }
        if (again.empty()) return done(plan);
        if (self->past(plan->deadline_ms)) {
          return done(error(not_ready ? errc::not_ready : errc::lock_not_resolved,
                            "prewrite kept meeting locks (or a shard not ready for async "
                            "commit) until the commit's deadline"));
        }
        int attempt = plan->attempt++;
        auto retry = [self, plan, again, done] { prewrite_all(self, plan, again, done); };
        if (locks.empty()) return self->io().after(self->backoff_ms(attempt), retry);
        resolve_then_retry(self, std::move(locks), attempt, retry,
                           [done](error why) { done(std::move(why)); });
      },
      /*give_up_unavailable=*/true);
}

void commit_primary(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                    std::uint64_t commit_ts, txn::callback<std::uint64_t> done);

// Classic commit, after every prewrite: a commit_ts from the TSO, the validated keys read at it,
// then the primary's commit (the commit point).
void classic_after_prewrite(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                            txn::callback<std::uint64_t> done);

void validate_at(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                 std::uint64_t commit_ts, std::size_t next, txn::callback<std::uint64_t> done) {
  if (next == self->unchanged.size()) return commit_primary(self, plan, commit_ts, done);
  std::string key = self->unchanged[next];
  self->query_shard(
      [self, key] { return self->io().locate(key); },
      [key, commit_ts, self](const route& r) {
        return shard_query(latest_write_query{r.epoch, key, storage::read_options{commit_ts, self->bypass}});
      },
      plan->deadline_ms, 0,
      [self, plan, commit_ts, next, key, done](result<std::pair<route, std::string>> got) {
        auto fail = [self, plan, done](error e) {
          finish_keys(self, keys_of_plan(*plan), std::nullopt);
          done(e);
        };
        if (!got) return fail(got.err());
        auto answer = decode_answer(got->second);
        if (!answer && answer.err().code() == errc::key_locked && answer.err().lock) {
          return self->resolve(*answer.err().lock, true,
                               [self, plan, commit_ts, next, done](result<resolution>) {
                                 self->io().after(self->backoff_ms(plan->attempt++), [=] {
                                   validate_at(self, plan, commit_ts, next, done);
                                 });
                               });
        }
        if (!answer) return fail(answer.err().cause);
        auto newest = decode_u64(*answer);
        if (!newest) return fail(newest.err());
        if (*newest > self->start_ts) {
          return fail(error(errc::write_conflict, "'" + txn::printable_key(key) +
                                                      "' changed after the transaction began"));
        }
        validate_at(self, plan, commit_ts, next + 1, done);
      });
}

void classic_after_prewrite(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                            txn::callback<std::uint64_t> done) {
  self->fetch_timestamp([self, plan, done](result<std::uint64_t> ts) {
    ++self->ledger.tso_round_trips;
    if (!ts) {
      finish_keys(self, keys_of_plan(*plan), std::nullopt);
      return done(ts.err());
    }
    validate_at(self, plan, *ts, 0, done);
  });
}

void commit_primary(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                    std::uint64_t commit_ts, txn::callback<std::uint64_t> done) {
  ++self->ledger.commit_rounds;
  std::uint64_t start_ts = self->start_ts;
  self->scatter(
      {plan->primary},
      [start_ts, commit_ts](const route& r, const std::vector<std::string>& group) {
        return shard_command(commit_cmd{r.epoch, {start_ts, commit_ts, group}});
      },
      plan->deadline_ms, [self, plan, commit_ts, done](result<std::vector<group_answer>> answers) {
        if (!answers) {
          // The commit may or may not have reached the primary before we gave up.
          return done(error(errc::outcome_unknown,
                            "the primary's commit was not confirmed before the deadline (" +
                                answers.err().message() + ")"));
        }
        const auto& a = answers->front().answer;
        if (a) {
          auto decoded = decode_u64(*a);
          std::uint64_t recorded = decoded.ok() ? *decoded : commit_ts;
          std::vector<std::string> secondaries;
          for (const auto& m : plan->mutations) {
            if (m.key != plan->primary) secondaries.push_back(m.key);
          }
          done(recorded);
          return finish_keys(self, std::move(secondaries), recorded);
        }
        if (a.err().code() == errc::commit_ts_expired) {
          // A reader pushed the primary's min_commit_ts: commit above it, after validating the
          // unchanged keys again at the new commit_ts (a schema change may have committed
          // between the two).
          std::uint64_t floor = a.err().min_commit_ts;
          return self->fetch_timestamp([self, plan, floor, done](result<std::uint64_t> ts) {
            ++self->ledger.tso_round_trips;
            if (!ts) return done(error(errc::outcome_unknown, ts.err().message()));
            validate_at(self, plan, std::max(*ts, floor), 0, done);
          });
        }
        done(a.err().cause);  // rolled back by a resolver, or its lock vanished: not committed
      });
}

void one_phase(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan, route where,
               int attempt, txn::callback<std::uint64_t> done);

// After a one-phase attempt whose answer was lost, a failed classic prewrite proves nothing: the
// one-phase command may still commit until a rollback record stands in its way. So roll every
// key back and look: a key already committed means it committed (at that key's commit_ts); every
// key rolled back means aborted; no answer means the outcome is unknown. (Only classic locks can
// be ours here, and nobody commits those without the primary's commit, which was never sent.)
void abort_by_rollback(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                       error why, txn::callback<std::uint64_t> done) {
  std::uint64_t start_ts = self->start_ts;
  self->scatter(
      keys_of_plan(*plan),
      [start_ts](const route& r, const std::vector<std::string>& group) {
        return shard_command(rollback_cmd{r.epoch, {start_ts, group}});
      },
      self->io().now_ms() + self->options().commit_deadline_ms,
      [self, plan, why, done](result<std::vector<group_answer>> answers) {
        if (!answers) {
          return done(error(errc::outcome_unknown,
                            "a one-phase attempt unconfirmed and the rollback unconfirmed (" +
                                why.message() + ")"));
        }
        for (const auto& a : *answers) {
          if (!a.answer && a.answer.err().code() == errc::txn_already_committed) {
            std::uint64_t c = a.answer.err().commit_ts;
            done(c);
            return finish_keys(self, keys_of_plan(*plan), c);
          }
        }
        done(why);
      });
}

// An async-commit transaction whose prewrites did not all succeed is not necessarily aborted: a
// key that refused the last attempt (not ready, locked) may hold our lock from an earlier attempt
// whose answer was lost, and once every key is locked the transaction IS committed (PROTOCOL.md
// step 4) — a resolver may already be committing it. Rolling keys back here would race it (the
// simulator found exactly that: a resolver committed the primary while this rollback removed a
// secondary's lock). So decide as a resolver does (check_secondary_locks on every key: a key
// without our lock gets a rollback record, so the transaction can never become all-locked), then
// finish every key the same way: committed, or rolled back. No answer: the outcome is unknown.
void abort_async(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan, error why,
                 txn::callback<std::uint64_t> done) {
  storage::lock_record primary;
  primary.primary = plan->primary;
  primary.start_ts = self->start_ts;
  for (const auto& m : plan->mutations) {
    if (m.key != plan->primary) primary.secondaries.push_back(m.key);
  }
  self->recover_async(primary, [self, plan, why, done](result<txn::txn_outcome> o) {
    if (!o) {
      return done(error(errc::outcome_unknown,
                        "async commit: prewrites unconfirmed and their locks could not be checked (" +
                            why.message() + "; " + o.err().message() + ")"));
    }
    if (o->committed()) {
      done(o->commit_ts);
      return finish_keys(self, keys_of_plan(*plan), o->commit_ts);
    }
    finish_keys(self, keys_of_plan(*plan), std::nullopt);
    done(why);
  });
}

void start_commit(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan,
                  txn::callback<std::uint64_t> done) {
  auto groups = group_by_shard(self->io(), plan->mutations);
  if (groups.unknown) {
    if (self->past(plan->deadline_ms)) {
      return done(error(errc::unavailable, "the shard directory does not cover the keys"));
    }
    return self->io().refresh([self, plan, done](result<txn::unit>) { start_commit(self, plan, done); });
  }
  // One shard, and few enough keys for one command: the one-phase commit is a single command.
  bool single = groups.groups.size() == 1 &&
                groups.groups.begin()->second.second.size() + self->unchanged.size() <=
                    limits::max_keys_per_command;
  const route& first = groups.groups.begin()->second.first;
  for (const auto& k : self->unchanged) {
    auto w = self->io().locate(k);
    single = single && w && w->shard == first.shard;
  }
  txn::commit_mode mode = self->mode;
  if (single && mode != txn::commit_mode::classic) return one_phase(self, plan, first, 0, done);
  keep_alive(self, plan);
  bool small = plan->mutations.size() <= self->options().async_commit_max_keys;
  if (mode != txn::commit_mode::classic && small && self->unchanged.empty()) {
    plan->mode = prewrite_mode::async_commit;
    self->ledger.commit_path = "async-commit";
    return prewrite_all(self, plan, keys_of_plan(*plan),
                        [self, plan, done](result<std::shared_ptr<commit_plan>> p) {
                          if (!p) return abort_async(self, plan, p.err(), done);
                          // Committed: every prewrite succeeded (PROTOCOL.md step 4), at the
                          // largest min_commit_ts — or where a resolver already committed it.
                          // The commit records are written in the background: the client
                          // waits for no commit round (the ledger counts only rounds it waits on).
                          std::uint64_t commit_ts =
                              plan->decided_commit_ts.value_or(plan->min_commit_ts);
                          done(commit_ts);
                          finish_keys(self, keys_of_plan(*plan), commit_ts);
                        });
  }
  plan->mode = prewrite_mode::classic;
  self->ledger.commit_path = "classic";
  prewrite_all(self, plan, keys_of_plan(*plan),
               [self, plan, done](result<std::shared_ptr<commit_plan>> p) {
                 if (!p) {
                   // After a one-phase attempt that may still apply, a failed prewrite proves
                   // nothing: roll every key back and look, as for async commit.
                   if (plan->one_phase_unsure) return abort_by_rollback(self, plan, p.err(), done);
                   finish_keys(self, keys_of_plan(*plan), std::nullopt);
                   return done(aborted(p.err()));
                 }
                 if (plan->decided_commit_ts) {
                   // An earlier one-phase attempt, whose answer was lost, had committed it.
                   std::uint64_t c = *plan->decided_commit_ts;
                   done(c);
                   return finish_keys(self, keys_of_plan(*plan), c);
                 }
                 classic_after_prewrite(self, plan, done);
               });
}

void one_phase(std::shared_ptr<txn_core> self, std::shared_ptr<commit_plan> plan, route where,
               int attempt, txn::callback<std::uint64_t> done) {
  self->ledger.commit_path = "one-phase";
  prewrite_cmd c;
  c.epoch = where.epoch;
  c.mode = prewrite_mode::one_pc;
  c.request.txn = params_of(*self, *plan);
  c.request.mutations = plan->mutations;
  c.validate = self->unchanged;
  ++self->ledger.commit_rounds;
  auto retry = [self, plan, where, attempt, done](bool regroup) {
    if (self->past(plan->deadline_ms)) {
      return done(error(errc::outcome_unknown,
                        "the one-phase commit was not confirmed before the deadline"));
    }
    ++self->ledger.retries;
    self->io().after(self->backoff_ms(attempt), [self, plan, where, attempt, done, regroup] {
      if (regroup) return start_commit(self, plan, done);
      one_phase(self, plan, where, attempt + 1, done);
    });
  };
  self->send_command(where.shard, encode_command(c),
                     [self, plan, retry, attempt, done](result<std::string> bytes) {
    // A lost answer is retried with the same command: a duplicate finds its own commit record.
    if (!bytes) {
      plan->one_phase_unsure = true;
      return retry(false);
    }
    auto a = decode_answer(*bytes);
    if (a) return done(decode_u64(*a));
    errc code = a.err().code();
    if (code == errc::outcome_unknown) plan->one_phase_unsure = true;
    if (code == errc::epoch_mismatch) {
      return self->io().refresh([retry](result<txn::unit>) { retry(true); });
    }
    if (code == errc::not_ready && attempt >= 8) {
      // The new leader has no max_ts yet: commit in two phases instead. An earlier attempt whose
      // answer was lost may have committed: the prewrites then find its commit records (Raft
      // applies that earlier command first, or never), and the commit reports it.
      self->mode = txn::commit_mode::classic;
      return start_commit(self, plan, done);
    }
    if (code == errc::not_ready || (code == errc::key_locked && !a.err().lock)) return retry(false);
    if (code == errc::key_locked) {
      return self->resolve(*a.err().lock, false, [retry](result<resolution>) { retry(false); });
    }
    done(a.err().cause);
  });
}

}  // namespace

void txn_core::commit(txn::callback<std::uint64_t> done) {
  auto plan = std::make_shared<commit_plan>();
  plan->mutations = buffer.mutations();
  plan->deadline_ms = io().now_ms() + options().commit_deadline_ms;
  if (plan->mutations.empty()) {
    ledger.commit_path = "read-only";
    return done(std::uint64_t{0});
  }
  for (const auto& m : plan->mutations) plan->by_key.emplace(m.key, m);
  // The primary: a key that is written if any (a lock-only primary would work too, but a
  // written key is the natural commit point to inspect).
  plan->primary = plan->mutations.front().key;
  for (const auto& m : plan->mutations) {
    if (m.kind != storage::mutation_kind::lock_only) {
      plan->primary = m.key;
      break;
    }
  }
  start_commit(shared_from_this(), plan, [plan, done](result<std::uint64_t> r) {
    plan->settled = true;
    done(std::move(r));
  });
}

}  // namespace meridian::actors
