// One-phase commit (PROTOCOL.md "The commit path" step 2, and "max_ts and memory locks") on both
// engines: commit records written directly at max(start_ts + 1, max_ts + 1) with no lock left;
// duplicates; the prewrite conflicts; not ready before max_ts; memory locks published with the
// commit_ts; a long value; a transaction that already holds a two-phase lock.
#include "txn/one_pc.hpp"

#include <doctest/doctest.h>

#include "common/limits.hpp"
#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using storage::write_kind;

namespace {

// The leader's side of a one-phase commit: memory locks first, then the command.
template <class S>
txn_result<one_pc_result> one_phase(S& s, concurrency_manager& cm,
                                    const prewrite_request& request) {
  std::vector<std::string> keys;
  for (const auto& m : request.mutations) keys.push_back(m.key);
  auto memory = cm.lock_keys(keys, request.txn.start_ts);
  REQUIRE(memory.ok());
  return s.run([&](auto& r, auto& b) { return one_pc_command(r, b, request, *memory); });
}

}  // namespace

TEST_CASE_TEMPLATE("one_pc: commit records at max of start_ts + 1 and max_ts + 1, no lock left",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  concurrency_manager cm;
  cm.initialise_max_ts(5);
  prewrite_request request{classic(10, "a"), {put("a", "1"), del("b"), lock_only("c")}};
  auto done = one_phase(s, cm, request);
  REQUIRE(done.ok());
  CHECK(done->commit_ts == 11);
  CHECK_FALSE(done->already_committed);
  for (const char* key : {"a", "b", "c"}) CHECK_FALSE(s.lock(key).has_value());
  CHECK(s.write("a", 11)->short_value == std::optional<std::string>("1"));
  CHECK(s.write("b", 11)->kind == write_kind::del);
  CHECK(s.write("c", 11)->kind == write_kind::lock_only);
  CHECK(s.read("a", 11) == "1");
  CHECK(s.read("a", 10) == "<none>");
  // A read at 50 raises max_ts: the next one-phase commit lands above it.
  cm.update_max_ts(50);
  auto later = one_phase(s, cm, prewrite_request{classic(20, "a"), {put("a", "2")}});
  REQUIRE(later.ok());
  CHECK(later->commit_ts == 51);
  CHECK(s.read("a", 50) == "1");
  CHECK(s.read("a", 51) == "2");
  CHECK(cm.memory_lock_count() == 0);
}

TEST_CASE_TEMPLATE("one_pc: a duplicate answers already committed at the recorded commit_ts", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  concurrency_manager cm;
  cm.initialise_max_ts(30);
  prewrite_request request{classic(10, "a"), {put("a", "1"), put("b", "2")}};
  REQUIRE(one_phase(s, cm, request)->commit_ts == 31);
  cm.update_max_ts(90);  // the duplicate would derive 91
  auto again = one_phase(s, cm, request);
  REQUIRE(again.ok());
  CHECK(again->already_committed);
  CHECK(again->commit_ts == 31);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("one_pc: conflicts abort it with nothing written", F, memory_fixture,
                   lmdb_fixture) {
  shard<F> s;
  concurrency_manager cm;
  cm.initialise_max_ts(100);
  s.committed_put("newer", "x", 15, 25);
  REQUIRE(s.prewrite(classic(12, "locked"), put("locked", "y")).ok());
  auto conflict =
      one_phase(s, cm, prewrite_request{classic(10, "a"), {put("a", "1"), put("newer", "2")}});
  REQUIRE_FALSE(conflict.ok());
  CHECK(conflict.err().code() == errc::write_conflict);
  CHECK(conflict.err().conflict_commit_ts == 25);
  CHECK(s.last_writes() == 0);
  auto locked =
      one_phase(s, cm, prewrite_request{classic(30, "a"), {put("a", "1"), put("locked", "2")}});
  REQUIRE_FALSE(locked.ok());
  CHECK(locked.err().code() == errc::key_locked);
  CHECK(locked.err().lock->lock.start_ts == 12);
  CHECK(s.last_writes() == 0);
  CHECK(s.writes("a").empty());
  // Rolled back on one key (a recovery found nothing there): the one-phase commit fails.
  REQUIRE(s.rollback("b", 40).ok());
  auto rolled =
      one_phase(s, cm, prewrite_request{classic(40, "a"), {put("a", "1"), put("b", "2")}});
  CHECK(rolled.err().code() == errc::txn_rolled_back);
  s.set_gc_safe_point(45);
  auto old = one_phase(s, cm, prewrite_request{classic(45, "a"), {put("a", "1")}});
  CHECK(old.err().code() == errc::txn_too_old);
}

TEST_CASE("one_pc: not ready until max_ts is set from a fresh TSO timestamp") {
  shard<memory_fixture> s;
  concurrency_manager cm;
  prewrite_request request{classic(10, "a"), {put("a", "1")}};
  auto early = one_phase(s, cm, request);
  REQUIRE_FALSE(early.ok());
  CHECK(early.err().code() == errc::not_ready);
  CHECK(s.last_writes() == 0);
  cm.initialise_max_ts(20);
  CHECK(one_phase(s, cm, request)->commit_ts == 21);
  prewrite_params async_txn = async(30, "a", {});
  CHECK(one_phase(s, cm, prewrite_request{async_txn, {put("a", "2")}}).err().code() ==
        errc::invalid_argument);
}

TEST_CASE("one_pc: its memory locks carry the commit_ts, blocking reads at or above it") {
  shard<memory_fixture> s;
  concurrency_manager cm;
  cm.initialise_max_ts(40);
  prewrite_request request{classic(10, "a"), {put("a", "1")}};
  auto memory = cm.lock_keys({"a"}, 10);
  REQUIRE(memory.ok());
  auto done = s.run([&](auto& r, auto& b) { return one_pc_command(r, b, request, *memory); });
  REQUIRE(done.ok());
  CHECK(done->commit_ts == 41);
  // Proposed, not yet applied: a read at 41 must wait, a read at 40 may go ahead.
  auto hit = cm.read_key_check("a", 41);
  REQUIRE(hit.has_value());
  CHECK(hit->lock->min_commit_ts == 41);
  CHECK_FALSE(cm.read_key_check("a", 40).has_value());
  CHECK(*cm.memory_lock_floor() == 41);
  memory->release();
  CHECK_FALSE(cm.memory_lock_floor().has_value());
}

TEST_CASE_TEMPLATE("one_pc: a long value goes to data, and a two-phase lock of ours is refused", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  concurrency_manager cm;
  cm.initialise_max_ts(1);
  const std::string long_value(limits::short_value_bytes + 1, 'L');
  REQUIRE(one_phase(s, cm, prewrite_request{classic(10, "a"), {put("a", long_value)}}).ok());
  CHECK(s.data("a", 10) == std::optional<std::string>(long_value));
  CHECK(s.read("a", 11) == long_value);
  REQUIRE(s.prewrite(classic(20, "b"), put("b", "2pc")).ok());
  auto mixed = one_phase(s, cm, prewrite_request{classic(20, "b"), {put("b", "1pc")}});
  REQUIRE_FALSE(mixed.ok());
  CHECK(mixed.err().code() == errc::invalid_argument);
  CHECK(s.lock("b").has_value());
}
