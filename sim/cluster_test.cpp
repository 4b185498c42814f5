// The whole cluster under the deterministic simulator: a transaction written from one datacenter
// is read from another; one-phase commit for one shard and two-phase commits across shards; a
// conflicting writer loses (first committer wins); timestamps come from the oracle; a placement's
// preference moves a leader at once.
#include "actors/actor_io.hpp"
#include "actors/meta_machine.hpp"
#include "sim/cluster_world.hpp"
#include "sim/sim_runtime.hpp"

using namespace meridian;
using namespace std::chrono_literals;

using sim::testing::txn_ptr;
using sim::testing::world;

TEST_CASE("cluster: a write from one datacenter is read from another (one-phase commit)") {
  world w;
  auto east = w.client(1);
  auto west = w.client(2);
  result<std::uint64_t> committed = error(errc::internal, "not run");
  std::string path;
  w.run(east, [&](actors::cluster_engine& e, auto done) {
    e.begin({}, [&, done](result<std::unique_ptr<txn::transaction>> t) {
      REQUIRE(t.ok());
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      REQUIRE((*holder)->put("apple", "red").ok());
      (*holder)->commit([&, holder, done](result<std::uint64_t> r) {
        committed = r;
        path = (*holder)->round_trips().commit_path;
        done();
      });
    });
  });
  REQUIRE(committed.ok());
  CHECK(path == "one-phase");
  result<std::optional<std::string>> seen = error(errc::internal, "not run");
  w.run(west, [&](actors::cluster_engine& e, auto done) {
    e.begin({}, [&, done](result<std::unique_ptr<txn::transaction>> t) {
      REQUIRE(t.ok());
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      (*holder)->get("apple", [&, holder, done](result<std::optional<std::string>> v) {
        seen = v;
        done();
      });
    });
  });
  REQUIRE(seen.ok());
  CHECK(*seen == "red");
}

TEST_CASE("cluster: cross-shard transactions commit atomically, async and classic") {
  world w;
  auto client = w.client(1);
  for (auto mode : {txn::commit_mode::automatic, txn::commit_mode::classic}) {
    result<std::uint64_t> committed = error(errc::internal, "not run");
    std::string path;
    w.run(client, [&](actors::cluster_engine& e, auto done) {
      txn::begin_options o;
      o.mode = mode;
      e.begin(o, [&, done](result<std::unique_ptr<txn::transaction>> t) {
        REQUIRE(t.ok());
        auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
        REQUIRE((*holder)->put("a-key", "1").ok());  // shard 1
        REQUIRE((*holder)->put("z-key", "2").ok());  // shard 2
        (*holder)->commit([&, holder, done](result<std::uint64_t> r) {
          committed = r;
          path = (*holder)->round_trips().commit_path;
          done();
        });
      });
    });
    REQUIRE(committed.ok());
    CHECK(path == (mode == txn::commit_mode::classic ? "classic" : "async-commit"));
    std::vector<std::optional<std::string>> got;
    w.run(client, [&](actors::cluster_engine& e, auto done) {
      e.begin({}, [&, done](result<std::unique_ptr<txn::transaction>> t) {
        auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
        (*holder)->batch_get({"a-key", "z-key"},
                             [&, holder, done](result<std::vector<std::optional<std::string>>> v) {
                               REQUIRE(v.ok());
                               got = *v;
                               done();
                             });
      });
    });
    CHECK(got == std::vector<std::optional<std::string>>{std::string("1"), std::string("2")});
  }
}

TEST_CASE("cluster: first committer wins across datacenters (no lost update)") {
  world w;
  auto east = w.client(1);
  auto south = w.client(3);
  // Both begin first, so their snapshots overlap; then both write the same keys.
  txn_ptr a = std::make_shared<std::unique_ptr<txn::transaction>>();
  txn_ptr b = std::make_shared<std::unique_ptr<txn::transaction>>();
  int begun = 0;
  sim::post(east, [&] { (*east.engine)->begin({}, [&](auto t) { *a = std::move(*t); ++begun; }); });
  sim::post(south, [&] { (*south.engine)->begin({}, [&](auto t) { *b = std::move(*t); ++begun; }); });
  while (begun < 2 && w.rt.now() < 100s) w.rt.run_until(w.rt.now() + 10ms);
  REQUIRE(begun == 2);
  result<std::uint64_t> first = error(errc::internal, "not run");
  result<std::uint64_t> second = error(errc::internal, "not run");
  int finished = 0;
  // Both read the key before either writes (a read-modify-write race): a lost update unless one
  // of them aborts. (Had one finished before the other read, both would commit legitimately.)
  std::string seen_a, seen_b;
  int read = 0;
  auto read_k = [&](txn_ptr t, std::string* seen) {
    (*t)->get("k", [&read, t, seen](result<std::optional<std::string>> v) {
      REQUIRE(v.ok());
      *seen = v->value_or("");
      ++read;
    });
  };
  sim::post(east, [&] { read_k(a, &seen_a); });
  sim::post(south, [&] { read_k(b, &seen_b); });
  while (read < 2 && w.rt.now() < 200s) w.rt.run_until(w.rt.now() + 10ms);
  REQUIRE(read == 2);
  auto write = [&](txn_ptr t, const std::string& seen, result<std::uint64_t>* out) {
    REQUIRE((*t)->put("k", seen + "+1").ok());
    REQUIRE((*t)->put("zz", "v").ok());
    (*t)->commit([&finished, t, out](result<std::uint64_t> r) {
      *out = r;
      ++finished;
    });
  };
  sim::post(east, [&] { write(a, seen_a, &first); });
  sim::post(south, [&] { write(b, seen_b, &second); });
  while (finished < 2 && w.rt.now() < 200s) w.rt.run_until(w.rt.now() + 100ms);
  REQUIRE(finished == 2);
  INFO("a start " << (*a)->start_ts() << " commit " << (first.ok() ? *first : 0) << " path "
                  << (*a)->round_trips().commit_path << "; b start " << (*b)->start_ts()
                  << " commit " << (second.ok() ? *second : 0) << " path "
                  << (*b)->round_trips().commit_path);
  REQUIRE(first.ok() != second.ok());  // exactly one commits
  const auto& loser = first.ok() ? second : first;
  CHECK(loser.err().code() == errc::write_conflict);
}

TEST_CASE("cluster: a read at a past timestamp is served by the reader's own datacenter") {
  world w;
  auto east = w.client(1);
  auto west = w.client(2);
  std::vector<std::uint64_t> commits;
  for (const char* v : {"v1", "v2"}) {
    w.run(east, [&, v](actors::cluster_engine& e, auto done) {
      e.begin({}, [&, v, done](result<std::unique_ptr<txn::transaction>> t) {
        auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
        REQUIRE((*holder)->put("stale-key", v).ok());
        (*holder)->commit([&, holder, done](result<std::uint64_t> r) {
          REQUIRE(r.ok());
          commits.push_back(*r);
          done();
        });
      });
    });
    w.rt.run_until(w.rt.now() + 5s);  // leaders publish safe timestamps past the commit
  }
  std::optional<std::string> seen;
  txn::ledger ledger;
  w.run(west, [&](actors::cluster_engine& e, auto done) {
    txn::begin_options o;
    o.read_ts = commits[0];
    e.begin(o, [&, done](result<std::unique_ptr<txn::transaction>> t) {
      REQUIRE(t.ok());
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      (*holder)->get("stale-key", [&, holder, done](result<std::optional<std::string>> v) {
        REQUIRE(v.ok());
        seen = *v;
        ledger = (*holder)->round_trips();
        done();
      });
    });
  });
  CHECK(seen == "v1");          // the snapshot at the first commit
  CHECK(ledger.local_reads == 1);  // served in eu-west, no trip to the leader
  CHECK(ledger.read_round_trips == 0);
}

TEST_CASE("cluster: a split moves the right half to a new shard, losing and doubling nothing") {
  world w;
  auto client = w.client(1);
  // Shard 1 holds ["", "m"): fill it, split it at "f", then read every key back and write more.
  std::vector<std::string> keys;
  for (char c = 'a'; c <= 'k'; ++c) keys.push_back(std::string(1, c) + "-key");
  w.run(client, [&](actors::cluster_engine& e, auto done) {
    e.begin({}, [&, done](result<std::unique_ptr<txn::transaction>> t) {
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      for (const auto& k : keys) REQUIRE((*holder)->put(k, "v-" + k).ok());
      (*holder)->commit([holder, done](result<std::uint64_t> r) {
        REQUIRE(r.ok());
        done();
      });
    });
  });
  auto before = w.cluster->shards().size();
  w.cluster->split(1, 1, "f");
  w.rt.run_until(w.rt.now() + 10s);
  CHECK(w.cluster->shards().size() == before + 1);
  txn::scan_page page;
  w.run(client, [&](actors::cluster_engine& e, auto done) {
    e.begin({}, [&, done](result<std::unique_ptr<txn::transaction>> t) {
      auto holder = std::make_shared<std::unique_ptr<txn::transaction>>(std::move(*t));
      REQUIRE((*holder)->put("g-new", "after-split").ok());  // lands in the new shard
      (*holder)->scan("", "m", 100, false, [&, holder, done](result<txn::scan_page> p) {
        REQUIRE(p.ok());
        page = *p;
        (*holder)->commit([holder, done](result<std::uint64_t> r) {
          REQUIRE(r.ok());
          done();
        });
      });
    });
  });
  std::vector<std::string> seen;
  for (const auto& row : page.rows) seen.push_back(row.key);
  auto expected = keys;
  expected.insert(std::upper_bound(expected.begin(), expected.end(), "g-new"), "g-new");
  CHECK(seen == expected);
  // Each new shard's replicas agree (three replicas of the new shard exist and applied alike).
  auto shards = w.cluster->shards();
  auto newest = *std::max_element(shards.begin(), shards.end());
  CHECK(w.cluster->replicas(newest).size() == 3);
}

namespace {

// The node that leads `shard` now, 0 while none does.
node_id leader_now(world& w, shard_id shard) {
  for (const auto& r : w.cluster->replicas(shard)) {
    if (r->info().role == raft::role::leader) return r->id();
  }
  return 0;
}

// Prefers `dc` for shard 1 (as a placement does), asking the balancers to act at once or not,
// and reports who leads shard 1 0.9 s later: before the balancers' next periodic round (every
// 2 s since the services started), which the test keeps at least 1.5 s away.
node_id leader_after_preferring(bool rebalance) {
  world w;
  auto east = w.client(1);
  w.rt.run_until(w.rt.now() + 500ms);  // 0.5 s past a periodic round (rounds at 2 s multiples)
  REQUIRE(leader_now(w, 1) != 0);
  bool preferred = false;
  sim::post(east, [&] {
    (*east.io)->command(actors::meta_shard, actors::meta_machine::prefer_command(1, "ap-south"),
                        [&](result<std::string> r) {
                          REQUIRE(r.ok());
                          preferred = true;
                          if (rebalance) (*east.io)->rebalance();
                        });
  });
  w.rt.run_until(w.rt.now() + 900ms);
  REQUIRE(preferred);
  return leader_now(w, 1);
}

}  // namespace

TEST_CASE("cluster: a placement's preference moves the leader at once, not at the next round") {
  const node_id ap_south = 3;  // topology::default_geo: node 3 is ap-south's
  CHECK(leader_after_preferring(true) == ap_south);
  // Without the prompt the leader stays until the balancers' periodic round.
  CHECK(leader_after_preferring(false) != ap_south);
}

TEST_CASE("simulator: a replay command carries every digit of the run's options") {
  // '%g' printed 12345.649 as 12345.6: the printed replay ran another history.
  CHECK(sim::fault_seconds_option(60, 60).empty());
  CHECK(sim::fault_seconds_option(12345.649, 60) == " --fault-seconds 12345.649");
  CHECK(sim::fault_seconds_option(0.1, 60) == " --fault-seconds 0.1");
  CHECK(sim::replay_command("raft", 7, "--shards 8") ==
        "meridian sim raft --seed-start 7 --seeds 1 --shards 8");
}
