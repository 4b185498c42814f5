// An embedded cluster: every node of a topology inside one actor system — per node, one replica
// actor per shard it holds (the meta shard and the data shards), the timestamp oracle's actor, and
// a node service (the node's own cluster client, which new shard leaders ask for timestamps).
// Storage is LMDB under a data directory, or in-memory engines that can lose power (tests, the
// simulator). The builder is used by the shell's embedded mode, the benchmarks and the
// simulator; crash() and restart() are the fault hooks, and add_replica(), propose_membership()
// and drop_replica() replace a replica through Raft membership change. Methods run on the thread
// that owns the cluster (never from inside its actors).
#pragma once

#include <caf/fwd.hpp>

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <mutex>

#include "actors/actor_io.hpp"
#include "actors/directory.hpp"
#include "actors/gc_driver.hpp"
#include "actors/replica.hpp"
#include "storage/directory_lock.hpp"
#include "actors/replica_actor.hpp"
#include "actors/transport.hpp"
#include "storage/engine.hpp"

namespace meridian::actors {

struct cluster_options {
  topology topo = topology::default_geo();
  // Boundaries of the initial data shards: N keys make N + 1 shards.
  std::vector<std::string> split_keys;
  // LMDB partitions under data_dir/node-<id>/shard-<id>; empty = in-memory engines.
  std::string data_dir;
  // Wall-clock milliseconds (the simulator passes its simulated clock).
  std::function<std::uint64_t()> clock_ms;
  std::uint64_t seed = 1;
  std::uint64_t clock_drift_ms = 100;
  // Per node, a factor on the tick length (the simulator's timer jitter); absent = 1.
  std::map<node_id, double> tick_skew;
  std::uint64_t compact_after_entries = 10'000;
  std::uint64_t keep_entries = 1'000;
  bool record_applied = false;
  // Where leaders (and the timestamp oracle) live unless a table says otherwise; empty: wherever
  // elections put them.
  std::string default_leader_dc;
  // A data shard with more distinct keys than this splits at its middle key; 0: never.
  std::size_t split_after_keys = 0;
  // How often shard leaders publish a safe timestamp for stale reads.
  std::chrono::milliseconds safe_ts_interval{1'000};
  replica_observer* observer = nullptr;
  actor_io_options io;
  // Garbage collection of old versions (every node reports, the meta leader's node drives).
  gc_options gc;
};

class cluster {
 public:
  static result<std::unique_ptr<cluster>> start(caf::actor_system& system, cluster_options options);
  ~cluster();
  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  const std::shared_ptr<transport>& net() const { return net_; }
  const topology& topo() const { return options_.topo; }
  const raft::config& raft_config() const { return raft_; }
  const std::vector<node_id>& meta_nodes() const { return meta_nodes_; }
  const std::vector<shard_record>& initial_directory() const { return directory_; }
  std::vector<node_id> nodes() const;
  std::vector<shard_id> shards() const;
  std::function<std::uint64_t()> clock() const { return options_.clock_ms; }
  const actor_io_options& io_options() const { return options_.io; }

  // Splits a shard at `key` through the node service of `node` (an operator's command; shards
  // also split by themselves past cluster_options::split_after_keys). Answers asynchronously.
  void split(node_id node, shard_id shard, std::string key);

  // Stops every actor of the node; in-memory engines lose what was not synced (power loss).
  void crash(node_id node);
  status restart(node_id node);
  bool up(node_id node) const;
  // The node's replicas of a shard that are running (for checks and status).
  std::vector<std::shared_ptr<replica>> replicas(shard_id shard) const;
  caf::actor replica_actor(node_id node, shard_id shard) const;
  // The running replica of `shard` that leads in the highest term, null if none does.
  std::shared_ptr<replica> leader_replica(shard_id shard) const;
  caf::actor node_service(node_id node) const;
  // The storage of the node's replica of `shard` (checks: digests, placement), null if none.
  storage::kv_engine* engine(node_id node, shard_id shard) const;

  // Asks every running replica of `shard` to hand its leadership to `to` (Raft leader transfer;
  // only the leader acts, and only once `to` is up to date).
  void transfer_leader(shard_id shard, node_id to);

  // ---- replacing a replica (Raft membership change, one server at a time) ----
  // Starts an empty replica of `shard` on `node`, for a membership change to add: it waits for
  // the leader, which catches it up by snapshot. ok if one runs there already.
  status add_replica(node_id node, shard_id shard);
  // Proposes `change` on whichever running replica of `shard` leads (the others ignore it).
  // Asynchronous: the applied membership shows in the replicas' info().conf; a change refused
  // (another still pending, no leader) simply does not happen, so the caller proposes again.
  void propose_membership(shard_id shard, const raft::conf_change& change);
  // Stops and forgets the node's replica of `shard` once it left the group: a restart of the
  // node no longer opens it, and its storage is discarded (kept in memory until the cluster
  // ends, since its actor may still be finishing a message).
  void drop_replica(node_id node, shard_id shard);
  // The node's running transactions: coordinators homed on the node register in it, so garbage
  // collection never passes them (coordinator_options::active).
  std::shared_ptr<txn::active_set> active_set(node_id node) const;
  const gc_stats& gc() const { return *gc_stats_; }
  // Why replicas stopped on a storage failure, first first ("node 2, shard 1: E2004 ..."); empty
  // while storage holds. Any thread.
  std::vector<std::string> storage_failures() const;

 private:
  struct slot {
    std::unique_ptr<storage::kv_engine> engine;
    std::shared_ptr<replica> core;
    caf::actor handle;
  };
  cluster(caf::actor_system& system, cluster_options options);
  status start_node(node_id node);
  status start_services(node_id node);
  status start_replica(node_id node, const shard_record& record);
  // The shards whose replicas `node` keeps in its data directory (none without one).
  std::set<shard_id> stored_shards(node_id node) const;
  // Opens the replica of `shard` that `node` keeps in storage.
  status open_stored(node_id node, shard_id shard);
  // Starts a split's new shard on `node` (called from that node's replica actor thread).
  void spawn_split(node_id node, spawn_request request);
  // Reads what the data directory was created as (storage::data_dir).
  status check_data_dir();
  // storage_corrupt when a store `node` lists (storage::read_store_list) was lost.
  status check_stores(node_id node) const;
  error lost_store(node_id node, shard_id shard) const;
  status open_replica(node_id node, shard_id shard, std::optional<raft::snapshot> bootstrap,
                      std::unique_ptr<state_machine> machine, bool campaign = false);
  std::unique_ptr<state_machine> machine_for(storage::kv_engine& engine, shard_id shard,
                                             const shard_record* initial) const;
  result<storage::kv_engine*> engine_for(node_id node, shard_id shard);
  std::chrono::microseconds tick_of(node_id node) const;

  // First, so it is let go of last: the data directory is ours until every engine has closed.
  std::unique_ptr<storage::directory_lock> dir_lock_;
  // The data directory was created before this start (storage::data_dir): a store of the
  // initial directory found missing there was lost, and is refused rather than made empty.
  bool created_before_ = false;
  caf::actor_system& system_;
  cluster_options options_;
  std::shared_ptr<transport> net_;
  raft::config raft_;
  std::vector<node_id> meta_nodes_;
  std::vector<shard_record> directory_;
  std::map<std::pair<node_id, shard_id>, slot> slots_;
  std::map<node_id, caf::actor> tso_;
  std::map<node_id, std::shared_ptr<caf::actor>> tso_slots_;  // each oracle's meta replica
  std::map<node_id, caf::actor> services_;
  std::map<node_id, caf::actor> gc_;
  // Per node, the persisters that run its replicas' durable writes (detached threads on real
  // storage, ordinary actors under the simulator; none for threaded in-memory clusters).
  static constexpr std::size_t persisters_per_node = 4;
  std::map<node_id, std::vector<caf::actor>> persisters_;
  struct failure_log {
    mutable std::mutex mu;
    std::vector<std::string> lines;
  };
  std::shared_ptr<failure_log> storage_failures_ = std::make_shared<failure_log>();
  std::map<node_id, std::shared_ptr<std::atomic<bool>>> powered_;  // false once the node crashed
  mutable std::map<node_id, std::shared_ptr<txn::active_set>> active_;  // made on first use
  std::shared_ptr<gc_stats> gc_stats_ = std::make_shared<gc_stats>();
  std::map<node_id, bool> up_;
  std::vector<std::unique_ptr<storage::kv_engine>> retired_;  // dropped replicas' storage
  void await_stopped(const std::vector<caf::actor>& actors);
  // Guards slots_: splits start replicas from actor threads while the owner reads them.
  mutable std::recursive_mutex mu_;
};

}  // namespace meridian::actors
