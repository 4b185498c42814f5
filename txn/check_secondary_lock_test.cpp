// check_secondary_lock and the async-commit decision (PROTOCOL.md "The commit path" step 5) on
// both engines: a lock reported with its min_commit_ts, a commit with its commit_ts, and neither
// rolled back in the same step so a late prewrite fails; then the decision over all keys, and a
// recovery run end to end that agrees with what the coordinator would have committed.
#include "txn/check_secondary_lock.hpp"

#include <doctest/doctest.h>

#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using state = secondary_status::state;
using storage::write_kind;

TEST_CASE_TEMPLATE("check_secondary_lock: our lock is reported with its min_commit_ts and kept",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(async(10, "p", {"s"}), put("s", "v"), 30).ok());
  auto status = s.check_secondary("s", 10);
  REQUIRE(status.ok());
  CHECK(status->outcome == state::locked);
  CHECK(status->lock->min_commit_ts == 31);
  CHECK(s.last_writes() == 0);
  CHECK(s.lock("s").has_value());
}

TEST_CASE_TEMPLATE("check_secondary_lock: our commit record is reported with its commit_ts", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(async(10, "p", {"s"}), put("s", "v"), 30).ok());
  REQUIRE(s.commit("s", 10, 31).ok());
  auto status = s.check_secondary("s", 10);
  REQUIRE(status.ok());
  CHECK(status->outcome == state::committed);
  CHECK(status->commit_ts == 31);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("check_secondary_lock: neither writes a rollback so a late prewrite fails", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto status = s.check_secondary("s", 10);
  REQUIRE(status.ok());
  CHECK(status->outcome == state::rolled_back);
  CHECK(status->wrote_rollback);
  CHECK(s.write("s", 10)->kind == write_kind::rollback);
  auto late = s.prewrite(async(10, "p", {"s"}), put("s", "v"), 30);
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
  auto again = s.check_secondary("s", 10);
  CHECK(again->outcome == state::rolled_back);
  CHECK_FALSE(again->wrote_rollback);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("check_secondary_lock: nothing found at or below the GC safe point is too old",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.set_gc_safe_point(10);
  auto status = s.check_secondary("s", 10);
  REQUIRE_FALSE(status.ok());
  CHECK(status.err().code() == errc::txn_too_old);
  CHECK(s.last_writes() == 0);
}

TEST_CASE("decide_async_commit: any committed, any rolled back, or all locked at the max") {
  auto locked = [](std::uint64_t min_commit_ts) {
    secondary_status s;
    s.outcome = state::locked;
    s.lock = storage::lock_record{};
    s.lock->min_commit_ts = min_commit_ts;
    s.lock->use_async_commit = true;
    return s;
  };
  secondary_status committed{state::committed, std::nullopt, 44, false};
  secondary_status rolled{state::rolled_back, std::nullopt, 0, true};
  CHECK(*decide_async_commit({locked(31), locked(44), locked(12)}) ==
        txn_outcome::committed_at(44));
  CHECK(*decide_async_commit({locked(31), committed}) == txn_outcome::committed_at(44));
  CHECK(*decide_async_commit({locked(31), rolled}) == txn_outcome::rolled_back());
  CHECK(decide_async_commit({}).err().code() == errc::invalid_argument);
  CHECK(decide_async_commit({committed, rolled}).err().code() == errc::internal);
  secondary_status other = committed;
  other.commit_ts = 45;
  CHECK(decide_async_commit({committed, other}).err().code() == errc::internal);
  secondary_status classic_lock = locked(50);
  classic_lock.lock->use_async_commit = false;
  CHECK(decide_async_commit({locked(31), classic_lock}).err().code() == errc::invalid_argument);
}

TEST_CASE_TEMPLATE("check_secondary_lock: recovery commits at the max min_commit_ts, as the coordinator would",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  // Async transaction 10 prewrote p, a, b under different max_ts; its coordinator then crashed.
  REQUIRE(s.prewrite(async(10, "p", {"a", "b"}), put("p", "0"), 20).ok());
  REQUIRE(s.prewrite(async(10, "p", {"a", "b"}), put("a", "1"), 35).ok());
  REQUIRE(s.prewrite(async(10, "p", {"a", "b"}), put("b", "2"), 27).ok());
  check_secondary_locks_request request{10, {"p", "a", "b"}};
  auto statuses =
      s.run([&](auto& r, auto& b) { return check_secondary_locks_command(r, b, request); });
  REQUIRE(statuses.ok());
  auto outcome = decide_async_commit(*statuses);
  REQUIRE(outcome.ok());
  CHECK(*outcome == txn_outcome::committed_at(36));
  resolve_lock_request resolve{10, *outcome, {"p", "a", "b"}};
  REQUIRE(s.run([&](auto& r, auto& b) { return resolve_lock_command(r, b, resolve); }).ok());
  CHECK(s.read("a", 36) == "1");
  CHECK(s.read("b", 35) == "<none>");
  // A second recoverer (or the coordinator, late) now finds the commits and agrees.
  auto later =
      s.run([&](auto& r, auto& b) { return check_secondary_locks_command(r, b, request); });
  CHECK(*decide_async_commit(*later) == txn_outcome::committed_at(36));
}

TEST_CASE_TEMPLATE("check_secondary_lock: one missing key rolls the whole transaction back", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(async(10, "p", {"a", "b"}), put("p", "0"), 20).ok());
  REQUIRE(s.prewrite(async(10, "p", {"a", "b"}), put("a", "1"), 20).ok());
  check_secondary_locks_request request{10, {"p", "a", "b"}};
  auto statuses =
      s.run([&](auto& r, auto& b) { return check_secondary_locks_command(r, b, request); });
  REQUIRE(statuses.ok());
  CHECK((*statuses)[2].wrote_rollback);
  auto outcome = decide_async_commit(*statuses);
  CHECK(*outcome == txn_outcome::rolled_back());
  // b's prewrite, delayed in the network, now fails: the transaction cannot commit after all.
  auto late = s.prewrite(async(10, "p", {"a", "b"}), put("b", "2"), 20);
  CHECK(late.err().code() == errc::txn_rolled_back);
}
