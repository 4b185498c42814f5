// The data shard's state machine: commands of one ready see each other (prewrite then commit in
// one batch), routing checks (epoch and range), and the leader-side rules of async commit and
// one-phase commit (PROTOCOL.md "max_ts and memory locks": not ready until max_ts is set from a
// fresh timestamp; a read raises max_ts, so a later one-phase commit lands above it).
#include "actors/shard_machine.hpp"

#include <doctest/doctest.h>

#include "storage/memory_engine.hpp"
#include "txn/timestamp.hpp"

using namespace meridian;
using namespace meridian::actors;

namespace {

struct fixture {
  storage::memory_engine engine;
  shard_machine machine{engine, shard_descriptor{1, "a", "m", 1}};
  std::uint64_t index = 1;

  std::vector<std::string> apply(const std::vector<std::string>& commands) {
    std::vector<storage::log_entry> entries;
    for (const auto& c : commands) entries.push_back(storage::log_entry{1, ++index, 0, c});
    storage::kv_write_batch batch;
    auto out = machine.apply(entries, std::nullopt, batch);
    REQUIRE(out.ok());
    REQUIRE(engine.write(batch, storage::durability::sync).ok());
    return *out;
  }
  txn::txn_result<std::string> one(const shard_command& c) {
    return decode_answer(apply({encode_command(c)}).front());
  }
  txn::txn_result<std::string> read(const std::string& key, std::uint64_t ts) {
    auto q = machine.query(encode_query(get_query{1, key, storage::read_options{ts, {}}}));
    REQUIRE(q.ok());
    return decode_answer(*q);
  }
};

prewrite_cmd put(const std::string& key, const std::string& value, std::uint64_t start_ts,
                 prewrite_mode mode = prewrite_mode::classic) {
  prewrite_cmd c;
  c.epoch = 1;
  c.mode = mode;
  c.request.txn.primary = key;
  c.request.txn.start_ts = start_ts;
  c.request.txn.ttl_ms = 3000;
  c.request.txn.use_async_commit = mode == prewrite_mode::async_commit;
  c.request.mutations.push_back(txn::mutation{storage::mutation_kind::put, key, value});
  return c;
}

}  // namespace

TEST_CASE("shard machine: a prewrite and its commit in one ready see each other") {
  fixture f;
  commit_cmd commit;
  commit.epoch = 1;
  commit.request = txn::commit_request{10, 11, {"b"}};
  auto out = f.apply({encode_command(put("b", "v", 10)), encode_command(commit)});
  REQUIRE(decode_answer(out[0]).ok());
  REQUIRE(decode_answer(out[1]).ok());
  auto v = f.read("b", 20);
  REQUIRE(v.ok());
  CHECK(decode_value(*v).value() == "v");
  auto before = f.read("b", 10);
  CHECK_FALSE(decode_value(*before)->has_value());
}

TEST_CASE("shard machine: a stale epoch or a key outside the range is epoch_mismatch") {
  fixture f;
  auto stale = put("b", "v", 10);
  stale.epoch = 0;
  CHECK(f.one(stale).err().code() == errc::epoch_mismatch);
  CHECK(f.one(put("z", "v", 10)).err().code() == errc::epoch_mismatch);
  auto q = f.machine.query(encode_query(get_query{1, "zz", storage::read_options{5, {}}}));
  CHECK(decode_answer(*q).err().code() == errc::epoch_mismatch);
}

TEST_CASE("shard machine: a read meets a lock with its details (PROTOCOL.md reads, step 2)") {
  fixture f;
  REQUIRE(f.one(put("c", "v", 10)).ok());
  auto blocked = f.read("c", 20);
  REQUIRE_FALSE(blocked.ok());
  CHECK(blocked.err().code() == errc::key_locked);
  REQUIRE(blocked.err().lock);
  CHECK(blocked.err().lock->lock.start_ts == 10);
}

TEST_CASE("shard machine: async commit waits for max_ts, and a read pushes one-phase commit above it") {
  fixture f;
  f.machine.leadership_changed(true, 3);
  auto early = f.machine.prepare(encode_command(put("d", "v", 10, prewrite_mode::one_pc)), 1, 0);
  REQUIRE_FALSE(early.ok());
  CHECK(early.err().code() == errc::not_ready);
  f.machine.release(1);
  f.machine.leader_timestamp(3, 50);
  // A read at 100 reaches the leader: max_ts rises to 100 before the one-phase commit derives
  // its commit_ts, so the commit cannot land at or below the read.
  REQUIRE(f.machine.before_read(encode_query(get_query{1, "d", storage::read_options{100, {}}})).ok());
  auto prepared = f.machine.prepare(encode_command(put("d", "v", 10, prewrite_mode::one_pc)), 2, 0);
  REQUIRE(prepared.ok());
  auto out = decode_answer(f.apply({*prepared}).front());
  f.machine.release(2);
  REQUIRE(out.ok());
  CHECK(decode_u64(*out).value() == 101);
  CHECK_FALSE(decode_value(*f.read("d", 100))->has_value());
  CHECK(decode_value(*f.read("d", 101)).value() == "v");
}

TEST_CASE("shard machine: a memory lock blocks a read until its command is applied") {
  fixture f;
  f.machine.leadership_changed(true, 1);
  f.machine.leader_timestamp(1, 5);
  auto prepared = f.machine.prepare(encode_command(put("e", "v", 10, prewrite_mode::async_commit)), 7, 0);
  REQUIRE(prepared.ok());
  auto blocked = f.machine.before_read(encode_query(get_query{1, "e", storage::read_options{20, {}}}));
  CHECK(blocked.err().code() == errc::key_locked);
  f.apply({*prepared});
  f.machine.release(7);
  CHECK(f.machine.before_read(encode_query(get_query{1, "e", storage::read_options{20, {}}})).ok());
  f.machine.leadership_changed(false, 2);
  CHECK(f.machine.prepare(encode_command(put("f", "v", 30, prewrite_mode::async_commit)), 8, 0)
            .err()
            .code() == errc::not_ready);
}

TEST_CASE("shard machine: a read that meets a live lock waits for the command that removes it") {
  // Lock waiting for reads (replica.hpp, parked reads): the leader holds a read that met a live
  // lock and reads again once a command applied here changed that key.
  fixture f;
  f.machine.leadership_changed(true, 1);
  std::uint64_t t10 = txn::compose_ts(1000, 10);
  REQUIRE(f.one(put("c", "v", t10)).ok());
  CHECK(f.machine.take_released().empty());  // a prewrite adds a lock, it removes none
  std::string query = encode_query(get_query{1, "c", storage::read_options{t10 + 5, {}}});
  auto answer = f.machine.query(query);
  REQUIRE(answer.ok());
  auto wait = f.machine.wait_for(query, *answer, 1500);
  REQUIRE(wait);
  CHECK(wait->key == "c");
  CHECK(wait->until_ms == 1600);  // the park bound, well inside the lock's TTL (until 4000)
  CHECK(f.machine.wait_for(query, *answer, 3950)->until_ms == 4000);  // never past the TTL
  CHECK_FALSE(f.machine.wait_for(query, *answer, 4000));  // expired: the reader resolves it
  commit_cmd commit;
  commit.epoch = 1;
  commit.request = txn::commit_request{t10, t10 + 1, {"c"}};
  REQUIRE(f.one(commit).ok());
  CHECK(f.machine.take_released() == std::vector<std::string>{"c"});
  auto after = f.machine.query(query);
  REQUIRE(after.ok());
  CHECK_FALSE(f.machine.wait_for(query, *after, 1500));  // a value: answered
  f.machine.leadership_changed(false, 2);
  CHECK_FALSE(f.machine.wait_for(query, *answer, 1500));  // only a leader holds reads back
}
