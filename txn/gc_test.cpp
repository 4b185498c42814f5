// Garbage collection (PROTOCOL.md "Garbage collection") on both engines: the newest put or delete
// at or below the safe point is kept and older versions and their data go; lock_only and
// rollback records never count as that version; reads below the safe point get
// snapshot_too_old; unresolved locks stop GC; the safe point never goes back; whole ranges.
#include "txn/gc.hpp"

#include <doctest/doctest.h>

#include "common/limits.hpp"
#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using storage::write_kind;

namespace {

template <class S>
txn_result<gc_key_result> collect(S& s, const std::string& key, std::uint64_t safe_point) {
  return s.run([&](auto& r, auto& b) { return gc_key(r, b, key, safe_point); });
}

template <class S>
std::vector<std::uint64_t> commit_timestamps(S& s, const std::string& key) {
  std::vector<std::uint64_t> out;
  for (const auto& v : s.writes(key)) out.push_back(v.commit_ts);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("gc: keeps the newest version at or below the safe point, removes older ones and their data",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  const std::string long_value(limits::short_value_bytes + 1, 'L');
  s.committed_put("k", long_value, 10, 20);
  s.committed_put("k", "v2", 30, 40);
  s.committed_put("k", "v3", 50, 60);
  s.committed_put("k", "v4", 70, 80);
  auto done = collect(s, "k", 65);
  REQUIRE(done.ok());
  CHECK(done->versions_removed == 2);
  CHECK(done->kept_commit_ts == std::optional<std::uint64_t>(60));
  CHECK(commit_timestamps(s, "k") == std::vector<std::uint64_t>{80, 60});
  CHECK_FALSE(s.data("k", 10).has_value());
  CHECK(s.read("k", 65) == "v3");
  CHECK(s.read("k", 80) == "v4");
  // Collecting again finds nothing more.
  CHECK(collect(s, "k", 65)->versions_removed == 0);
  CHECK(s.last_writes() == 0);
}

TEST_CASE_TEMPLATE("gc: lock_only and rollback records are not the kept version and are removed",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "v1", 10, 20);
  s.committed(lock_only("k"), 30, 40);
  REQUIRE(s.rollback("k", 50).ok());
  s.committed(lock_only("k"), 60, 70);
  auto done = collect(s, "k", 75);
  REQUIRE(done.ok());
  CHECK(done->kept_commit_ts == std::optional<std::uint64_t>(20));
  CHECK(done->versions_removed == 3);
  CHECK(commit_timestamps(s, "k") == std::vector<std::uint64_t>{20});
  CHECK(s.read("k", 75) == "v1");
}

TEST_CASE_TEMPLATE("gc: a delete is kept as the newest version, records above stay", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "v1", 10, 20);
  s.committed(del("k"), 30, 40);
  REQUIRE(s.rollback("k", 90).ok());
  auto done = collect(s, "k", 50);
  REQUIRE(done.ok());
  CHECK(done->kept_commit_ts == std::optional<std::uint64_t>(40));
  CHECK(commit_timestamps(s, "k") == std::vector<std::uint64_t>{90, 40});
  CHECK(s.read("k", 50) == "<none>");
  // A key with nothing at or below the safe point keeps everything.
  s.committed_put("n", "v", 60, 70);
  CHECK(collect(s, "n", 50)->versions_removed == 0);
}

TEST_CASE_TEMPLATE("gc: reads below the safe point fail with snapshot_too_old", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "v1", 10, 20);
  s.committed_put("k", "v2", 30, 40);
  s.set_gc_safe_point(45);
  REQUIRE(collect(s, "k", 45).ok());
  auto check = [&](std::uint64_t read_ts) {
    return s.look([&](auto& r) { return check_read_ts(r, read_ts); });
  };
  auto below = check(30);
  REQUIRE_FALSE(below.ok());
  CHECK(below.err().code() == errc::snapshot_too_old);
  CHECK(check(45).ok());
  CHECK(s.read("k", 45) == "v2");
  auto too_old = s.look([&](auto& r) { return check_start_ts(r, "k", 45); });
  CHECK(too_old.err().code() == errc::txn_too_old);
  CHECK(s.look([&](auto& r) { return check_start_ts(r, "k", 46); }).ok());
}

TEST_CASE_TEMPLATE("gc: a lock at or below the safe point stops GC until it is resolved", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  s.committed_put("k", "v1", 10, 20);
  s.committed_put("k", "v2", 30, 40);
  REQUIRE(s.prewrite(classic(45, "p"), put("k", "v3")).ok());
  auto stopped = collect(s, "k", 50);
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.err().code() == errc::lock_not_resolved);
  CHECK(stopped.err().lock->lock.start_ts == 45);
  CHECK(s.last_writes() == 0);
  // A lock above the safe point does not stop it.
  CHECK(collect(s, "k", 44)->versions_removed == 1);
  REQUIRE(s.resolve("k", 45, txn_outcome::committed_at(48)).ok());
  CHECK(collect(s, "k", 50)->kept_commit_ts == std::optional<std::uint64_t>(48));
}

TEST_CASE_TEMPLATE("gc: the safe point never goes back", F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  auto advance = [&](std::uint64_t safe_point) {
    return s.run([&](auto& r, auto& b) { return advance_gc_safe_point(r, b, safe_point); });
  };
  REQUIRE(advance(50).ok());
  CHECK(s.look([](auto& r) { return *r.gc_safe_point(); }) == 50);
  auto back = advance(40);
  REQUIRE_FALSE(back.ok());
  CHECK(back.err().code() == errc::invalid_argument);
  CHECK(s.last_writes() == 0);
  CHECK(advance(50).ok());
}

TEST_CASE_TEMPLATE("gc_range: collects every key of a range, resumes at a limit, stops at locks",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  for (const char* key : {"a", "b", "c", "d"}) {
    s.committed_put(key, "old", 10, 20);
    s.committed_put(key, "new", 30, 40);
  }
  auto range = [&](std::string start, std::string end, std::size_t max_keys) {
    auto snapshot = s.engine().snapshot();
    REQUIRE(snapshot.ok());
    storage::mvcc_batch batch;
    auto out = gc_range(**snapshot, batch, start, end, 50, max_keys);
    REQUIRE(batch.commit(s.engine(), storage::durability::sync).ok());
    return out;
  };
  auto first = range("a", "d", 2);
  REQUIRE(first.ok());
  CHECK(first->keys_visited == 2);
  CHECK(first->versions_removed == 2);
  CHECK(first->more);
  CHECK(first->resume_key == "c");
  auto rest = range(first->resume_key, "d", 10);
  REQUIRE(rest.ok());
  CHECK(rest->keys_visited == 1);
  CHECK_FALSE(rest->more);
  CHECK(commit_timestamps(s, "c") == std::vector<std::uint64_t>{40});
  CHECK(commit_timestamps(s, "d").size() == 2);  // the end is exclusive

  REQUIRE(s.prewrite(classic(45, "d"), put("d", "locked")).ok());
  auto snapshot = s.engine().snapshot();
  REQUIRE(snapshot.ok());
  auto locks = scan_locks(**snapshot, "a", "", 50, 10);
  REQUIRE(locks.ok());
  REQUIRE(locks->size() == 1);
  CHECK((*locks)[0].key == "d");
  CHECK(scan_locks(**snapshot, "a", "", 44, 10)->empty());
  auto stopped = range("a", "", 10);
  REQUIRE_FALSE(stopped.ok());
  CHECK(stopped.err().code() == errc::lock_not_resolved);
  CHECK(commit_timestamps(s, "d").size() == 2);
}
