// Simulated-cluster helpers for the benchmarks; see sim_cluster.hpp.
#include "bench/sim_cluster.hpp"

#include <caf/all.hpp>

#include "common/assert.hpp"
#include "raft/types.hpp"

namespace meridian::bench {

using namespace std::chrono;

sim_cluster::sim_cluster(actors::cluster_options options, nanoseconds settle) {
  options.clock_ms = [this] {
    return sim_epoch_ms + static_cast<std::uint64_t>(rt_.now_ns() / 1'000'000);
  };
  auto started = actors::cluster::start(rt_.system(), std::move(options));
  MERIDIAN_ASSERT(started.ok(), started.ok() ? "" : started.err().to_string());
  cluster_ = std::move(*started);
  rt_.run_until(rt_.now() + settle);
}

sim_cluster::~sim_cluster() {
  for (auto& c : clients_) caf::anon_send_exit(c, caf::exit_reason::kill);
  cluster_.reset();
  rt_.run_ready();
}

sim::txn_client sim_cluster::client(node_id home, actors::coordinator_options options) {
  auto c = sim::spawn_txn_client(rt_.system(), *cluster_, home, options);
  clients_.push_back(c.handle);
  return c;
}

bool sim_cluster::run(const sim::txn_client& client, job_body body, nanoseconds limit) {
  // Shared, not on the stack: a job that outlives `limit` may still call done() later.
  auto finished = std::make_shared<bool>(false);
  auto engine = client.engine;
  sim::post(client, [engine, body, finished] {
    body(**engine, [finished] { *finished = true; });
  });
  auto until = rt_.now() + limit;
  while (!*finished && rt_.now() < until) rt_.run_until(rt_.now() + milliseconds(1));
  return *finished;
}

std::vector<actors::replica_status> replica_statuses(sim_cluster& w) {
  std::vector<caf::actor> targets;
  for (node_id n : w.cluster().nodes()) {
    for (shard_id s : w.cluster().shards()) {
      if (auto h = w.cluster().replica_actor(n, s)) targets.push_back(h);
    }
  }
  auto out = std::make_shared<std::vector<actors::replica_status>>();
  auto probe = w.rt().system().spawn([targets, out](caf::event_based_actor* self) -> caf::behavior {
    for (const auto& t : targets) {
      self->request(t, seconds(1), actors::status_atom::value)
          .then([out](actors::replica_status& s) { out->push_back(s); }, [](caf::error&) {});
    }
    return {[](actors::job& j) { j.run(); }};
  });
  w.rt().run_ready();
  caf::anon_send_exit(probe, caf::exit_reason::kill);
  w.rt().run_ready();
  return *out;
}

std::map<shard_id, node_id> leaders_of(const std::vector<actors::replica_status>& statuses,
                                       node_id excluded) {
  std::map<shard_id, std::pair<std::uint64_t, node_id>> best;  // shard -> (term, node)
  for (const auto& s : statuses) {
    best.emplace(s.shard, std::make_pair(std::uint64_t{0}, node_id{0}));
    if (s.node == excluded || s.role != static_cast<std::uint8_t>(raft::role::leader)) continue;
    auto& b = best[s.shard];
    if (s.term >= b.first) b = {s.term, s.node};
  }
  std::map<shard_id, node_id> out;
  for (const auto& [shard, b] : best) out[shard] = b.second;
  return out;
}

bool move_leaders(sim_cluster& w, node_id node, nanoseconds limit) {
  auto until = w.rt().now() + limit;
  for (;;) {
    auto leaders = leaders_of(replica_statuses(w));
    bool all_there = true;
    for (shard_id s : w.cluster().shards()) {
      if (leaders[s] == node) continue;
      all_there = false;
      // Only the current leader acts on it; the others answer not_leader (dropped: anonymous).
      for (node_id n : w.cluster().nodes()) {
        auto h = w.cluster().replica_actor(n, s);
        if (h) caf::anon_send(h, actors::transfer_atom::value, node);
      }
    }
    if (all_there) return true;
    if (w.rt().now() >= until) return false;
    w.rt().run_until(w.rt().now() + seconds(2));
  }
}

}  // namespace meridian::bench
