// Transactions across shards under the deterministic simulator: write skew (G2-item) happens
// under snapshot isolation and lock_keys prevents it; garbage collection keeps the data flat under
// a long update-heavy run, refuses reads below its safe point, and never passes a running
// transaction (PROTOCOL.md "Isolation" and "Garbage collection").
#include "actors/shard_machine.hpp"
#include "common/limits.hpp"
#include "sim/cluster_world.hpp"

using namespace meridian;
using namespace std::chrono_literals;
using sim::testing::txn_ptr;
using sim::testing::world;

namespace {

// MVCC write records over every replica of every data shard: what GC must keep from growing.
std::size_t versions(world& w) {
  std::size_t n = 0;
  for (shard_id shard : w.cluster->shards()) {
    for (const auto& r : w.cluster->replicas(shard)) {
      auto* m = dynamic_cast<actors::shard_machine*>(&r->machine());
      if (m == nullptr) continue;
      auto snap = m->engine().snapshot();
      REQUIRE(snap.ok());
      auto c = (*snap)->cursor(storage::cf::write);
      REQUIRE(c.ok());
      REQUIRE((*c)->seek("").ok());
      while ((*c)->valid()) {
        ++n;
        REQUIRE((*c)->next().ok());
      }
    }
  }
  return n;
}

// Commits transactions back to back from `client`, each updating the same few keys on both
// shards, until *stop; counts the commits.
struct updater : std::enable_shared_from_this<updater> {
  sim::txn_client client;
  bool stop = false;
  std::uint64_t commits = 0;
  std::uint64_t first_commit_ts = 0;

  void next() {
    if (stop) return;
    auto self = shared_from_this();
    (*client.engine)->begin({}, [self](result<std::unique_ptr<txn::transaction>> t) {
      if (!t) return self->next();
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      std::string v = std::to_string(self->commits);
      for (const char* k : {"a-hot", "b-hot", "x-hot", "y-hot"}) REQUIRE((*holder)->put(k, v).ok());
      (*holder)->commit([self, holder](result<std::uint64_t> r) {
        if (r) {
          if (self->commits++ == 0) self->first_commit_ts = *r;
        }
        self->next();
      });
    });
  }
};

}  // namespace

TEST_CASE("cluster: write skew (G2-item) across shards happens without lock_keys, not with it") {
  world w;
  auto east = w.client(1);
  auto south = w.client(3);
  for (bool use_locks : {false, true}) {
    // Invariant the application wants: at least one doctor stays on call.
    REQUIRE(w.write(east, {{"a-doctor", "on"}, {"z-doctor", "on"}}).ok());
    txn_ptr t1 = w.begin(east);
    txn_ptr t2 = w.begin(south);
    CHECK(w.get(east, t1, "z-doctor")->value_or("") == "on");   // "the other one is on call"
    CHECK(w.get(south, t2, "a-doctor")->value_or("") == "on");
    if (use_locks) {
      REQUIRE((*t1)->lock_keys({"z-doctor"}).ok());
      REQUIRE((*t2)->lock_keys({"a-doctor"}).ok());
    }
    REQUIRE((*t1)->put("a-doctor", "off").ok());
    REQUIRE((*t2)->put("z-doctor", "off").ok());
    auto first = w.commit(east, t1);
    auto second = w.commit(south, t2);
    REQUIRE(first.ok());
    if (use_locks) {
      REQUIRE_FALSE(second.ok());
      CHECK(second.err().code() == errc::write_conflict);
    } else {
      CHECK(second.ok());  // both went off call: snapshot isolation allows it
    }
  }
}

TEST_CASE("cluster: a transaction writing more keys than one command carries commits whole") {
  // One shard gets 1.5 x limits::max_keys_per_command keys, the other a few: the prewrites and
  // the commits go in several commands per shard (one command is one Raft entry), and one-phase
  // commit, a single command, is not attempted even when every key is in one shard.
  world w;
  auto east = w.client(1);
  const std::size_t n = limits::max_keys_per_command * 3 / 2;
  for (bool both_shards : {false, true}) {
    std::string prefix = both_shards ? "b" : "a";
    auto t = w.begin(east);
    for (std::size_t i = 0; i < n; ++i) {
      REQUIRE((*t)->put(prefix + "-bulk-" + std::to_string(i), "v").ok());
    }
    if (both_shards) REQUIRE((*t)->put("z-bulk", "v").ok());
    auto committed = w.commit(east, t);
    REQUIRE(committed.ok());
    auto reader = w.begin(east);
    std::size_t seen = 0;
    std::string start = prefix + "-bulk-", end = prefix + "-bulk.";
    for (bool more = true; more;) {
      w.run(east, [&](actors::cluster_engine&, auto done) {
        (*reader)->scan(start, end, 10'000, false, [&, done](result<txn::scan_page> page) {
          REQUIRE(page.ok());
          seen += page->rows.size();
          more = page->more;
          start = page->resume_key;
          done();
        });
      });
    }
    CHECK(seen == n);
    if (both_shards) CHECK(w.get(east, reader, "z-bulk")->value_or("") == "v");
  }
}

TEST_CASE("cluster: batch_get asks each shard once, and sees the transaction's own writes") {
  world w;
  auto east = w.client(1);
  std::map<std::string, std::string> seed;
  for (int i = 0; i < 50; ++i) seed["a-" + std::to_string(i)] = "v" + std::to_string(i);
  REQUIRE(w.write(east, seed).ok());
  auto t = w.begin(east);
  REQUIRE((*t)->put("a-3", "mine").ok());
  REQUIRE((*t)->del("a-4").ok());
  std::vector<std::string> keys;
  for (int i = 0; i < 50; ++i) keys.push_back("a-" + std::to_string(i));
  keys.push_back("a-missing");  // shard 1, never written
  keys.push_back("z-missing");  // shard 2, alone there
  std::uint64_t reads_before = (*t)->round_trips().read_round_trips;
  result<std::vector<std::optional<std::string>>> got = error(errc::internal, "not run");
  w.run(east, [&](actors::cluster_engine&, auto done) {
    (*t)->batch_get(keys, [&, done](result<std::vector<std::optional<std::string>>> v) {
      got = std::move(v);
      done();
    });
  });
  REQUIRE(got.ok());
  REQUIRE(got->size() == keys.size());
  for (int i = 0; i < 50; ++i) {
    CAPTURE(i);
    std::optional<std::string> want = "v" + std::to_string(i);
    if (i == 3) want = "mine";
    if (i == 4) want = std::nullopt;
    CHECK((*got)[i] == want);
  }
  CHECK_FALSE((*got)[50].has_value());
  CHECK_FALSE((*got)[51].has_value());
  // One batch for the 49 unbuffered keys of shard 1, one read for the key alone in shard 2.
  CHECK((*t)->round_trips().read_round_trips - reads_before == 2);
}

TEST_CASE("gc: data stays flat under a long update-heavy run, and old snapshots are refused") {
  world w([](actors::cluster_options& o) {
    o.gc.interval = 1s;
    o.gc.policy.retention_ms = 3'000;
  });
  auto u = std::make_shared<updater>();
  u->client = w.client(1);
  sim::post(u->client, [u] { u->next(); });
  w.rt.run_until(w.rt.now() + 20s);
  std::size_t early = versions(w);
  std::uint64_t commits_early = u->commits;
  w.rt.run_until(w.rt.now() + 100s);
  std::size_t late = versions(w);
  sim::post(u->client, [u] { u->stop = true; });
  w.rt.run_until(w.rt.now() + 2s);
  INFO("versions after 20 s: " << early << ", after 120 s: " << late << "; commits "
                               << commits_early << " then " << u->commits);
  REQUIRE(u->commits > commits_early + 500);  // the run did keep writing
  CHECK(late <= early + early / 2);           // flat, where without GC it would grow six-fold
  CHECK(w.cluster->gc().versions_removed > 0);
  CHECK(w.cluster->gc().safe_point > u->first_commit_ts);
  // A snapshot from the start of the run is gone: a clear error, not a wrong answer.
  auto reader = w.client(2);
  txn::begin_options old;
  old.read_ts = u->first_commit_ts;
  txn_ptr t = w.begin(reader, old);
  auto v = w.get(reader, t, "a-hot");
  REQUIRE_FALSE(v.ok());
  CHECK(v.err().code() == errc::snapshot_too_old);
}

TEST_CASE("gc: the safe point never passes a running transaction, which still reads and commits") {
  world w([](actors::cluster_options& o) {
    o.gc.interval = 1s;
    o.gc.policy.retention_ms = 2'000;
  });
  auto client = w.client(1);
  REQUIRE(w.write(client, {{"a-long", "before"}, {"z-long", "before"}}).ok());
  txn_ptr old = w.begin(client);
  auto u = std::make_shared<updater>();
  u->client = w.client(2);
  sim::post(u->client, [u] { u->next(); });
  w.rt.run_until(w.rt.now() + 30s);
  REQUIRE(w.write(client, {{"a-long", "after"}}).ok());
  w.rt.run_until(w.rt.now() + 10s);
  CHECK(w.cluster->gc().safe_point > 0);
  CHECK(w.cluster->gc().safe_point < (*old)->start_ts());
  CHECK(w.get(client, old, "a-long")->value_or("") == "before");  // its snapshot is intact
  REQUIRE((*old)->put("z-long", "from the long transaction").ok());
  CHECK(w.commit(client, old).ok());
  sim::post(u->client, [u] { u->stop = true; });
  w.rt.run_until(w.rt.now() + 2s);
}
