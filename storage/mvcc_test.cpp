// MVCC visibility over the Percolator column families (PROTOCOL.md "Reads at read_ts"), on both
// engines: reads below, at and above a commit_ts; deleted versions; rollback and lock_only
// records; locks older and newer than the read; scans forward and in reverse with limits.
#include "storage/mvcc.hpp"

#include <doctest/doctest.h>

#include "common/limits.hpp"
#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;
using testing::lmdb_fixture;
using testing::memory_fixture;

namespace {

// Writes a committed version directly (what prewrite + commit leave behind).
void commit_put(kv_engine& e, const std::string& key, std::uint64_t start_ts,
                std::uint64_t commit_ts, const std::string& value) {
  mvcc_batch b;
  write_record w{write_kind::put, start_ts, false, std::nullopt};
  if (value.size() <= limits::short_value_bytes) {
    w.short_value = value;
  } else {
    REQUIRE(b.put_data(key, start_ts, value).ok());
  }
  REQUIRE(b.put_write(key, commit_ts, w).ok());
  REQUIRE(b.commit(e, durability::sync).ok());
}

void commit_record(kv_engine& e, const std::string& key, std::uint64_t start_ts,
                   std::uint64_t commit_ts, write_kind kind) {
  mvcc_batch b;
  REQUIRE(b.put_write(key, commit_ts, write_record{kind, start_ts, false, std::nullopt}).ok());
  REQUIRE(b.commit(e, durability::sync).ok());
}

void put_lock(kv_engine& e, const std::string& key, lock_record lock) {
  mvcc_batch b;
  REQUIRE(b.put_lock(key, lock).ok());
  REQUIRE(b.commit(e, durability::sync).ok());
}

read_result read(kv_engine& e, const std::string& key, std::uint64_t ts,
                 std::vector<std::uint64_t> bypass = {}) {
  auto s = e.snapshot();
  REQUIRE(s.ok());
  mvcc_reader r(**s);
  auto out = r.get(key, read_options{ts, std::move(bypass)});
  REQUIRE(out.ok());
  return *out;
}

std::string value_at(kv_engine& e, const std::string& key, std::uint64_t ts) {
  auto r = read(e, key, ts);
  REQUIRE(r.outcome != read_result::state::locked);
  return r.outcome == read_result::state::value ? r.value : "<none>";
}

scan_result scan(kv_engine& e, std::string start, std::string end, std::uint64_t ts,
                 std::size_t limit, bool reverse) {
  auto s = e.snapshot();
  mvcc_reader r(**s);
  auto out = r.scan(start, end, read_options{ts, {}}, limit, reverse);
  REQUIRE(out.ok());
  return *out;
}

std::vector<std::string> keys_of(const scan_result& s) {
  std::vector<std::string> out;
  for (const auto& [k, v] : s.rows) out.push_back(k);
  return out;
}

lock_record classic_lock(std::uint64_t start_ts, mutation_kind kind = mutation_kind::put) {
  lock_record l;
  l.primary = "p";
  l.start_ts = start_ts;
  l.ttl_ms = 3000;
  l.kind = kind;
  l.min_commit_ts = start_ts + 1;
  return l;
}

}  // namespace

TEST_CASE_TEMPLATE("mvcc: a version is visible at and above its commit_ts, not below", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  commit_put(f.engine(), "k", 10, 20, "v1");
  commit_put(f.engine(), "k", 30, 40, std::string(1000, 'L'));  // a long value, in `data`
  CHECK(value_at(f.engine(), "k", 19) == "<none>");
  CHECK(value_at(f.engine(), "k", 20) == "v1");
  CHECK(value_at(f.engine(), "k", 39) == "v1");
  CHECK(value_at(f.engine(), "k", 40) == std::string(1000, 'L'));
  CHECK(value_at(f.engine(), "k", 1000) == std::string(1000, 'L'));
  CHECK(value_at(f.engine(), "other", 1000) == "<none>");
}

TEST_CASE_TEMPLATE("mvcc: a delete hides older versions from reads at or above it", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  commit_put(f.engine(), "k", 10, 20, "v1");
  commit_record(f.engine(), "k", 30, 40, write_kind::del);
  CHECK(value_at(f.engine(), "k", 39) == "v1");
  CHECK(value_at(f.engine(), "k", 40) == "<none>");
  commit_put(f.engine(), "k", 50, 60, "v2");
  CHECK(value_at(f.engine(), "k", 60) == "v2");
}

TEST_CASE_TEMPLATE("mvcc: rollback and lock_only records are skipped by reads", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  commit_put(f.engine(), "k", 10, 20, "v1");
  commit_record(f.engine(), "k", 25, 25, write_kind::rollback);
  commit_record(f.engine(), "k", 30, 35, write_kind::lock_only);
  CHECK(value_at(f.engine(), "k", 100) == "v1");
  auto s = f.engine().snapshot();
  mvcc_reader r(**s);
  auto newest = r.seek_write("k", 100);
  REQUIRE(newest->has_value());
  CHECK((*newest)->commit_ts == 35);  // seek_write sees every kind
  std::vector<std::uint64_t> seen;
  REQUIRE(r.visit_writes("k", 100, 21, [&](const committed_version& v) {
              seen.push_back(v.commit_ts);
              return true;
            }).ok());
  CHECK(seen == std::vector<std::uint64_t>{35, 25});
}

TEST_CASE_TEMPLATE("mvcc: an older lock blocks the read, a newer one does not", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  commit_put(f.engine(), "k", 10, 20, "v1");
  put_lock(f.engine(), "k", classic_lock(50));
  CHECK(value_at(f.engine(), "k", 49) == "v1");  // lock start_ts above read_ts: never blocks
  CHECK(value_at(f.engine(), "k", 50) == "v1");  // equal: commits above read_ts
  auto blocked = read(f.engine(), "k", 51);
  REQUIRE(blocked.outcome == read_result::state::locked);
  CHECK(blocked.lock->key == "k");
  CHECK(blocked.lock->lock.start_ts == 50);
  CHECK(blocked.lock->lock.primary == "p");
  // The caller resolved the lock (e.g. pushed it past its read) and bypasses it.
  CHECK(read(f.engine(), "k", 51, {50}).value == "v1");
}

TEST_CASE_TEMPLATE("mvcc: lock_only locks and locks with min_commit_ts above the read do not block",
                   F, memory_fixture, lmdb_fixture) {
  F f;
  commit_put(f.engine(), "a", 1, 2, "x");
  commit_put(f.engine(), "b", 1, 2, "y");
  put_lock(f.engine(), "a", classic_lock(10, mutation_kind::lock_only));
  lock_record async = classic_lock(10);
  async.use_async_commit = true;
  async.min_commit_ts = 100;
  put_lock(f.engine(), "b", async);
  CHECK(value_at(f.engine(), "a", 50) == "x");
  CHECK(value_at(f.engine(), "b", 99) == "y");
  CHECK(read(f.engine(), "b", 100).outcome == read_result::state::locked);
}

TEST_CASE_TEMPLATE("mvcc: scans return the visible rows in order, both ways, with limits", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  commit_put(f.engine(), "a", 1, 2, "a1");
  commit_put(f.engine(), "b", 1, 2, "b1");
  commit_record(f.engine(), "b", 5, 6, write_kind::del);
  commit_put(f.engine(), "c", 1, 2, "c1");
  commit_put(f.engine(), "c", 7, 8, "c2");
  commit_put(f.engine(), "d", 9, 10, "d1");
  commit_put(f.engine(), std::string("c\0", 2), 1, 2, "c0");

  auto all = scan(f.engine(), "", "", 8, 100, false);
  CHECK(keys_of(all) == std::vector<std::string>{"a", "c", std::string("c\0", 2)});
  CHECK(all.rows[1].second == "c2");
  CHECK_FALSE(all.more);
  auto at5 = scan(f.engine(), "a", "d", 5, 100, false);
  CHECK(keys_of(at5) == std::vector<std::string>{"a", "b", "c", std::string("c\0", 2)});
  CHECK(at5.rows[2].second == "c1");
  auto back = scan(f.engine(), "", "", 100, 100, true);
  CHECK(keys_of(back) == std::vector<std::string>{"d", std::string("c\0", 2), "c", "a"});
  auto bounded_back = scan(f.engine(), "b", "d", 100, 100, true);
  CHECK(keys_of(bounded_back) == std::vector<std::string>{std::string("c\0", 2), "c"});

  auto page1 = scan(f.engine(), "", "", 100, 2, false);
  CHECK(keys_of(page1) == std::vector<std::string>{"a", "c"});
  REQUIRE(page1.more);
  auto page2 = scan(f.engine(), page1.resume_key, "", 100, 2, false);
  CHECK(keys_of(page2) == std::vector<std::string>{std::string("c\0", 2), "d"});
  auto rpage1 = scan(f.engine(), "", "", 100, 2, true);
  CHECK(keys_of(rpage1) == std::vector<std::string>{"d", std::string("c\0", 2)});
  auto rpage2 = scan(f.engine(), "", rpage1.resume_key, 100, 2, true);
  CHECK(keys_of(rpage2) == std::vector<std::string>{"c", "a"});
}

TEST_CASE_TEMPLATE("mvcc: a scan stops at a blocking lock, keeping the rows before it", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  commit_put(f.engine(), "a", 1, 2, "a1");
  put_lock(f.engine(), "b", classic_lock(5));  // a new key: lock only, no write record yet
  commit_put(f.engine(), "c", 1, 2, "c1");
  put_lock(f.engine(), "d", classic_lock(500));  // newer than the read: ignored
  auto s = scan(f.engine(), "", "", 10, 100, false);
  CHECK(keys_of(s) == std::vector<std::string>{"a"});
  REQUIRE(s.blocked);
  CHECK(s.blocked->key == "b");
  CHECK(s.resume_key == "b");
  auto r = scan(f.engine(), "", "", 10, 100, true);
  CHECK(keys_of(r) == std::vector<std::string>{"c"});
  REQUIRE(r.blocked);
  CHECK(r.blocked->key == "b");
  auto early = scan(f.engine(), "", "", 4, 100, false);
  CHECK(keys_of(early) == std::vector<std::string>{"a", "c"});
  CHECK_FALSE(early.blocked);
}

TEST_CASE_TEMPLATE("mvcc: the applied index commits atomically with the batch", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  mvcc_batch b;
  REQUIRE(b.put_write("k", 2, write_record{write_kind::put, 1, false, std::string("v")}).ok());
  b.set_applied_index(7);
  REQUIRE(b.commit(f.engine(), durability::sync).ok());
  f.restart();
  auto s = f.engine().snapshot();
  mvcc_reader r(**s);
  CHECK(*r.applied_index() == 7);
  CHECK(value_at(f.engine(), "k", 2) == "v");
}

TEST_CASE("mvcc: lock and write records round-trip and reject malformed bytes") {
  lock_record l = classic_lock(42);
  l.use_async_commit = true;
  l.secondaries = {"s1", "s2"};
  l.short_value = "val";
  CHECK(decode_lock(encode_lock(l)).value() == l);
  write_record w{write_kind::rollback, 9, true, std::nullopt};
  CHECK(decode_write(encode_write(w)).value() == w);
  std::string bad = encode_lock(l);
  bad.pop_back();
  CHECK(decode_lock(bad).err().code() == errc::storage_corrupt);
  CHECK(decode_write("").err().code() == errc::storage_corrupt);
  CHECK(decode_write("\x09").err().code() == errc::storage_corrupt);
}

TEST_CASE("mvcc: oversized keys and values are refused with a clear error") {
  mvcc_batch b;
  auto big_key = b.put_write(std::string(limits::max_key_bytes + 1, 'k'), 1, write_record{});
  REQUIRE_FALSE(big_key.ok());
  CHECK(big_key.err().code() == errc::key_too_large);
  CHECK(big_key.err().message().find("401 bytes") != std::string::npos);
  auto big_value = b.put_data("k", 1, std::string(limits::max_value_bytes + 1, 'v'));
  CHECK(big_value.err().code() == errc::value_too_large);
  CHECK(b.empty());  // nothing half-added
  CHECK(b.put_write(std::string(limits::max_key_bytes, 'k'), 1, write_record{}).ok());
}
