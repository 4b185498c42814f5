// The replica actor: a thin CAF shell around actors::replica. It turns messages into calls on the
// replica (Raft traffic, ticks from the actor clock, client proposals and reads), and does the
// I/O the replica asks for: persist (one fsync per batch of messages: the flush runs after every
// message already queued has been stepped), send through the transport, answer clients. The same
// actor runs on CAF's threaded scheduler and under the deterministic test scheduler. The persist
// step runs on a persister (spawn_persister) while the replica waits for it, answering meanwhile
// only the reads it can serve at once and lease questions.
#pragma once

#include <caf/actor.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "actors/replica.hpp"
#include "actors/transport.hpp"

namespace meridian::actors {

// Sees every replica after each ready it handles (the simulator's checkers). Called on the
// replica's thread; under the simulator that is the one scheduler thread.
class replica_observer {
 public:
  virtual ~replica_observer() = default;
  virtual void observe(node_id node, shard_id shard, const raft::node_info& info,
                       const std::vector<applied_entry>& applied) = 0;
};

struct replica_spawn {
  std::shared_ptr<replica> core;
  std::shared_ptr<transport> net;
  // Real time of one Raft tick on this replica (the simulator skews it per node).
  std::chrono::microseconds tick_interval{100'000};
  replica_observer* observer = nullptr;
  // Told (leader_atom, shard, term, is_leader) when this replica's leadership changes (the
  // timestamp oracle follows the meta shard's leader this way). May be null.
  caf::actor listener;
  // Answers (tso_atom, uint32 count) with a shard_reply carrying the first timestamp: a new
  // leader whose state machine wants a fresh timestamp (max_ts) asks it. May be null.
  caf::actor timestamps;
  // Every so often the leader fetches a timestamp and proposes its state machine's periodic
  // command (a data shard's safe_ts, for stale reads). Zero turns it off.
  std::chrono::milliseconds periodic_interval{0};
  // Starts a replica on this node (a split's new shard). May be empty.
  std::function<void(spawn_request)> spawner;
  // Runs the durable write of each ready (spawn_persister) while the replica waits, so an fsync
  // does not hold one of the scheduler's few worker threads. Null: the write runs on the
  // replica's own thread (threaded tests on in-memory engines, the Raft benchmark's simulation).
  caf::actor persister;
  // Campaign at once (replica::campaign_now) instead of after an election timeout.
  bool campaign_at_start = false;
  // Told why, when the replica stops because its storage failed. May be empty.
  std::function<void(const error&)> on_storage_failure;
};

// The common case: a replica with no listener, timestamp source, periodic work or spawner.
inline replica_spawn make_replica_spawn(std::shared_ptr<replica> core, std::shared_ptr<transport> net,
                                        std::chrono::microseconds tick,
                                        replica_observer* observer) {
  replica_spawn s;
  s.core = std::move(core);
  s.net = std::move(net);
  s.tick_interval = tick;
  s.observer = observer;
  return s;
}

// Spawns the actor and registers it with the transport under (node, shard).
caf::actor spawn_replica(caf::actor_system& system, replica_spawn args);

// An actor that runs replicas' durable writes (persist_atom, job) one at a time and answers each
// when it is done; on a thread of its own when `detached` (the threaded scheduler), an ordinary
// actor under the simulator, where the replica's wait for its write is then an interleaving the
// simulator explores like any other. Replicas of a node share a few of them. Once `powered` is
// false (the node crashed) it runs nothing more: a write still queued is lost with the power.
caf::actor spawn_persister(caf::actor_system& system, bool detached,
                           std::shared_ptr<std::atomic<bool>> powered);

}  // namespace meridian::actors
