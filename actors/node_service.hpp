// The node service: one actor per node hosting the node's own cluster client (actor_io). It
// answers (tso_atom, count) for the node's replicas (a new leader's max_ts, safe timestamps),
// drives splits — (split_atom, shard, key): a fresh shard id from the meta shard, the split
// command through the shard's Raft log, the directory updated — and keeps the directory honest:
// (publish_atom, ...) from a shard leader puts the leader's view of its shard in the directory
// when the directory holds an older one (a split whose driver died half way heals this way).
#pragma once

#include <caf/fwd.hpp>

#include <functional>
#include <memory>

#include "actors/actor_io.hpp"

namespace meridian::actors {

// meta_leader_dc: where the balancer keeps the meta shard's leader (the timestamp oracle);
// empty: no preference.
caf::actor spawn_node_service(caf::actor_system& system, std::shared_ptr<transport> net,
                              node_id node, std::vector<node_id> meta_nodes,
                              std::function<std::uint64_t()> clock_ms, actor_io_options options,
                              std::string meta_leader_dc = {});

}  // namespace meridian::actors
