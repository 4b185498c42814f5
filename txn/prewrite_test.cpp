// Prewrite (PROTOCOL.md "Actions", prewrite), step by step and in the protocol's order, on both
// engines: our own traces first (lock, commit record, rollback or overlapped rollback), then the
// conflicts, then the GC check, then the lock; async commit's min_commit_ts; the command's
// validation and all-or-nothing writes.
#include "txn/prewrite.hpp"

#include <doctest/doctest.h>

#include "common/limits.hpp"
#include "txn/request.hpp"
#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using storage::mutation_kind;
using storage::write_kind;
using storage::write_record;

TEST_CASE_TEMPLATE("prewrite: writes the lock, short values inline and long values in data", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto a = s.prewrite(classic(10, "a"), put("a", "short"));
  REQUIRE(a.ok());
  CHECK(a->min_commit_ts == 11);
  CHECK_FALSE(a->already_committed_at.has_value());
  auto lock = s.lock("a");
  REQUIRE(lock.has_value());
  CHECK(lock->primary == "a");
  CHECK(lock->start_ts == 10);
  CHECK(lock->ttl_ms == default_ttl_ms);
  CHECK(lock->kind == mutation_kind::put);
  CHECK(lock->min_commit_ts == 11);
  CHECK(lock->short_value == std::optional<std::string>("short"));
  CHECK_FALSE(s.data("a", 10).has_value());

  const std::string long_value(limits::short_value_bytes + 1, 'L');
  REQUIRE(s.prewrite(classic(10, "a"), put("b", long_value)).ok());
  CHECK_FALSE(s.lock("b")->short_value.has_value());
  CHECK(s.data("b", 10) == std::optional<std::string>(long_value));

  REQUIRE(s.prewrite(classic(10, "a"), del("c")).ok());
  REQUIRE(s.prewrite(classic(10, "a"), lock_only("d")).ok());
  CHECK(s.lock("c")->kind == mutation_kind::del);
  CHECK(s.lock("d")->kind == mutation_kind::lock_only);
  CHECK_FALSE(s.lock("c")->short_value.has_value());
  CHECK(s.read("a", 100) == "<locked>");
}

TEST_CASE_TEMPLATE("prewrite: our own lock again returns the stored min_commit_ts (duplicate message)",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto first = s.prewrite(async(10, "a", {}), put("a", "v"), 40);
  REQUIRE(first.ok());
  CHECK(first->min_commit_ts == 41);
  // The duplicate arrives after max_ts moved on: it must not derive a fresh min_commit_ts.
  auto again = s.prewrite(async(10, "a", {}), put("a", "v"), 90);
  REQUIRE(again.ok());
  CHECK(again->min_commit_ts == 41);
  CHECK(s.last_writes() == 0);
  CHECK(s.lock("a")->min_commit_ts == 41);
}

TEST_CASE_TEMPLATE("prewrite: our commit record at c >= start_ts answers already committed at c",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "v", 10, 20);
  s.committed_put("k", "w", 30, 40);  // a newer foreign record above our commit must not hide it
  auto again = s.prewrite(classic(10, "k"), put("k", "v"));
  REQUIRE(again.ok());
  REQUIRE(again->already_committed_at.has_value());
  CHECK(*again->already_committed_at == 20);
  CHECK(s.last_writes() == 0);
  CHECK_FALSE(s.lock("k").has_value());
}

TEST_CASE_TEMPLATE("prewrite: after our rollback fails with txn_rolled_back (late prewrite)", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.rollback("k", 10).ok());
  auto late = s.prewrite(classic(10, "k"), put("k", "v"));
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
  CHECK(late.err().message().find("'k'") != std::string::npos);
  CHECK(late.err().message().find("10") != std::string::npos);
  CHECK(s.last_writes() == 0);
  CHECK_FALSE(s.lock("k").has_value());
}

TEST_CASE_TEMPLATE("prewrite: an overlapped_rollback naming our start_ts fails the late prewrite",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  // Transaction 5 committed at a derived commit_ts 10, equal to our start_ts; then we were rolled
  // back on this key, which set the flag on its record instead of overwriting it.
  REQUIRE(s.prewrite(async(5, "k", {}), put("k", "v5"), 9).ok());
  REQUIRE(s.commit("k", 5, 10).ok());
  REQUIRE(s.rollback("k", 10).ok());
  REQUIRE(s.write("k", 10)->overlapped_rollback);
  auto late = s.prewrite(classic(10, "k"), put("k", "v10"));
  REQUIRE_FALSE(late.ok());
  CHECK(late.err().code() == errc::txn_rolled_back);
  CHECK(s.read("k", 10) == "v5");
}

TEST_CASE_TEMPLATE("prewrite: another transaction's record above start_ts is a write conflict",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  const write_kind kinds[] = {write_kind::put, write_kind::del, write_kind::lock_only,
                              write_kind::rollback};
  for (write_kind kind : kinds) {
    CAPTURE(static_cast<int>(kind));
    shard<F> fresh;
    auto written = fresh.run([&](auto&, auto& b) {
      std::uint64_t commit_ts = kind == write_kind::rollback ? 30 : 31;
      std::uint64_t other = kind == write_kind::rollback ? 30 : 25;
      return b.put_write("k", commit_ts, write_record{kind, other, false, std::nullopt});
    });
    REQUIRE(written.ok());
    auto r = fresh.prewrite(classic(20, "k"), put("k", "v"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code() == errc::write_conflict);
    CHECK(r.err().conflict_start_ts == (kind == write_kind::rollback ? 30u : 25u));
    CHECK(r.err().conflict_commit_ts == (kind == write_kind::rollback ? 30u : 31u));
    CHECK(fresh.last_writes() == 0);
  }
  // The conflict is checked before the lock: a newer record and a lock answer write_conflict.
  s.committed_put("k", "v", 25, 31);
  REQUIRE(s.prewrite(classic(40, "k"), put("k", "w")).ok());
  auto both = s.prewrite(classic(20, "k"), put("k", "x"));
  REQUIRE_FALSE(both.ok());
  CHECK(both.err().code() == errc::write_conflict);
}

TEST_CASE_TEMPLATE("prewrite: another transaction's commit at exactly start_ts is no conflict",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "old", 5, 20);
  auto r = s.prewrite(classic(20, "k"), put("k", "new"));
  REQUIRE(r.ok());
  CHECK(r->min_commit_ts == 21);
}

TEST_CASE_TEMPLATE("prewrite: another transaction's lock answers key_locked with the lock's details",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(10, "p", 5000), put("k", "theirs")).ok());
  auto r = s.prewrite(classic(20, "k"), put("k", "ours"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code() == errc::key_locked);
  REQUIRE(r.err().lock.has_value());
  CHECK(r.err().lock->key == "k");
  CHECK(r.err().lock->lock.primary == "p");
  CHECK(r.err().lock->lock.start_ts == 10);
  CHECK(r.err().lock->lock.ttl_ms == 5000);
  CHECK(s.last_writes() == 0);
  // An older transaction meets the lock of a younger one the same way.
  auto older = s.prewrite(classic(5, "k"), put("k", "older"));
  REQUIRE_FALSE(older.ok());
  CHECK(older.err().code() == errc::key_locked);
}

TEST_CASE_TEMPLATE("prewrite: start_ts at or below the GC safe point is too old", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.set_gc_safe_point(50);
  auto at = s.prewrite(classic(50, "k"), put("k", "v"));
  REQUIRE_FALSE(at.ok());
  CHECK(at.err().code() == errc::txn_too_old);
  CHECK(s.last_writes() == 0);
  CHECK(s.prewrite(classic(51, "k"), put("k", "v")).ok());
}

TEST_CASE_TEMPLATE("prewrite: async commit min_commit_ts is max of start_ts + 1 and max_ts + 1",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto primary = s.prewrite(async(10, "a", {"b", "c"}), put("a", "1"), 70);
  REQUIRE(primary.ok());
  CHECK(primary->min_commit_ts == 71);
  auto lock = s.lock("a");
  CHECK(lock->use_async_commit);
  CHECK(lock->min_commit_ts == 71);
  CHECK(lock->secondaries == std::vector<std::string>{"b", "c"});
  // A secondary does not carry the list; max_ts below start_ts gives start_ts + 1.
  auto secondary = s.prewrite(async(10, "a", {"b", "c"}), put("b", "2"), 3);
  REQUIRE(secondary.ok());
  CHECK(secondary->min_commit_ts == 11);
  CHECK(s.lock("b")->secondaries.empty());
}

TEST_CASE_TEMPLATE("prewrite command: all or nothing, the first failing key's error", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  REQUIRE(s.prewrite(classic(5, "x"), put("c", "theirs")).ok());
  prewrite_request request{classic(10, "a"), {put("a", "1"), put("b", "2"), put("c", "3")}};
  auto failed = s.run([&](auto& r, auto& b) { return prewrite_command(r, b, request, nullptr); });
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.err().code() == errc::key_locked);
  CHECK(s.last_writes() == 0);
  CHECK_FALSE(s.lock("a").has_value());
  REQUIRE(s.rollback("c", 5).ok());
  auto done = s.run([&](auto& r, auto& b) { return prewrite_command(r, b, request, nullptr); });
  REQUIRE(done.ok());
  CHECK(done->keys.size() == 3);
  CHECK(done->min_commit_ts == 11);
  CHECK(s.lock("b")->start_ts == 10);
}

TEST_CASE("prewrite command: async commit waits for max_ts and publishes its memory locks") {
  shard<memory_fixture> s;
  concurrency_manager cm;
  prewrite_request request{async(10, "a", {"b"}), {put("a", "1"), put("b", "2")}};
  {
    auto memory = cm.lock_keys({"a", "b"}, 10);
    REQUIRE(memory.ok());
    auto early = s.run([&](auto& r, auto& b) { return prewrite_command(r, b, request, &*memory); });
    REQUIRE_FALSE(early.ok());
    CHECK(early.err().code() == errc::not_ready);
    CHECK(early.err().retryable());
    CHECK(s.last_writes() == 0);
  }
  cm.initialise_max_ts(50);
  auto memory = cm.lock_keys({"a", "b"}, 10);
  REQUIRE(memory.ok());
  auto done = s.run([&](auto& r, auto& b) { return prewrite_command(r, b, request, &*memory); });
  REQUIRE(done.ok());
  CHECK(done->min_commit_ts == 51);
  // Until the locks are applied and the guard released, a read at 60 waits on the memory lock;
  // a read at 50 is not blocked: the lock can only commit at 51 or later.
  auto hit = cm.read_key_check("b", 60);
  REQUIRE(hit.has_value());
  REQUIRE(hit->lock.has_value());
  CHECK(hit->lock->min_commit_ts == 51);
  CHECK_FALSE(cm.read_key_check("b", 50).has_value());
  memory->release();
  CHECK_FALSE(cm.read_key_check("b", 60).has_value());
}

TEST_CASE("prewrite command: malformed requests are refused before any key is touched") {
  shard<memory_fixture> s;
  auto refuse = [&](prewrite_request request, errc code) {
    auto r = s.run([&](auto& rd, auto& b) { return prewrite_command(rd, b, request, nullptr); });
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code() == code);
    CHECK(s.last_writes() == 0);
  };
  refuse({classic(10, "a"), {put("a", "1"), put("a", "2")}}, errc::invalid_argument);
  refuse({classic(10, "a"), {mutation{mutation_kind::del, "a", "value"}}},
         errc::invalid_argument);
  refuse({classic(0, "a"), {put("a", "1")}}, errc::invalid_argument);
  refuse({classic(10, ""), {put("a", "1")}}, errc::invalid_argument);
  refuse({classic(10, "a"), {}}, errc::invalid_argument);
  refuse({classic(10, "a", max_lock_ttl_ms + 1), {put("a", "1")}}, errc::limit_exceeded);
  refuse({classic(10, "a"), {put(std::string(limits::max_key_bytes + 1, 'k'), "1")}},
         errc::key_too_large);
  refuse({classic(10, "a"), {put("a", std::string(limits::max_value_bytes + 1, 'v'))}},
         errc::value_too_large);
  prewrite_params listed = classic(10, "a");
  listed.secondaries = {"b"};
  refuse({listed, {put("a", "1")}}, errc::invalid_argument);
  refuse({async(10, "a", {"a"}), {put("a", "1")}}, errc::invalid_argument);
  std::vector<std::string> many(limits::max_async_commit_keys + 1, "s");
  refuse({async(10, "a", many), {put("a", "1")}}, errc::limit_exceeded);
}
