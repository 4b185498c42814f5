// The core's log (etcd's log_test.go and log_unstable_test.go): the unstable part, the combined
// view over storage, byte-bounded reads, conflicts, commit rules; and the in-memory storage twin
// with compaction and snapshots.
#include <doctest/doctest.h>

#include "raft/raft_log.hpp"
#include "raft/memory_log_source.hpp"
#include "raft/testing.hpp"

using namespace meridian;
using namespace meridian::raft;
using testing::log_with_terms;
using testing::terms_of;

namespace {

snapshot snap_at(std::uint64_t index, std::uint64_t term) {
  snapshot s;
  s.metadata.index = index;
  s.metadata.term = term;
  s.metadata.conf.voters = {1};
  return s;
}

}  // namespace

TEST_CASE("unstable: indexes and terms come from entries or the pending snapshot") {
  unstable u(5);
  CHECK_FALSE(u.maybe_first_index());
  CHECK_FALSE(u.maybe_last_index());
  u.truncate_and_append(log_with_terms({1, 1}, 5));
  CHECK(*u.maybe_last_index() == 6);
  CHECK(*u.maybe_term(6) == 1);
  CHECK_FALSE(u.maybe_term(4));
  u.restore(snap_at(9, 2));
  CHECK(*u.maybe_first_index() == 10);
  CHECK(*u.maybe_last_index() == 9);
  CHECK(*u.maybe_term(9) == 2);
  CHECK_FALSE(u.has_entries());
}

TEST_CASE("unstable: appends replace a conflicting suffix in each of the three positions") {
  unstable u(5);
  u.truncate_and_append(log_with_terms({1, 1, 1}, 5));  // 5, 6, 7
  u.truncate_and_append(log_with_terms({2}, 8));        // directly after
  CHECK(terms_of(u.entries()) == std::vector<std::uint64_t>{1, 1, 1, 2});
  u.truncate_and_append(log_with_terms({3, 3}, 6));  // inside
  CHECK(terms_of(u.entries()) == std::vector<std::uint64_t>{1, 3, 3});
  u.truncate_and_append(log_with_terms({4}, 4));  // before the offset: replaces all
  CHECK(u.offset() == 4);
  CHECK(terms_of(u.entries()) == std::vector<std::uint64_t>{4});
}

TEST_CASE("unstable: persisted entries leave only when their term still matches") {
  unstable u(1);
  u.truncate_and_append(log_with_terms({1, 1, 2}));
  u.stable_to(2, 3);  // stale report: entry 2 has term 1
  CHECK(u.offset() == 1);
  u.stable_to(2, 1);
  CHECK(u.offset() == 3);
  CHECK(u.entries().size() == 1);
  u.restore(snap_at(10, 3));
  u.stable_snap_to(9);
  CHECK(u.pending_snapshot().has_value());
  u.stable_snap_to(10);
  CHECK_FALSE(u.pending_snapshot().has_value());
}

TEST_CASE("raft log: terms below the first index are compacted, beyond the last unavailable") {
  memory_log_source storage;
  storage.append(log_with_terms({1, 1, 2, 2, 3}));
  REQUIRE(storage.create_snapshot(3, {}, "s").ok());
  REQUIRE(storage.compact(3).ok());
  raft_log log(storage, 1 << 20);
  CHECK(log.first_index() == 4);
  CHECK(*log.term(3) == 2);  // the snapshot boundary keeps its term
  CHECK(log.term(2).err().code() == errc::log_compacted);
  CHECK(log.term(6).err().code() == errc::log_unavailable);
  CHECK(log.slice(2, 4, 100).err().code() == errc::log_compacted);
  CHECK(log.committed() == 3);
}

TEST_CASE("raft log: reads span storage and unstable entries within the byte bound") {
  memory_log_source storage;
  storage.append(log_with_terms({1, 1, 1}));
  raft_log log(storage, 1 << 20);
  log.append(log_with_terms({2, 2}, 4));
  auto all = log.slice(2, 6, 1 << 20);
  REQUIRE(all.ok());
  CHECK(terms_of(*all) == std::vector<std::uint64_t>{1, 1, 2, 2});
  std::size_t one = all->front().bytes();
  CHECK(log.slice(2, 6, 3 * one)->size() == 3);
  CHECK(log.slice(2, 6, 1)->size() == 1);  // always at least one entry
  CHECK(log.entries(6, 1 << 20)->empty());
  CHECK(log.stable_last_index() == 3);
}

TEST_CASE("raft log: a follower's append finds the conflict and commits no further than it knows") {
  memory_log_source storage;
  storage.append(log_with_terms({1, 2, 3}));
  raft_log log(storage, 1 << 20);
  CHECK(log.find_conflict(log_with_terms({1, 2}, 1)) == 0);
  CHECK(log.find_conflict(log_with_terms({2, 4}, 2)) == 3);
  CHECK(log.find_conflict(log_with_terms({3, 4}, 3)) == 4);  // new entries
  CHECK_FALSE(log.maybe_append(3, 2, 3, {}));                 // previous term mismatch
  auto last = log.maybe_append(2, 2, 10, log_with_terms({4, 4}, 3));
  REQUIRE(last);
  CHECK(*last == 4);
  CHECK(log.committed() == 4);  // min(leader commit, last new index)
  CHECK(terms_of(*log.slice(1, 5, 1 << 20)) == std::vector<std::uint64_t>{1, 2, 4, 4});
  log.commit_to(2);  // never goes back
  CHECK(log.committed() == 4);
}

TEST_CASE("raft log: the conflict search by term finds where leader and follower may agree") {
  memory_log_source storage;
  storage.append(log_with_terms({1, 1, 1, 4, 4, 5, 5, 6, 6, 6}));
  raft_log log(storage, 1 << 20);
  CHECK(log.find_conflict_by_term(10, 6) == std::make_pair<std::uint64_t, std::uint64_t>(10, 6));
  CHECK(log.find_conflict_by_term(10, 3) == std::make_pair<std::uint64_t, std::uint64_t>(3, 1));
  CHECK(log.find_conflict_by_term(7, 4) == std::make_pair<std::uint64_t, std::uint64_t>(5, 4));
  CHECK(log.find_conflict_by_term(10, 0) == std::make_pair<std::uint64_t, std::uint64_t>(0, 0));
}

TEST_CASE("raft log: the leader commits only an entry of its term, and up-to-date compares terms") {
  memory_log_source storage;
  storage.append(log_with_terms({1, 2, 2}));
  raft_log log(storage, 1 << 20);
  CHECK_FALSE(log.maybe_commit(2, 3));
  CHECK(log.maybe_commit(3, 2));
  CHECK(log.committed() == 3);
  CHECK(log.is_up_to_date(3, 2));
  CHECK(log.is_up_to_date(1, 3));
  CHECK_FALSE(log.is_up_to_date(5, 1));
  CHECK_FALSE(log.is_up_to_date(2, 2));
}

TEST_CASE("raft log: committed entries are handed out bounded, none while a snapshot is pending") {
  memory_log_source storage;
  storage.append(log_with_terms({1, 1, 1, 1}));
  raft_log log(storage, 2 * log_with_terms({1})[0].bytes());
  log.commit_to(4);
  CHECK(log.next_committed_entries().size() == 2);
  log.applied_to(2);
  CHECK(log.next_committed_entries().front().index == 3);
  log.restore(snap_at(10, 2));
  CHECK(log.committed() == 10);
  CHECK_FALSE(log.has_next_committed_entries());
  CHECK(log.last_index() == 10);
  CHECK(log.first_index() == 11);
}

TEST_CASE("memory log source: compaction, snapshots and their errors") {
  memory_log_source s(conf_state{{1, 2, 3}, {}});
  s.append(log_with_terms({1, 1, 2, 2}));
  CHECK(s.entries(1, 5, 1 << 20)->size() == 4);
  auto snap = s.create_snapshot(3, conf_state{{1, 2}, {}}, "state");
  REQUIRE(snap.ok());
  CHECK(snap->metadata.term == 2);
  CHECK(s.create_snapshot(2, {}, "").err().code() == errc::log_compacted);
  REQUIRE(s.compact(3).ok());
  CHECK(s.compact(2).err().code() == errc::log_compacted);
  CHECK(s.first_index() == 4);
  CHECK(s.entries(3, 5, 1 << 20).err().code() == errc::log_compacted);
  CHECK(*s.term(3) == 2);
  // An append overlapping the compacted part keeps only what lies after it.
  s.append(log_with_terms({2, 3}, 3));
  CHECK(terms_of(*s.entries(4, 5, 1 << 20)) == std::vector<std::uint64_t>{3});
  CHECK(s.apply_snapshot(snap_at(2, 1)).err().code() == errc::invalid_argument);
  REQUIRE(s.apply_snapshot(snap_at(20, 4)).ok());
  CHECK(s.first_index() == 21);
  CHECK(s.load_state()->conf.voters == std::vector<node_id>{1});
  s.set_snapshot_unavailable(true);
  CHECK(s.snapshot().err().code() == errc::not_ready);
}
