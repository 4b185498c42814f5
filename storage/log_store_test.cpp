// The Raft log store on both engines: append, conflicting-suffix truncation, terms, bounded
// reads, hard state, compaction with a snapshot marker, reset to a snapshot, and group commit
// (staged appends become durable at sync, and a power loss drops only what was never synced).
#include "storage/log_store.hpp"

#include <doctest/doctest.h>

#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;
using testing::lmdb_fixture;
using testing::memory_fixture;

namespace {

std::vector<log_entry> make(std::uint64_t from, std::uint64_t to, std::uint64_t term) {
  std::vector<log_entry> out;
  for (std::uint64_t i = from; i <= to; ++i) {
    std::string data = "e" + std::to_string(i) + "t" + std::to_string(term);
    data.resize(12, '.');  // equal sizes keep byte-bounded reads easy to reason about
    out.push_back(log_entry{term, i, 0, data});
  }
  return out;
}

std::unique_ptr<log_store> open(kv_engine& e) {
  auto s = log_store::open(e);
  REQUIRE(s.ok());
  return std::move(*s);
}

std::vector<std::uint64_t> terms(const log_store& s) {
  std::vector<std::uint64_t> out;
  for (auto i = s.first_index(); i <= s.last_index(); ++i) out.push_back(*s.term(i));
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("log store: appends become durable at sync and survive a restart", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto s = open(f.engine());
  CHECK(s->first_index() == 1);
  CHECK(s->last_index() == 0);
  s->append(make(1, 5, 1));
  s->set_hard_state(hard_state{1, 2, 3});
  CHECK(s->last_index() == 5);
  CHECK(s->durable_index() == 0);
  CHECK(s->entries(2, 4, 1 << 20)->size() == 2);  // staged entries are readable at once
  CHECK(*s->sync() == 5);
  s.reset();
  f.restart();
  s = open(f.engine());
  CHECK(s->last_index() == 5);
  CHECK(s->state() == hard_state{1, 2, 3});
  auto all = s->entries(1, 6, 1 << 20);
  REQUIRE(all.ok());
  CHECK(*all == make(1, 5, 1));
}

TEST_CASE_TEMPLATE("log store: a conflicting suffix is replaced (durable or staged)", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto s = open(f.engine());
  s->append(make(1, 6, 1));
  REQUIRE(s->sync().ok());
  s->append(make(4, 5, 2));  // replaces 4..6
  CHECK(s->last_index() == 5);
  CHECK(terms(*s) == std::vector<std::uint64_t>{1, 1, 1, 2, 2});
  s->append(make(5, 7, 3));  // replaces staged 5
  CHECK(terms(*s) == std::vector<std::uint64_t>{1, 1, 1, 2, 3, 3, 3});
  REQUIRE(s->sync().ok());
  s.reset();
  f.restart();
  s = open(f.engine());
  CHECK(terms(*s) == std::vector<std::uint64_t>{1, 1, 1, 2, 3, 3, 3});
  auto mixed = s->entries(3, 8, 1 << 20);
  CHECK(mixed->front() == make(3, 3, 1).front());
  CHECK(mixed->back() == make(7, 7, 3).front());
}

TEST_CASE_TEMPLATE("log store: entries() is bounded by bytes but returns at least one", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto s = open(f.engine());
  s->append(make(1, 10, 1));
  REQUIRE(s->sync().ok());
  s->append(make(11, 20, 1));  // staged, so the read crosses stored and staged entries
  std::size_t one = make(1, 1, 1)[0].bytes();
  CHECK(s->entries(1, 21, one * 3)->size() == 3);
  CHECK(s->entries(9, 21, one * 4)->size() == 4);
  CHECK(s->entries(1, 21, 1)->size() == 1);
  CHECK(s->entries(1, 21, 1 << 20)->size() == 20);
  CHECK(s->entries(0, 3, 100).err().code() == errc::log_compacted);
  CHECK(s->entries(1, 22, 100).err().code() == errc::log_unavailable);
}

TEST_CASE_TEMPLATE("log store: compaction keeps a snapshot marker and the later entries", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  auto s = open(f.engine());
  s->append(make(1, 5, 1));
  s->append(make(6, 9, 2));
  REQUIRE(s->sync().ok());
  s->compact(6);
  REQUIRE(s->sync().ok());
  CHECK(s->first_index() == 7);
  CHECK(*s->term(6) == 2);
  CHECK(s->term(5).err().code() == errc::log_compacted);
  s.reset();
  f.restart();
  s = open(f.engine());
  CHECK(s->snapshot().index == 6);
  CHECK(s->snapshot().term == 2);
  CHECK(s->first_index() == 7);
  CHECK(s->last_index() == 9);
  CHECK(s->entries(7, 10, 1 << 20)->size() == 3);
}

TEST_CASE_TEMPLATE("log store: reset to a snapshot drops the whole log", F, memory_fixture,
                   lmdb_fixture) {
  F f;
  auto s = open(f.engine());
  s->append(make(1, 5, 1));
  REQUIRE(s->sync().ok());
  s->reset(snapshot_marker{100, 7});
  s->append(make(101, 102, 7));
  REQUIRE(s->sync().ok());
  s.reset();
  f.restart();
  s = open(f.engine());
  CHECK(s->first_index() == 101);
  CHECK(s->last_index() == 102);
  CHECK(*s->term(100) == 7);
}

TEST_CASE("log store: power loss keeps synced appends and drops staged ones (twin)") {
  memory_engine e;
  auto s = open(e);
  s->append(make(1, 3, 1));
  s->set_hard_state(hard_state{1, 1, 2});
  REQUIRE(s->sync().ok());
  s->append(make(4, 6, 1));
  s->set_hard_state(hard_state{1, 1, 5});
  s.reset();  // crash before sync
  e.lose_power();
  s = open(e);
  CHECK(s->last_index() == 3);
  CHECK(s->durable_index() == 3);
  CHECK(s->state() == hard_state{1, 1, 2});
}

TEST_CASE("log store: a corrupted entry is reported, not returned") {
  memory_engine e;
  auto s = open(e);
  s->append(make(1, 2, 1));
  REQUIRE(s->sync().ok());
  kv_write_batch b;
  std::string key(8, '\0');
  key[7] = 2;
  b.put(cf::raft_log, key, "garbage-bytes");
  REQUIRE(e.write(b, durability::sync).ok());
  auto reopened = log_store::open(e);
  REQUIRE_FALSE(reopened.ok());
  CHECK(reopened.err().code() == errc::storage_corrupt);
  CHECK(reopened.err().message().find("entry 2") != std::string::npos);
}

TEST_CASE("log store: a relaxed sync is made durable whenever entries are staged (twin)") {
  memory_engine e;
  auto s = open(e);
  s->append(make(1, 3, 1));
  REQUIRE(s->sync(nullptr, durability::relaxed).ok());  // entries: forced durable
  CHECK(s->durable_index() == 3);
  s->set_hard_state(hard_state{1, 1, 3});  // only the commit index moves
  kv_write_batch applied;
  applied.put(cf::data, "applied", "yes");
  REQUIRE(s->sync(&applied, durability::relaxed).ok());
  s.reset();
  e.lose_power();  // the commit index and the applied write go together
  s = open(e);
  CHECK(s->last_index() == 3);
  CHECK(s->state().commit == 0);
  auto snap = e.snapshot();
  CHECK_FALSE((*(*snap)->get(cf::data, "applied")).has_value());
}
