// A real-time embedded cluster for the benchmarks: CAF's threaded scheduler, the default
// three-datacenter topology with WAN latency off, LMDB partitions (fsync on) under a fresh
// directory that is removed afterwards. The benchmark's thread owns it and drives it from outside
// the actors; transaction clients (sim::txn_client) run the workloads on their own threads.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/cluster.hpp"
#include "sim/txn_client.hpp"

namespace meridian::bench {

class live_cluster {
 public:
  // Partitions under `parent_dir`/meridian-bench-<name>-<pid>; data shards split at split_keys.
  live_cluster(const std::string& parent_dir, const std::string& name,
               std::vector<std::string> split_keys);
  // Stops every actor and waits for them before the engines close, then removes the directory.
  ~live_cluster();
  live_cluster(const live_cluster&) = delete;
  live_cluster& operator=(const live_cluster&) = delete;

  caf::actor_system& system() { return *system_; }
  actors::cluster& cluster() { return *cluster_; }
  const std::string& data_dir() const { return data_dir_; }

  sim::txn_client client(node_id home);
  // Stops `a` with the cluster (the actor system waits for every actor before it closes).
  void stop_at_exit(caf::actor a) { owned_.push_back(std::move(a)); }

  // Every shard's leader, asked with status_atom until each shard has one or `limit` passes;
  // shards without a leader map to 0.
  std::map<shard_id, node_id> wait_for_leaders(std::chrono::milliseconds limit);

  // Runs body(done) on the client's thread and blocks until done() is called or `limit` passes.
  // Returns whether done() was called.
  bool run(const sim::txn_client& client, std::function<void(std::function<void()>)> body,
           std::chrono::milliseconds limit);

 private:
  std::unique_ptr<caf::actor_system_config> config_;
  std::unique_ptr<caf::actor_system> system_;
  std::string data_dir_;
  std::unique_ptr<actors::cluster> cluster_;
  std::vector<caf::actor> owned_;  // clients and stop_at_exit() actors
};

// Commits a one-key transaction writing each of `keys` (one per shard, say), retrying until it
// succeeds or `limit` passes: then the oracle issues, the client knows the leaders and every
// leader has its max_ts. Returns whether every key was written.
bool warm_up(live_cluster& c, const sim::txn_client& client, const std::vector<std::string>& keys,
             std::chrono::milliseconds limit);

// Wall-clock milliseconds since the epoch (the cluster's clock in real time).
std::uint64_t wall_clock_ms();

}  // namespace meridian::bench
