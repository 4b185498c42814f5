// The timestamp oracle's actor: one per node, beside the node's meta-shard replica, serving only
// while that replica leads. It runs txn::tso_core: loads the persisted high-water mark when its
// replica becomes leader, persists larger marks through the meta shard's Raft log before it
// issues past them, issues only while the leader's lease holds, and serves every request waiting
// with one grant (batching). Registered with the transport as (node, tso_endpoint).
#pragma once

#include <caf/actor.hpp>

#include <functional>
#include <memory>

#include "actors/transport.hpp"
#include "txn/timestamp.hpp"

namespace meridian::actors {

struct tso_spawn {
  node_id node = 0;
  std::shared_ptr<transport> net;
  // This node's replica of the meta shard (set once it is spawned: the replica reports its
  // leadership to the oracle, so the oracle exists first).
  std::shared_ptr<caf::actor> meta_replica;
  std::function<std::uint64_t()> clock_ms;
  txn::tso_config config;
};

// Spawns the oracle and registers it. The meta replica must send it (leader_atom, shard, term,
// is_leader) when its leadership changes (replica_spawn::listener).
caf::actor spawn_tso(caf::actor_system& system, tso_spawn args);

}  // namespace meridian::actors
