// Scenarios of issue 4 under the deterministic simulator, one at a time (`meridian sim shards`
// runs them together over many seeds): replacing a dead node's replica through Raft membership
// change (thesis §4.1: one server at a time, the new one caught up by snapshot), and the
// router's answer when a shard has no quorum.
#include <doctest/doctest.h>

#include <algorithm>

#include "actors/shard_machine.hpp"
#include "actors/shard_protocol.hpp"
#include "sim/cluster_world.hpp"
#include "sim/nemesis.hpp"
#include "sim/shard_checks.hpp"
#include "actors/replica_replacement.hpp"

using namespace meridian;
using namespace std::chrono_literals;

namespace {

// Runs `call(io, done)` on the client's thread and waits for done() in simulated time.
template <class Call>
void with_router(sim::testing::world& w, const sim::txn_client& client, Call call) {
  auto finished = std::make_shared<bool>(false);
  auto io = client.io;
  sim::post(client, [io, call, finished] { call(**io, [finished] { *finished = true; }); });
  auto until = w.rt.now() + 60s;
  while (!*finished && w.rt.now() < until) w.rt.run_until(w.rt.now() + 10ms);
  REQUIRE(*finished);
}

std::vector<actors::shard_record> directory_of(sim::testing::world& w, const sim::txn_client& client) {
  std::vector<actors::shard_record> out;
  with_router(w, client, [&out](actors::actor_io& io, auto done) {
    io.refresh([&out, &io, done](result<txn::unit> loaded) {
      REQUIRE(loaded.ok());
      out = io.shards().all();
      done();
    });
  });
  return out;
}

}  // namespace

TEST_CASE("replica replacement: a dead node's replicas move to another node of its datacenter, "
          "caught up by snapshot, and converge (Raft thesis §4.1)") {
  sim::testing::world w([](actors::cluster_options& o) {
    o.topo = topology::default_geo(2);  // shard 1 on nodes 4, 5, 6; shard 2 on 1, 2, 3
    o.compact_after_entries = 40;       // the joining replica needs a snapshot
    o.keep_entries = 10;
  });
  auto writer = w.client(1);
  for (int i = 0; i < 30; ++i) {
    REQUIRE(w.write(writer, {{"a-" + std::to_string(i), "v"}, {"z-" + std::to_string(i), "v"}}).ok());
  }
  node_id dead = 4;  // not a meta node (those are 1, 2, 3)
  w.cluster->crash(dead);
  actors::replica_replacement replacement(*w.cluster, dead);
  bool done = false;
  for (int round = 0; round < 400 && !done; ++round) {
    done = replacement.step();
    if (!done) w.rt.run_until(w.rt.now() + 250ms);
  }
  REQUIRE(done);
  auto leader = sim::leader_replica(*w.cluster, 1);
  REQUIRE(leader);
  auto voters = leader->info().conf.voters;
  std::sort(voters.begin(), voters.end());
  CHECK(voters == std::vector<node_id>{1, 5, 6});
  // Learner added, promoted, the dead node removed: three membership changes, three epochs.
  CHECK(dynamic_cast<actors::shard_machine&>(leader->machine()).descriptor().epoch == 4);
  CHECK(w.cluster->engine(dead, 1) == nullptr);  // its replica is forgotten
  w.rt.run_until(w.rt.now() + 5s);  // the leader publishes its members to the directory
  auto fresh = w.client(2);
  REQUIRE(w.write(fresh, {{"a-after", "v"}}).ok());
  CHECK(sim::check_convergence(w.rt, *w.cluster, 30s).empty());
  CHECK(sim::check_directory(*w.cluster, directory_of(w, fresh)).empty());
}

TEST_CASE("routing without a quorum: the router answers a retryable 'unavailable' naming the shard") {
  sim::testing::world w;
  auto client = w.client(1);
  auto dir = directory_of(w, client);
  sim::isolate_datacenters(*w.cluster->net(), {0, 1});  // every datacenter alone
  std::uint64_t epoch = 0;
  for (const auto& r : dir) {
    if (r.id == 1) epoch = r.epoch;
  }
  REQUIRE(epoch > 0);
  // A write that changes nothing (safe_ts 0 never lowers the shard's), straight to the router.
  std::string noop = actors::encode_command(actors::safe_ts_cmd{epoch, 0});
  result<std::string> answer = std::string();
  with_router(w, client, [&answer, noop](actors::actor_io& io, auto done) {
    io.command(1, noop, [&answer, done](result<std::string> r) {
      answer = std::move(r);
      done();
    });
  });
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.err().code() == errc::unavailable);
  CHECK(answer.err().retryable());
  CHECK(answer.err().message().find("shard 1 ") != std::string::npos);
}
