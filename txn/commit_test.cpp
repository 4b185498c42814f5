// Commit (PROTOCOL.md "Actions", commit) on both engines: our lock becomes a record; duplicates,
// reordering after a rollback, a missing lock, min_commit_ts pushed by a reader, a commit landing
// on another transaction's rollback (overlapped_rollback), the GC safe point, and the command.
#include "txn/commit.hpp"

#include <doctest/doctest.h>

#include "common/limits.hpp"
#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using storage::write_kind;

TEST_CASE_TEMPLATE("commit: our lock becomes a commit record, the short value moves into it", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "k"), put("k", "v")).ok());
  auto done = s.commit("k", 10, 20);
  REQUIRE(done.ok());
  CHECK(done->commit_ts == 20);
  CHECK_FALSE(done->already_committed);
  CHECK_FALSE(s.lock("k").has_value());
  auto record = s.write("k", 20);
  REQUIRE(record.has_value());
  CHECK(record->kind == write_kind::put);
  CHECK(record->start_ts == 10);
  CHECK_FALSE(record->overlapped_rollback);
  CHECK(record->short_value == std::optional<std::string>("v"));
  CHECK(s.read("k", 19) == "<none>");
  CHECK(s.read("k", 20) == "v");
}

TEST_CASE_TEMPLATE("commit: a long value stays in data, deletes and lock_only records commit too",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  const std::string long_value(limits::short_value_bytes + 10, 'L');
  s.committed_put("k", long_value, 10, 20);
  CHECK_FALSE(s.write("k", 20)->short_value.has_value());
  CHECK(s.read("k", 25) == long_value);
  s.committed(lock_only("k"), 30, 40);
  CHECK(s.write("k", 40)->kind == write_kind::lock_only);
  CHECK(s.read("k", 45) == long_value);  // lock_only changes no value
  s.committed(del("k"), 50, 60);
  CHECK(s.write("k", 60)->kind == write_kind::del);
  CHECK(s.read("k", 60) == "<none>");
  CHECK(s.read("k", 59) == long_value);
}

TEST_CASE_TEMPLATE("commit: a duplicate after success returns the recorded commit_ts", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "v", 10, 20);
  auto again = s.commit("k", 10, 20);
  REQUIRE(again.ok());
  CHECK(again->already_committed);
  CHECK(again->commit_ts == 20);
  CHECK(s.last_writes() == 0);
  // A retry carrying another commit_ts still learns the recorded one.
  auto other = s.commit("k", 10, 25);
  REQUIRE(other.ok());
  CHECK(other->commit_ts == 20);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("commit: after rollback fails with txn_rolled_back and writes nothing", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "k"), put("k", "v")).ok());
  REQUIRE(s.rollback("k", 10).ok());
  auto late = s.commit("k", 10, 20);
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
  CHECK(s.last_writes() == 0);
  CHECK_FALSE(s.write("k", 20).has_value());
}

TEST_CASE_TEMPLATE("commit: no lock and no record answers txn_lock_not_found and writes nothing",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  // Reordered: the commit overtakes its own prewrite.
  auto early = s.commit("k", 10, 20);
  REQUIRE_FALSE(early.ok());
  CHECK(early.err().code() == errc::txn_lock_not_found);
  CHECK(s.last_writes() == 0);
  // Another transaction's lock is not ours either.
  REQUIRE(s.prewrite(classic(15, "k"), put("k", "v")).ok());
  auto foreign = s.commit("k", 10, 20);
  REQUIRE_FALSE(foreign.ok());
  CHECK(foreign.err().code() == errc::txn_lock_not_found);
  CHECK(s.lock("k")->start_ts == 15);
}

TEST_CASE_TEMPLATE("commit: commit_ts below a pushed min_commit_ts answers commit_ts_expired", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "k"), put("k", "v")).ok());
  // A reader at 30 pushes the live classic lock so that it can read past it.
  check_txn_status_request request{"k", 10, 30, default_ttl_ms, true};
  auto pushed = s.check_status(request);
  REQUIRE(pushed.ok());
  REQUIRE(pushed->action == txn_status::action_taken::pushed_min_commit_ts);
  auto expired = s.commit("k", 10, 25);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.err().code() == errc::commit_ts_expired);
  CHECK(expired.err().min_commit_ts == 31);
  CHECK(s.last_writes() == 0);
  CHECK(s.lock("k").has_value());
  CHECK(s.read("k", 30) == "<none>");  // the reader's snapshot stays valid
  REQUIRE(s.commit("k", 10, 31).ok());
  CHECK(s.read("k", 30) == "<none>");
  CHECK(s.read("k", 31) == "v");
}

TEST_CASE_TEMPLATE("commit: onto another transaction's rollback at commit_ts sets overlapped_rollback",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  // Async transaction 10 prewrites k with min_commit_ts 20 (max_ts was 19). Then transaction 20,
  // which never reached k, is rolled back on it (its recovery found no lock), and then 10
  // commits at its derived commit_ts 20, the same timestamp.
  REQUIRE(s.prewrite(async(10, "k", {}), put("k", "ten"), 19).ok());
  auto recovery = s.check_secondary("k", 20);
  REQUIRE(recovery.ok());
  REQUIRE(recovery->wrote_rollback);
  REQUIRE(s.write("k", 20)->kind == write_kind::rollback);
  auto done = s.commit("k", 10, 20);
  REQUIRE(done.ok());
  auto record = s.write("k", 20);
  CHECK(record->kind == write_kind::put);
  CHECK(record->start_ts == 10);
  CHECK(record->overlapped_rollback);
  CHECK(s.read("k", 20) == "ten");
  // The rollback of 20 is still in force: its late prewrite fails.
  auto late = s.prewrite(classic(20, "k"), put("k", "twenty"));
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
}

TEST_CASE_TEMPLATE("commit: nothing found at or below the GC safe point is too old", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.set_gc_safe_point(50);
  auto old = s.commit("k", 40, 60);
  REQUIRE_FALSE(old.ok());
  CHECK(old.err().code() == errc::txn_too_old);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("commit command: all or nothing over its keys", F, memory_fixture,
                   lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "a"), put("a", "1")).ok());
  REQUIRE(s.prewrite(classic(10, "a"), put("b", "2")).ok());
  commit_request request{10, 20, {"a", "b", "c"}};
  auto failed = s.run([&](auto& r, auto& b) { return commit_command(r, b, request); });
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.err().code() == errc::txn_lock_not_found);
  CHECK(s.last_writes() == 0);
  request.keys = {"a", "b"};
  auto done = s.run([&](auto& r, auto& b) { return commit_command(r, b, request); });
  REQUIRE(done.ok());
  CHECK(done->size() == 2);
  CHECK(s.read("b", 20) == "2");
  commit_request backwards{10, 10, {"a"}};
  auto refused = s.run([&](auto& r, auto& b) { return commit_command(r, b, backwards); });
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code() == errc::invalid_argument);
}
