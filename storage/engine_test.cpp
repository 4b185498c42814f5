// The engine contract, run against both implementations (LMDB and the in-memory twin): ordered
// cursors, atomic batches, snapshot isolation, range deletes, durability across restarts, and
// the twin's power loss.
#include <doctest/doctest.h>

#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;
using testing::lmdb_fixture;
using testing::memory_fixture;

namespace {

std::optional<std::string> get(kv_engine& e, cf family, std::string_view key) {
  auto s = e.snapshot();
  REQUIRE(s.ok());
  auto v = (*s)->get(family, key);
  REQUIRE(v.ok());
  if (!v->has_value()) return std::nullopt;
  return std::string(**v);
}

std::vector<std::string> keys(kv_engine& e, cf family) {
  auto s = e.snapshot();
  auto c = (*s)->cursor(family);
  std::vector<std::string> out;
  REQUIRE((*c)->first().ok());
  while ((*c)->valid()) {
    out.emplace_back((*c)->key());
    REQUIRE((*c)->next().ok());
  }
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE("engine: put, get, delete, and not found is a value", F, memory_fixture,
                   lmdb_fixture) {
  F f;
  kv_write_batch b;
  b.put(cf::data, "a", "1");
  b.put(cf::lock, "a", "lock");
  REQUIRE(f.engine().write(b, durability::sync).ok());
  CHECK(get(f.engine(), cf::data, "a") == "1");
  CHECK(get(f.engine(), cf::lock, "a") == "lock");
  CHECK(get(f.engine(), cf::write, "a") == std::nullopt);  // families are separate
  kv_write_batch d;
  d.del(cf::data, "a");
  d.del(cf::data, "never-there");
  REQUIRE(f.engine().write(d, durability::sync).ok());
  CHECK(get(f.engine(), cf::data, "a") == std::nullopt);
}

TEST_CASE_TEMPLATE("engine: cursors seek, seek_for_prev, walk both ways", F, memory_fixture,
                   lmdb_fixture) {
  F f;
  kv_write_batch b;
  for (const char* k : {"b", "d", "f"}) b.put(cf::write, k, k);
  REQUIRE(f.engine().write(b, durability::sync).ok());
  auto s = f.engine().snapshot();
  auto c = std::move(*(*s)->cursor(cf::write));
  REQUIRE(c->seek("c").ok());
  CHECK(c->key() == "d");
  REQUIRE(c->next().ok());
  CHECK(c->key() == "f");
  REQUIRE(c->next().ok());
  CHECK_FALSE(c->valid());
  REQUIRE(c->seek_for_prev("e").ok());
  CHECK(c->key() == "d");
  REQUIRE(c->seek_for_prev("d").ok());
  CHECK(c->key() == "d");
  REQUIRE(c->seek_for_prev("a").ok());
  CHECK_FALSE(c->valid());
  REQUIRE(c->seek_for_prev("z").ok());
  CHECK(c->key() == "f");
  REQUIRE(c->prev().ok());
  REQUIRE(c->prev().ok());
  CHECK(c->key() == "b");
  REQUIRE(c->prev().ok());
  CHECK_FALSE(c->valid());
  REQUIRE(c->last().ok());
  CHECK(c->key() == "f");
}

TEST_CASE_TEMPLATE("engine: a snapshot does not see later writes", F, memory_fixture,
                   lmdb_fixture) {
  F f;
  kv_write_batch b;
  b.put(cf::data, "k", "old");
  REQUIRE(f.engine().write(b, durability::sync).ok());
  auto snap = f.engine().snapshot();
  REQUIRE(snap.ok());
  kv_write_batch b2;
  b2.put(cf::data, "k", "new");
  b2.put(cf::data, "k2", "x");
  REQUIRE(f.engine().write(b2, durability::sync).ok());
  CHECK((*(*snap)->get(cf::data, "k")).value() == "old");
  CHECK_FALSE((*(*snap)->get(cf::data, "k2")).has_value());
  CHECK(get(f.engine(), cf::data, "k") == "new");
}

TEST_CASE_TEMPLATE("engine: range delete removes exactly start to end exclusive", F, memory_fixture,
                   lmdb_fixture) {
  F f;
  kv_write_batch b;
  for (const char* k : {"a", "b", "c", "d", "e"}) b.put(cf::raft_log, k, "v");
  REQUIRE(f.engine().write(b, durability::sync).ok());
  kv_write_batch d;
  d.del_range(cf::raft_log, "b", "d");
  REQUIRE(f.engine().write(d, durability::sync).ok());
  CHECK(keys(f.engine(), cf::raft_log) == std::vector<std::string>{"a", "d", "e"});
}

TEST_CASE_TEMPLATE("engine: durable writes survive a restart and a power loss", F,
                   memory_fixture, lmdb_fixture) {
  F f;
  kv_write_batch b;
  b.put(cf::meta, "x", "1");
  REQUIRE(f.engine().write(b, durability::sync).ok());
  f.restart();
  CHECK(get(f.engine(), cf::meta, "x") == "1");
  f.lose_power();
  CHECK(get(f.engine(), cf::meta, "x") == "1");
}

TEST_CASE("memory engine: power loss drops relaxed writes since the last sync, and only those") {
  memory_engine e;
  kv_write_batch a, b, c;
  a.put(cf::data, "a", "1");
  b.put(cf::data, "b", "2");
  c.put(cf::data, "c", "3");
  REQUIRE(e.write(a, durability::relaxed).ok());
  REQUIRE(e.sync().ok());
  REQUIRE(e.write(b, durability::relaxed).ok());
  REQUIRE(e.write(c, durability::relaxed).ok());
  CHECK(e.unsynced_batches() == 2);
  e.lose_power();
  CHECK(get(e, cf::data, "a") == "1");
  CHECK(get(e, cf::data, "b") == std::nullopt);
  CHECK(get(e, cf::data, "c") == std::nullopt);
}

TEST_CASE_TEMPLATE("engine: the empty key is below every key and never stored", F, memory_fixture,
                   lmdb_fixture) {
  F f;
  kv_write_batch b;
  b.put(cf::data, "a", "1");
  REQUIRE(f.engine().write(b, durability::sync).ok());
  auto s = f.engine().snapshot();
  auto c = std::move(*(*s)->cursor(cf::data));
  REQUIRE(c->seek("").ok());
  CHECK(c->key() == "a");
  REQUIRE(c->seek_for_prev("").ok());
  CHECK_FALSE(c->valid());
  CHECK_FALSE((*(*s)->get(cf::data, "")).has_value());
  kv_write_batch everything;
  everything.del_range(cf::data, "", std::string(512, '\xff'));
  REQUIRE(f.engine().write(everything, durability::sync).ok());
  CHECK(keys(f.engine(), cf::data).empty());
}
