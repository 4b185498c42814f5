// Helpers for benchmarks that run a whole embedded cluster under the deterministic simulator
// (sim::runtime): start it, ask every replica for its status (status_atom), move every shard's
// leadership to one node (transfer_atom), and run a job on a transaction client until it reports
// done. Everything runs on the caller's thread, which drives simulated time.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "actors/cluster.hpp"
#include "actors/messages.hpp"
#include "sim/sim_runtime.hpp"
#include "sim/txn_client.hpp"

namespace meridian::bench {

// Simulated wall clock at time zero (the cluster's timestamps carry it).
inline constexpr std::uint64_t sim_epoch_ms = 1'700'000'000'000;

class sim_cluster {
 public:
  // Starts the cluster (options.clock_ms is set to the simulated clock) and lets it elect its
  // leaders and the timestamp oracle for `settle`.
  explicit sim_cluster(actors::cluster_options options,
                       std::chrono::nanoseconds settle = std::chrono::seconds(20));
  ~sim_cluster();
  sim_cluster(const sim_cluster&) = delete;
  sim_cluster& operator=(const sim_cluster&) = delete;

  sim::runtime& rt() { return rt_; }
  actors::cluster& cluster() { return *cluster_; }
  double now_ms() const { return static_cast<double>(rt_.now_ns()) / 1e6; }

  sim::txn_client client(node_id home, actors::coordinator_options options = {});

  // Runs body(engine, done) on the client and advances simulated time until done() is called
  // or `limit` has passed. Returns whether done() was called.
  using job_body = std::function<void(actors::cluster_engine&, std::function<void()>)>;
  bool run(const sim::txn_client& client, job_body body, std::chrono::nanoseconds limit);

 private:
  sim::runtime rt_;
  std::unique_ptr<actors::cluster> cluster_;
  std::vector<caf::actor> clients_;
};

// Every running replica's status, asked with status_atom (the answers need no network, so no
// simulated time passes).
std::vector<actors::replica_status> replica_statuses(sim_cluster& w);

// Per shard, the node whose replica reports itself leader in the highest term, skipping replicas
// on `excluded` (an isolated node still believes it leads); 0 = no leader.
std::map<shard_id, node_id> leaders_of(const std::vector<actors::replica_status>& statuses,
                                       node_id excluded = 0);

// Moves every shard's leadership (the meta shard's too, and with it the timestamp oracle) to
// `node`: sends transfer_atom to every replica of a shard led elsewhere, waits, checks with
// status_atom, and repeats until every leader sits on `node` or `limit` passes.
bool move_leaders(sim_cluster& w, node_id node, std::chrono::nanoseconds limit);

}  // namespace meridian::bench
