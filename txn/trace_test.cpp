// Own-trace lookup (PROTOCOL.md "Actions": our own traces first) on both engines: our commit
// record anywhere above start_ts, our rollback record, an overlapped_rollback naming us, another
// transaction's commit at exactly start_ts (no trace, no conflict), the newest foreign record
// above start_ts; and whether a commit lands on another transaction's rollback.
#include "txn/trace.hpp"

#include <doctest/doctest.h>

#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;
using storage::write_kind;
using storage::write_record;

namespace {

template <class S>
void record(S& s, const std::string& key, std::uint64_t commit_ts, write_kind kind,
            std::uint64_t start_ts, bool overlapped = false) {
  auto written = s.run([&](auto&, auto& b) {
    return b.put_write(key, commit_ts, write_record{kind, start_ts, overlapped, std::nullopt});
  });
  REQUIRE(written.ok());
}

template <class S>
own_trace trace_of(S& s, const std::string& key, std::uint64_t start_ts) {
  return s.look([&](auto& r) {
    auto t = find_own_trace(r, key, start_ts);
    REQUIRE(t.ok());
    return *t;
  });
}

}  // namespace

TEST_CASE_TEMPLATE("trace: our commit record is found below newer foreign records", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  record(s, "k", 5, write_kind::put, 3);
  record(s, "k", 20, write_kind::put, 10);       // ours
  record(s, "k", 40, write_kind::lock_only, 30);
  record(s, "k", 60, write_kind::del, 50);
  auto t = trace_of(s, "k", 10);
  CHECK(t.outcome == own_trace::state::committed);
  CHECK(t.commit_ts == 20);
  CHECK(t.record.start_ts == 10);
  REQUIRE(t.newer_foreign.has_value());
  CHECK(t.newer_foreign->commit_ts == 60);
  auto none = trace_of(s, "k", 4);
  CHECK(none.outcome == own_trace::state::none);
  CHECK(none.newer_foreign->commit_ts == 60);
  CHECK_FALSE(trace_of(s, "k", 70).newer_foreign.has_value());
}

TEST_CASE_TEMPLATE("trace: our rollback record and an overlapped_rollback naming us read as rolled back",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  record(s, "k", 10, write_kind::rollback, 10);
  record(s, "k", 20, write_kind::put, 15, true);  // 15 committed at 20; 20 was rolled back
  CHECK(trace_of(s, "k", 10).outcome == own_trace::state::rolled_back);
  CHECK(trace_of(s, "k", 20).outcome == own_trace::state::rolled_back);
  CHECK(trace_of(s, "k", 15).outcome == own_trace::state::committed);
}

TEST_CASE_TEMPLATE("trace: another transaction's commit at exactly start_ts is no trace and no conflict",
                   F, memory_fixture, lmdb_fixture) {
  shard<F> s;
  record(s, "k", 20, write_kind::put, 15);
  auto t = trace_of(s, "k", 20);
  CHECK(t.outcome == own_trace::state::none);
  CHECK_FALSE(t.newer_foreign.has_value());
}

TEST_CASE_TEMPLATE("trace: a commit landing on another transaction's rollback overlaps it", F,
                   memory_fixture, lmdb_fixture) {
  shard<F> s;
  record(s, "k", 20, write_kind::rollback, 20);
  auto overlaps = [&](std::uint64_t commit_ts) {
    return s.look([&](auto& r) { return *commit_overlaps_rollback(r, "k", 10, commit_ts); });
  };
  CHECK(overlaps(20));
  CHECK_FALSE(overlaps(21));
  CHECK(write_kind_of(storage::mutation_kind::del) == write_kind::del);
  CHECK(write_kind_of(storage::mutation_kind::lock_only) == write_kind::lock_only);
  CHECK(write_kind_of(storage::mutation_kind::put) == write_kind::put);
}
