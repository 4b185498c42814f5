// Retrying a whole transaction on errors that say a retry may help (write conflicts, locks not
// resolved in time, a shard briefly unavailable), with capped exponential back-off, jitter and a
// bound on attempts and time. A transaction is retried from its beginning, in a fresh
// transaction with a new start_ts: its reads may see different data the second time, so the body
// must compute its writes from what it reads, never from what an earlier attempt read.
//
// outcome_unknown (a commit whose answer was lost after its commit point may have been reached) is
// never retried unless the policy says the body is idempotent: retrying a transfer that did
// commit would apply it twice.
#pragma once

#include <cstdint>
#include <functional>

#include "common/result.hpp"
#include "txn/transaction.hpp"

namespace meridian::txn {

struct retry_policy {
  int max_attempts = 10;
  std::uint64_t first_backoff_ms = 5;
  std::uint64_t max_backoff_ms = 1000;
  std::uint64_t deadline_ms = 60'000;  // total time across attempts, sleeps included
  bool idempotent = false;             // may an outcome_unknown commit be retried?
  std::uint64_t jitter_seed = 0;       // 0: seeded from the clock
};

// The back-off before attempt `attempt` (1 = the first retry): uniformly random in
// [d/2, d] where d = min(max, first * 2^(attempt-1)). `random` is any 64-bit random number.
std::uint64_t retry_backoff_ms(const retry_policy& policy, int attempt, std::uint64_t random);

// Is `e` worth another attempt under `policy`?
bool should_retry(const retry_policy& policy, const error& e);

// Runs `attempt` (given its 0-based number) until it succeeds, fails with an error that a retry
// cannot help, or the policy's bound is reached; sleeps with `sleep_ms` between attempts and reads
// time with `now_ms`. The last error is returned, with the number of attempts in its message when
// the bound was what stopped it.
status retry_loop(const retry_policy& policy, const std::function<status(int)>& attempt,
                  const std::function<void(std::uint64_t)>& sleep_ms,
                  const std::function<std::uint64_t()>& now_ms);

// Begins a transaction, runs `body` on it and commits; on a retryable error rolls back, backs off
// and runs all of it again. Returns the commit timestamp of the attempt that committed. A body
// error is returned as is (retried when retryable). Blocks the caller: never call it inside an
// actor. REQUIRES: body does not commit or roll back itself.
result<std::uint64_t> run_transaction(transaction_engine& engine,
                                      const std::function<status(blocking_transaction&)>& body,
                                      const retry_policy& policy = {},
                                      begin_options options = {});

}  // namespace meridian::txn
