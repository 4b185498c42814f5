// Rollback (PROTOCOL.md "Actions", rollback) on both engines: our lock and value go and a
// rollback record stays; a committed key is refused; duplicates; a rollback ahead of its
// prewrite; a rollback at a start_ts where another transaction committed (overlapped_rollback).
#include "txn/rollback.hpp"

#include <doctest/doctest.h>

#include "common/limits.hpp"
#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using storage::write_kind;

TEST_CASE_TEMPLATE("rollback: deletes our lock and long value and writes the rollback record", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  const std::string long_value(limits::short_value_bytes + 1, 'L');
  REQUIRE(s.prewrite(classic(10, "k"), put("k", long_value)).ok());
  REQUIRE(s.data("k", 10).has_value());
  auto done = s.rollback("k", 10);
  REQUIRE(done.ok());
  CHECK_FALSE(done->already_rolled_back);
  CHECK_FALSE(s.lock("k").has_value());
  CHECK_FALSE(s.data("k", 10).has_value());
  auto record = s.write("k", 10);
  REQUIRE(record.has_value());
  CHECK(record->kind == write_kind::rollback);
  CHECK(record->start_ts == 10);
  CHECK(s.read("k", 100) == "<none>");
}

TEST_CASE_TEMPLATE("rollback: after commit is refused with txn_already_committed", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "v", 10, 20);
  auto refused = s.rollback("k", 10);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code() == errc::txn_already_committed);
  CHECK(refused.err().commit_ts == 20);
  CHECK(s.last_writes() == 0);
  CHECK(s.read("k", 20) == "v");
}

TEST_CASE_TEMPLATE("rollback: a duplicate answers already rolled back and writes nothing", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "k"), put("k", "v")).ok());
  REQUIRE(s.rollback("k", 10).ok());
  auto again = s.rollback("k", 10);
  REQUIRE(again.ok());
  CHECK(again->already_rolled_back);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("rollback: ahead of its prewrite writes the record so the late prewrite fails",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto early = s.rollback("k", 10);
  REQUIRE(early.ok());
  CHECK_FALSE(early->already_rolled_back);
  CHECK(s.write("k", 10)->kind == write_kind::rollback);
  auto late = s.prewrite(classic(10, "k"), put("k", "v"));
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
  CHECK_FALSE(s.lock("k").has_value());
}

TEST_CASE_TEMPLATE("rollback: at a start_ts where another transaction committed sets overlapped_rollback",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  // Async transaction 5 derived commit_ts 10 on k; transaction 10 is then rolled back on k.
  REQUIRE(s.prewrite(async(5, "k", {}), put("k", "five"), 9).ok());
  REQUIRE(s.commit("k", 5, 10).ok());
  auto done = s.rollback("k", 10);
  REQUIRE(done.ok());
  auto record = s.write("k", 10);
  REQUIRE(record.has_value());
  CHECK(record->kind == write_kind::put);  // not overwritten by a rollback record
  CHECK(record->start_ts == 5);
  CHECK(record->overlapped_rollback);
  CHECK(s.read("k", 10) == "five");
  auto again = s.rollback("k", 10);
  REQUIRE(again.ok());
  CHECK(again->already_rolled_back);
  CHECK(s.last_writes() == 0);
  // Transaction 5 is still committed, and a rollback of it is refused.
  CHECK(s.commit("k", 5, 10)->already_committed);
  CHECK(s.rollback("k", 5).err().code() == errc::txn_already_committed);
}

TEST_CASE_TEMPLATE("rollback: leaves another transaction's lock alone", F, memory_fixture,
                   lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(20, "k"), put("k", "theirs")).ok());
  REQUIRE(s.rollback("k", 10).ok());
  CHECK(s.lock("k")->start_ts == 20);
  CHECK(s.write("k", 10)->kind == write_kind::rollback);
}

TEST_CASE_TEMPLATE("rollback: nothing found at or below the GC safe point is too old", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.set_gc_safe_point(50);
  auto old = s.rollback("k", 50);
  REQUIRE_FALSE(old.ok());
  CHECK(old.err().code() == errc::txn_too_old);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("rollback command: all or nothing over its keys", F, memory_fixture,
                   lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "a"), put("a", "1")).ok());
  s.committed_put("b", "2", 10, 20);
  rollback_request request{10, {"a", "b"}};
  auto refused = s.run([&](auto& r, auto& b) { return rollback_command(r, b, request); });
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().code() == errc::txn_already_committed);
  CHECK(s.last_writes() == 0);
  CHECK(s.lock("a").has_value());
  request.keys = {"a", "c"};
  auto done = s.run([&](auto& r, auto& b) { return rollback_command(r, b, request); });
  REQUIRE(done.ok());
  CHECK(done->size() == 2);
  CHECK_FALSE(s.lock("a").has_value());
  CHECK(s.write("c", 10)->kind == write_kind::rollback);
}
