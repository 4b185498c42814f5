// Partition snapshots and digests, on both engines: an export imports back to the same contents,
// and the digest (what the simulator compares across a shard's replicas) depends on every key and
// value of the chosen families, on nothing else, and not on which engine holds them.
#include <doctest/doctest.h>

#include "storage/partition_snapshot.hpp"
#include "storage/testing.hpp"

using namespace meridian;
using namespace meridian::storage;
using testing::lmdb_fixture;
using testing::memory_fixture;

namespace {

void fill(kv_engine& e) {
  kv_write_batch b;
  b.put(cf::data, "a", "1");
  b.put(cf::lock, "a", "lock");
  b.put(cf::write, "b", "w");
  b.put(cf::meta, "applied_index", "7");
  REQUIRE(e.write(b, durability::sync).ok());
}

partition_digest digest(kv_engine& e) {
  auto d = digest_partition(e, state_machine_families());
  REQUIRE(d.ok());
  return *d;
}

}  // namespace

TEST_CASE_TEMPLATE("partition: an export imports back to a partition with the same digest", F,
                   memory_fixture, lmdb_fixture) {
  F from, to;
  fill(from.engine());
  auto bytes = export_partition(from.engine(), state_machine_families());
  REQUIRE(bytes.ok());
  REQUIRE(import_partition(to.engine(), *bytes, state_machine_families(), durability::sync).ok());
  CHECK(digest(to.engine()) == digest(from.engine()));
  CHECK(digest(from.engine()).entries == 4);
}

TEST_CASE("partition: the digest sees every value and family of the state machine, not the log") {
  memory_fixture a, b;
  fill(a.engine());
  fill(b.engine());
  CHECK(digest(a.engine()) == digest(b.engine()));
  kv_write_batch log;  // the Raft log legitimately differs between replicas
  log.put(cf::raft_log, "1", "entry");
  REQUIRE(b.engine().write(log, durability::sync).ok());
  CHECK(digest(a.engine()) == digest(b.engine()));
  kv_write_batch changed;  // one value differs
  changed.put(cf::data, "a", "2");
  REQUIRE(b.engine().write(changed, durability::sync).ok());
  CHECK(digest(a.engine()) != digest(b.engine()));
  kv_write_batch moved;  // the same bytes in another family
  moved.del(cf::data, "a");
  moved.put(cf::write, "a", "1");
  memory_fixture c;
  fill(c.engine());
  REQUIRE(c.engine().write(moved, durability::sync).ok());
  CHECK(digest(a.engine()) != digest(c.engine()));
}

TEST_CASE("partition: memory and LMDB partitions with the same contents have the same digest") {
  memory_fixture m;
  lmdb_fixture l;
  fill(m.engine());
  fill(l.engine());
  CHECK(digest(m.engine()) == digest(l.engine()));
}
