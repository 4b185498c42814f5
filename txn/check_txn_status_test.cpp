// check_txn_status (PROTOCOL.md "Actions", check_txn_status) on both engines: committed and
// rolled-back primaries; classic locks expired (rolled back) or alive (pushed); async-commit
// locks never rolled back or pushed; a missing primary decided by the met lock's TTL; the GC
// safe point; a wrong primary; the command's clock check.
#include "txn/check_txn_status.hpp"

#include <doctest/doctest.h>

#include "txn/test_shard.hpp"
#include "txn/timestamp.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using state = txn_status::state;
using action_taken = txn_status::action_taken;
using storage::write_kind;

namespace {

const std::uint64_t start = compose_ts(1000, 0);
const std::uint64_t alive = compose_ts(2000, 0);     // 1 s after start: a 3 s TTL holds
const std::uint64_t expired = compose_ts(4001, 0);   // more than 3 s after start

check_txn_status_request ask(std::uint64_t caller_ts, bool push = false) {
  return check_txn_status_request{"p", start, caller_ts, default_ttl_ms, push};
}

}  // namespace

TEST_CASE_TEMPLATE("check_txn_status: a committed primary answers its commit_ts", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("p", "v", start, start + 5);
  auto status = s.check_status(ask(expired));
  REQUIRE(status.ok());
  CHECK(status->outcome == state::committed);
  CHECK(status->commit_ts == start + 5);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("check_txn_status: a rolled-back primary answers rolled back", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.rollback("p", start).ok());
  auto status = s.check_status(ask(alive));
  REQUIRE(status.ok());
  CHECK(status->outcome == state::rolled_back);
  CHECK(status->action == action_taken::none);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("check_txn_status: a classic lock past its TTL is rolled back and a late commit fails",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(start, "p"), put("p", "v")).ok());
  auto status = s.check_status(ask(expired));
  REQUIRE(status.ok());
  CHECK(status->outcome == state::rolled_back);
  CHECK(status->action == action_taken::rolled_back_expired_lock);
  CHECK_FALSE(s.lock("p").has_value());
  CHECK(s.write("p", start)->kind == write_kind::rollback);
  auto late = s.commit("p", start, expired);
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
  // Asked again (a duplicate), the answer is the same and nothing more is written.
  auto again = s.check_status(ask(expired));
  CHECK(again->outcome == state::rolled_back);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("check_txn_status: a live classic lock is pushed above caller_ts when asked",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(start, "p"), put("p", "v")).ok());
  auto unpushed = s.check_status(ask(alive));
  REQUIRE(unpushed.ok());
  CHECK(unpushed->outcome == state::locked);
  CHECK(unpushed->action == action_taken::none);
  CHECK(unpushed->lock->min_commit_ts == start + 1);
  CHECK(s.last_writes() == 0);

  auto pushed = s.check_status(ask(alive, true));
  REQUIRE(pushed.ok());
  CHECK(pushed->outcome == state::locked);
  CHECK(pushed->action == action_taken::pushed_min_commit_ts);
  CHECK(pushed->lock->min_commit_ts == alive + 1);
  CHECK(s.lock("p")->min_commit_ts == alive + 1);
  CHECK(s.read("p", alive) == "<none>");  // the reader now reads past it
  // An older reader finds it above already: no second write, never lowered.
  auto older = s.check_status(ask(alive - 10, true));
  CHECK(older->action == action_taken::none);
  CHECK(older->lock->min_commit_ts == alive + 1);
  CHECK(s.last_writes() == 0);
  // The coordinator's commit_ts fetched before the push is refused.
  auto stale = s.commit("p", start, alive);
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.err().code() == errc::commit_ts_expired);
}

TEST_CASE_TEMPLATE("check_txn_status: an async-commit lock is never rolled back by TTL nor pushed",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(async(start, "p", {"s1", "s2"}), put("p", "v"), start + 3).ok());
  auto status = s.check_status(ask(expired, true));
  REQUIRE(status.ok());
  CHECK(status->outcome == state::check_secondaries);
  CHECK(status->action == action_taken::none);
  CHECK(status->lock_expired);
  CHECK(status->lock->secondaries == std::vector<std::string>{"s1", "s2"});
  CHECK(status->lock->min_commit_ts == start + 4);
  CHECK(s.last_writes() == 0);
  auto lock = s.lock("p");
  REQUIRE(lock.has_value());
  CHECK(lock->min_commit_ts == start + 4);
  auto young = s.check_status(ask(alive, true));
  CHECK(young->outcome == state::check_secondaries);
  CHECK_FALSE(young->lock_expired);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("check_txn_status: no primary and the met lock expired writes a rollback so a late prewrite fails",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto status = s.check_status(ask(expired));
  REQUIRE(status.ok());
  CHECK(status->outcome == state::rolled_back);
  CHECK(status->action == action_taken::wrote_rollback_record);
  CHECK(s.write("p", start)->kind == write_kind::rollback);
  auto late = s.prewrite(classic(start, "p"), put("p", "v"));
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
  // Even a lock of another transaction on the primary does not stop the decision.
  REQUIRE(s.prewrite(classic(start + 100, "q"), put("p", "other")).ok());
  check_txn_status_request other{"p", start + 50, expired, default_ttl_ms, false};
  auto decided = s.check_status(other);
  CHECK(decided->outcome == state::rolled_back);
  CHECK(s.lock("p")->start_ts == start + 100);
}

TEST_CASE_TEMPLATE("check_txn_status: no primary and the met lock alive answers not yet prewritten",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto status = s.check_status(ask(alive));
  REQUIRE(status.ok());
  CHECK(status->outcome == state::not_yet_prewritten);
  CHECK(s.last_writes() == 0);
  // The prewrite then arrives and succeeds.
  CHECK(s.prewrite(classic(start, "p"), put("p", "v")).ok());
}

TEST_CASE_TEMPLATE("check_txn_status: at or below the GC safe point is too old", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.set_gc_safe_point(start);
  auto status = s.check_status(ask(expired));
  REQUIRE_FALSE(status.ok());
  CHECK(status.err().code() == errc::txn_too_old);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("check_txn_status: a lock naming another primary is refused", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(start, "real"), put("p", "v")).ok());
  auto status = s.check_status(ask(expired));
  REQUIRE_FALSE(status.ok());
  CHECK(status.err().code() == errc::invalid_argument);
  CHECK(s.last_writes() == 0);
  CHECK(s.lock("p").has_value());
}

TEST_CASE("check_txn_status command: a caller_ts too far ahead of the leader clock is refused") {
  shard<memory_fixture> s;
  auto run = [&](std::uint64_t caller_ts, std::uint64_t clock_ms) {
    return s.run([&](auto& r, auto& b) {
      return check_txn_status_command(r, b, ask(caller_ts), clock_ms, 3000);
    });
  };
  auto ahead = run(compose_ts(9000, 0), 5000);
  REQUIRE_FALSE(ahead.ok());
  CHECK(ahead.err().code() == errc::invalid_argument);
  CHECK(run(compose_ts(8000, 0), 5000).ok());
  check_txn_status_request zero{"p", start, 0, default_ttl_ms, false};
  auto refused = s.run(
      [&](auto& r, auto& b) { return check_txn_status_command(r, b, zero, 5000, 3000); });
  CHECK(refused.err().code() == errc::invalid_argument);
}
