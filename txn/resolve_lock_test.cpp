// resolve_lock (PROTOCOL.md "Actions", resolve_lock, and "Lock resolution" step 1) on both
// engines: a secondary committed forward or rolled back, duplicates, contradictions refused,
// and the command over many keys.
#include "txn/resolve_lock.hpp"

#include <doctest/doctest.h>

#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using storage::write_kind;

TEST_CASE_TEMPLATE("resolve_lock: commits a secondary at the primary's commit_ts", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "p"), put("s", "v")).ok());
  auto done = s.resolve("s", 10, txn_outcome::committed_at(20));
  REQUIRE(done.ok());
  CHECK_FALSE(done->already_resolved);
  CHECK_FALSE(s.lock("s").has_value());
  CHECK(s.read("s", 20) == "v");
  auto again = s.resolve("s", 10, txn_outcome::committed_at(20));
  REQUIRE(again.ok());
  CHECK(again->already_resolved);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("resolve_lock: rolls a secondary back", F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "p"), put("s", "v")).ok());
  auto done = s.resolve("s", 10, txn_outcome::rolled_back());
  REQUIRE(done.ok());
  CHECK_FALSE(done->already_resolved);
  CHECK_FALSE(s.lock("s").has_value());
  CHECK(s.write("s", 10)->kind == write_kind::rollback);
  auto again = s.resolve("s", 10, txn_outcome::rolled_back());
  CHECK(again->already_resolved);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("resolve_lock: an outcome contradicting the key is refused, never applied", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("c", "v", 10, 20);
  auto back = s.resolve("c", 10, txn_outcome::rolled_back());
  REQUIRE_FALSE(back.ok());
  CHECK(back.err().code() == errc::txn_already_committed);
  auto elsewhere = s.resolve("c", 10, txn_outcome::committed_at(25));
  REQUIRE_FALSE(elsewhere.ok());
  CHECK(elsewhere.err().code() == errc::internal);
  REQUIRE(s.rollback("r", 10).ok());
  auto forward = s.resolve("r", 10, txn_outcome::committed_at(20));
  REQUIRE_FALSE(forward.ok());
  CHECK(forward.err().code() == errc::txn_rolled_back);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("resolve_lock command: resolves many keys of one transaction", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  for (const char* key : {"a", "b", "c"}) {
    REQUIRE(s.prewrite(classic(10, "p"), put(key, key)).ok());
  }
  REQUIRE(s.resolve("b", 10, txn_outcome::committed_at(20)).ok());
  resolve_lock_request request{10, txn_outcome::committed_at(20), {"a", "b", "c"}};
  auto done = s.run([&](auto& r, auto& b) { return resolve_lock_command(r, b, request); });
  REQUIRE(done.ok());
  CHECK(*done == 2);
  CHECK(s.read("a", 20) == "a");
  CHECK(s.read("c", 20) == "c");
  resolve_lock_request bad{10, txn_outcome::committed_at(10), {"a"}};
  auto refused = s.run([&](auto& r, auto& b) { return resolve_lock_command(r, b, bad); });
  CHECK(refused.err().code() == errc::invalid_argument);
}
