// See retry.hpp.
#include "txn/retry.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace meridian::txn {

std::uint64_t retry_backoff_ms(const retry_policy& policy, int attempt, std::uint64_t random) {
  std::uint64_t d = std::max<std::uint64_t>(1, policy.first_backoff_ms);
  for (int i = 1; i < attempt && d < policy.max_backoff_ms; ++i) d *= 2;
  d = std::min(d, std::max<std::uint64_t>(1, policy.max_backoff_ms));
  std::uint64_t half = d / 2;
  return half + random % (d - half + 1);
}

bool should_retry(const retry_policy& policy, const error& e) {
  if (e.code() == errc::outcome_unknown) return policy.idempotent;
  return e.retryable();
}

status retry_loop(const retry_policy& policy, const std::function<status(int)>& attempt,
                  const std::function<void(std::uint64_t)>& sleep_ms,
                  const std::function<std::uint64_t()>& now_ms) {
  std::uint64_t seed = policy.jitter_seed != 0 ? policy.jitter_seed : now_ms() + 1;
  std::mt19937_64 rng(seed);
  std::uint64_t deadline = now_ms() + policy.deadline_ms;
  for (int n = 0;; ++n) {
    status s = attempt(n);
    if (s.ok() || !should_retry(policy, s.err())) return s;
    if (n + 1 >= policy.max_attempts) {
      return error(s.err().code(), s.err().message() + " (gave up after " +
                                       std::to_string(n + 1) + " attempts)");
    }
    std::uint64_t wait = retry_backoff_ms(policy, n + 1, rng());
    if (now_ms() + wait >= deadline) {
      return error(s.err().code(), s.err().message() + " (gave up after " +
                                       std::to_string(n + 1) + " attempts: retry deadline of " +
                                       std::to_string(policy.deadline_ms) + " ms)");
    }
    sleep_ms(wait);
  }
}

result<std::uint64_t> run_transaction(transaction_engine& engine,
                                      const std::function<status(blocking_transaction&)>& body,
                                      const retry_policy& policy, begin_options options) {
  std::uint64_t commit_ts = 0;
  auto attempt = [&](int) -> status {
    auto t = begin_blocking(engine, options);
    if (!t) return t.err();
    blocking_transaction txn(std::move(*t));
    status s = body(txn);
    if (!s.ok()) {
      (void)txn.rollback();  // best effort: its locks would otherwise wait for their TTL
      return s;
    }
    auto c = txn.commit();
    if (!c) return c.err();
    commit_ts = *c;
    return status{};
  };
  auto clock = [] {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  };
  auto sleep = [](std::uint64_t ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); };
  status s = retry_loop(policy, attempt, sleep, clock);
  if (!s.ok()) return s.err();
  return commit_ts;
}

}  // namespace meridian::txn
