// The client's retry helper (issue: "a client library helper retries a whole transaction function
// on retryable errors with back-off and a bound"): a lost first-committer race is retried in a
// fresh snapshot, errors no retry can fix are returned at once, a commit of unknown outcome is not
// repeated unless the body is idempotent, and the back-off grows, is capped and is bounded.
#include "txn/retry.hpp"

#include <doctest/doctest.h>

#include "storage/testing.hpp"
#include "txn/local_engine.hpp"

using namespace meridian;
using namespace meridian::txn;

namespace {

struct fake_clock {
  std::uint64_t now = 1000;
  std::vector<std::uint64_t> sleeps;
  std::function<void(std::uint64_t)> sleep() {
    return [this](std::uint64_t ms) {
      sleeps.push_back(ms);
      now += ms;
    };
  }
  std::function<std::uint64_t()> clock() {
    return [this] { return now; };
  }
};

}  // namespace

TEST_CASE("retry: the back-off doubles from the first delay, is capped, and has jitter") {
  retry_policy p;
  p.first_backoff_ms = 10;
  p.max_backoff_ms = 100;
  for (std::uint64_t r : {0ull, 1ull, 7ull, 12345678901ull}) {
    CHECK(retry_backoff_ms(p, 1, r) >= 5);
    CHECK(retry_backoff_ms(p, 1, r) <= 10);
    CHECK(retry_backoff_ms(p, 3, r) >= 20);
    CHECK(retry_backoff_ms(p, 3, r) <= 40);
    CHECK(retry_backoff_ms(p, 30, r) >= 50);
    CHECK(retry_backoff_ms(p, 30, r) <= 100);
  }
  CHECK(retry_backoff_ms(p, 1, 0) != retry_backoff_ms(p, 1, 3));
}

TEST_CASE("retry: retryable errors are retried until the attempt bound, then reported") {
  retry_policy p;
  p.max_attempts = 4;
  p.jitter_seed = 42;
  fake_clock c;
  int calls = 0;
  status s = retry_loop(
      p, [&](int) -> status { ++calls; return error(errc::write_conflict, "k changed"); },
      c.sleep(), c.clock());
  REQUIRE_FALSE(s.ok());
  CHECK(calls == 4);
  CHECK(c.sleeps.size() == 3);
  CHECK(s.err().code() == errc::write_conflict);
  CHECK(s.err().message().find("4 attempts") != std::string::npos);
}

TEST_CASE("retry: the time bound stops retries before the deadline is passed") {
  retry_policy p;
  p.max_attempts = 1000;
  p.first_backoff_ms = 100;
  p.max_backoff_ms = 100;
  p.deadline_ms = 1000;
  p.jitter_seed = 7;
  fake_clock c;
  int calls = 0;
  status s = retry_loop(
      p, [&](int) -> status { ++calls; return error(errc::unavailable, "shard 3"); }, c.sleep(),
      c.clock());
  REQUIRE_FALSE(s.ok());
  CHECK(c.now <= 1000 + 1000);
  CHECK(calls >= 10);
  CHECK(calls <= 21);
  CHECK(s.err().message().find("deadline") != std::string::npos);
}

TEST_CASE("retry: errors no retry can fix, and unknown outcomes, are returned at once") {
  fake_clock c;
  retry_policy p;
  int calls = 0;
  auto fails_with = [&](errc code) {
    calls = 0;
    return retry_loop(
        p, [&](int) -> status { ++calls; return error(code, "x"); }, c.sleep(), c.clock());
  };
  CHECK(fails_with(errc::txn_too_large).err().code() == errc::txn_too_large);
  CHECK(calls == 1);
  CHECK(fails_with(errc::outcome_unknown).err().code() == errc::outcome_unknown);
  CHECK(calls == 1);  // a transfer that did commit must not be applied twice
  p.idempotent = true;
  p.max_attempts = 3;
  CHECK(fails_with(errc::outcome_unknown).err().code() == errc::outcome_unknown);
  CHECK(calls == 3);
}

TEST_CASE("retry: a transaction that lost a first-committer race runs again in a new snapshot") {
  storage::testing::memory_fixture f;
  auto e = local_engine::open(f.engine());
  REQUIRE(e.ok());
  auto& engine = **e;
  {
    auto t = begin_blocking(engine);
    REQUIRE(t.ok());
    blocking_transaction init(std::move(*t));
    REQUIRE(init.put("counter", "0").ok());
    REQUIRE(init.commit().ok());
  }
  int attempts = 0;
  retry_policy p;
  p.first_backoff_ms = 1;
  auto committed = run_transaction(engine, [&](blocking_transaction& t) -> status {
    ++attempts;
    auto v = t.get("counter");
    if (!v) return v.err();
    if (attempts == 1) {
      // Another client increments the counter after this snapshot was taken.
      auto other = begin_blocking(engine);
      REQUIRE(other.ok());
      blocking_transaction o(std::move(*other));
      REQUIRE(o.put("counter", "100").ok());
      REQUIRE(o.commit().ok());
    }
    return t.put("counter", std::to_string(std::stoi(v->value()) + 1));
  }, p);
  REQUIRE(committed.ok());
  CHECK(attempts == 2);
  auto t = begin_blocking(engine);
  REQUIRE(t.ok());
  blocking_transaction check(std::move(*t));
  CHECK(check.get("counter").value() == std::optional<std::string>("101"));
}
