// Replacing a dead node's replicas (issue 4), as an operator's reconciliation loop: for every
// shard the dead node is a member of, a node of the same datacenter joins through single-server
// membership changes (Raft thesis §4.1) — first as a learner, an empty replica the leader catches
// up by snapshot; then promoted to voter once caught up; then the dead node is removed, and its
// replica forgotten. Adding before removing keeps one replica per datacenter throughout. The
// directory learns each shard's new members from its leader (node_service's publish). Each
// step() looks at every shard's leader and proposes the one change that shard needs next, so
// splits, lost proposals and leader changes in between only delay it. Runs on the thread that
// owns the cluster (the simulator's, or the embedded cluster's owner).
#pragma once

#include <cstddef>
#include <string>

#include "actors/cluster.hpp"

namespace meridian::actors {

class replica_replacement {
 public:
  replica_replacement(cluster& c, node_id dead);

  // One round over every data shard. True once the dead node is a member of none.
  bool step();
  std::size_t proposals() const { return proposals_; }
  // What the shards still wait for (the failing seed's report).
  const std::string& waiting() const { return waiting_; }

 private:
  // Whether `shard` is done; otherwise proposes its next change.
  bool step_shard(shard_id shard);
  // The node of the dead node's datacenter that replaces it in a group with these members.
  node_id successor(const raft::conf_state& conf) const;
  void propose(shard_id shard, raft::conf_change_type type, node_id node);

  cluster& cluster_;
  node_id dead_;
  std::size_t proposals_ = 0;
  std::string waiting_;
};

}  // namespace meridian::actors
