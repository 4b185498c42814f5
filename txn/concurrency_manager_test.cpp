// The leader's max_ts and memory locks (PROTOCOL.md "max_ts and memory locks", "Reads at read_ts"
// steps 1 and 3): not ready until set from the TSO; raised by reads; memory locks exclusive and
// released by their guard; and the order rule on both sides — a writer inserts its memory lock
// before reading max_ts, a reader raises max_ts before checking memory locks — so that no read
// at r misses a write that later commits at or below r.
#include "txn/concurrency_manager.hpp"

#include <doctest/doctest.h>

#include "txn/prewrite.hpp"
#include "txn/test_shard.hpp"

using namespace meridian;
using namespace meridian::txn;
using namespace meridian::txn::testing;

namespace {

storage::lock_record published(std::uint64_t start_ts, std::uint64_t min_commit_ts,
                               storage::mutation_kind kind = storage::mutation_kind::put) {
  storage::lock_record lock;
  lock.primary = "p";
  lock.start_ts = start_ts;
  lock.kind = kind;
  lock.min_commit_ts = min_commit_ts;
  lock.use_async_commit = true;
  return lock;
}

}  // namespace

TEST_CASE("concurrency_manager: max_ts is not ready until set from a fresh TSO timestamp") {
  concurrency_manager cm;
  CHECK_FALSE(cm.max_ts_ready());
  auto early = cm.max_ts();
  REQUIRE_FALSE(early.ok());
  CHECK(early.err().code() == errc::not_ready);
  CHECK(early.err().retryable());
  cm.update_max_ts(70);  // a read served before initialisation is not forgotten
  cm.initialise_max_ts(50);
  CHECK(*cm.max_ts() == 70);
  cm.initialise_max_ts(90);
  CHECK(*cm.max_ts() == 90);
  cm.update_max_ts(80);  // only raises
  CHECK(*cm.max_ts() == 90);
  // Leadership lost and regained: not ready again until a fresh timestamp arrives.
  cm.forget_max_ts();
  CHECK(cm.max_ts().err().code() == errc::not_ready);
  cm.initialise_max_ts(100);
  CHECK(*cm.max_ts() == 100);
}

TEST_CASE("concurrency_manager: memory locks are exclusive per key and released by their guard") {
  concurrency_manager cm;
  {
    auto first = cm.lock_keys({"a", "b"}, 10);
    REQUIRE(first.ok());
    CHECK(cm.memory_lock_count() == 2);
    CHECK(first->holds("a"));
    CHECK_FALSE(first->holds("c"));
    auto clash = cm.lock_keys({"c", "b"}, 20);
    REQUIRE_FALSE(clash.ok());
    CHECK(clash.err().code() == errc::key_locked);
    CHECK(cm.memory_lock_count() == 2);  // nothing of the failed attempt stays
    memory_locks moved = std::move(*first);
    CHECK(moved.holds("b"));
    CHECK_FALSE(first->holds("b"));
    CHECK(cm.memory_lock_count() == 2);
  }
  CHECK(cm.memory_lock_count() == 0);
  auto again = cm.lock_keys({"b"}, 20);
  REQUIRE(again.ok());
  again->release();
  again->release();  // idempotent
  CHECK(cm.memory_lock_count() == 0);
  CHECK(cm.lock_keys({}, 1).err().code() == errc::invalid_argument);
  CHECK(cm.lock_keys({"x", "x"}, 1).err().code() == errc::invalid_argument);
  concurrency_manager small(2);
  auto two = small.lock_keys({"a", "b"}, 1);
  REQUIRE(two.ok());
  CHECK(small.lock_keys({"c"}, 2).err().code() == errc::limit_exceeded);
}

TEST_CASE("concurrency_manager: a read between the writer's insertion and its max_ts read is blocked") {
  concurrency_manager cm;
  cm.initialise_max_ts(10);
  auto writer = cm.lock_keys({"k"}, 5);  // the writer inserts first
  REQUIRE(writer.ok());
  auto hit = cm.read_key_check("k", 20);  // the reader raises max_ts, then checks
  REQUIRE(hit.has_value());
  CHECK(hit->start_ts == 5);
  CHECK_FALSE(hit->lock.has_value());  // not published yet: it blocks regardless
  // And the writer, reading max_ts after, derives above the read anyway.
  CHECK(*writer->max_ts() == 20);
}

TEST_CASE("concurrency_manager: a read before the insertion raises max_ts so the writer lands above it") {
  concurrency_manager cm;
  cm.initialise_max_ts(10);
  CHECK_FALSE(cm.read_key_check("k", 30).has_value());
  auto writer = cm.lock_keys({"k"}, 5);
  REQUIRE(writer.ok());
  CHECK(*writer->max_ts() == 30);  // min_commit_ts will be 31: the read at 30 stays valid
}

TEST_CASE("concurrency_manager: reading max_ts before inserting the memory lock would miss a read") {
  // The hazard the order rule closes, shown with the wrong order: max_ts read first (10), then a
  // read at 20 finds no memory lock, then the lock arrives with min_commit_ts 11 <= 20.
  concurrency_manager cm;
  cm.initialise_max_ts(10);
  std::uint64_t too_early = *cm.max_ts();
  CHECK_FALSE(cm.read_key_check("k", 20).has_value());
  auto writer = cm.lock_keys({"k"}, 5);
  REQUIRE(writer.ok());
  CHECK(too_early == 10);          // the wrong order would derive 11, below the read at 20
  CHECK(*writer->max_ts() == 20);  // the guard's max_ts, read after insertion, derives 21
}

TEST_CASE("concurrency_manager: a published lock blocks by the storage read rule") {
  concurrency_manager cm;
  cm.initialise_max_ts(0);
  auto writer = cm.lock_keys({"k", "l"}, 5);
  REQUIRE(writer.ok());
  writer->publish("k", published(5, 31));
  writer->publish("l", published(5, 6, storage::mutation_kind::lock_only));
  CHECK_FALSE(cm.read_key_check("k", 30).has_value());  // can only commit above 30
  CHECK(cm.read_key_check("k", 31).has_value());
  CHECK_FALSE(cm.read_key_check("l", 100).has_value());  // lock_only changes no value
  CHECK_FALSE(cm.read_key_check("k", 5).has_value());    // start_ts not below read_ts
  CHECK_FALSE(cm.read_key_check("other", 100).has_value());
  CHECK(*cm.max_ts() == 100);
}

TEST_CASE("concurrency_manager: a range check raises max_ts and finds the first blocking lock") {
  concurrency_manager cm;
  cm.initialise_max_ts(0);
  auto a = cm.lock_keys({"b", "d"}, 5);
  auto z = cm.lock_keys({"x"}, 50);
  REQUIRE(a.ok());
  REQUIRE(z.ok());
  auto hit = cm.read_range_check("a", "z", 20);
  REQUIRE(hit.has_value());
  CHECK(hit->key == "b");
  CHECK(*cm.max_ts() == 20);
  CHECK_FALSE(cm.read_range_check("c", "d", 20).has_value());   // end exclusive
  CHECK(cm.read_range_check("c", "", 20)->key == "d");
  CHECK_FALSE(cm.read_range_check("e", "", 20).has_value());    // x started after 20
  CHECK(cm.read_range_check("e", "", 60)->key == "x");
}

TEST_CASE("concurrency_manager: the memory lock floor bounds safe_ts") {
  concurrency_manager cm;
  cm.initialise_max_ts(0);
  CHECK_FALSE(cm.memory_lock_floor().has_value());
  auto async_writer = cm.lock_keys({"a"}, 5);
  REQUIRE(async_writer.ok());
  CHECK(*cm.memory_lock_floor() == 5);  // unpublished: its start_ts
  async_writer->publish("a", published(5, 40));
  CHECK(*cm.memory_lock_floor() == 40);
  auto classic_writer = cm.lock_keys({"b"}, 30);
  REQUIRE(classic_writer.ok());
  storage::lock_record classic_lock = published(30, 31);
  classic_lock.use_async_commit = false;
  classic_writer->publish("b", classic_lock);
  CHECK(*cm.memory_lock_floor() == 30);
}

TEST_CASE("concurrency_manager: an async prewrite racing a read at r never commits at or below r unseen") {
  // Both interleavings of one async prewrite (memory lock, max_ts, lock applied) and one read at
  // r = 20 on the same key, against the real prewrite command.
  for (bool read_first : {true, false}) {
    CAPTURE(read_first);
    shard<memory_fixture> s;
    concurrency_manager cm;
    cm.initialise_max_ts(10);
    prewrite_request request{async(5, "k", {}), {put("k", "v")}};
    bool read_blocked = false;
    if (read_first) read_blocked = cm.read_key_check("k", 20).has_value();
    auto memory = cm.lock_keys({"k"}, 5);
    REQUIRE(memory.ok());
    if (!read_first) read_blocked = cm.read_key_check("k", 20).has_value();
    auto done = s.run([&](auto& r, auto& b) { return prewrite_command(r, b, request, &*memory); });
    REQUIRE(done.ok());
    CHECK((read_blocked || done->min_commit_ts > 20));
    CHECK(done->min_commit_ts == 21);
  }
}
