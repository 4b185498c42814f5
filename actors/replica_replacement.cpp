// Replacing a dead node's replicas; see replica_replacement.hpp.
#include "actors/replica_replacement.hpp"

#include <algorithm>


namespace meridian::actors {
namespace {

// A learner this close to the leader's commit index is promoted: a voter far behind would make
// the group wait for it in every quorum until it catches up.
constexpr std::uint64_t caught_up_entries = 20;

bool has(const std::vector<node_id>& nodes, node_id n) {
  return std::find(nodes.begin(), nodes.end(), n) != nodes.end();
}

}  // namespace

replica_replacement::replica_replacement(cluster& c, node_id dead)
    : cluster_(c), dead_(dead) {}

bool replica_replacement::step() {
  waiting_.clear();
  bool done = true;
  for (shard_id s : cluster_.shards()) {
    if (s != meta_shard && !step_shard(s)) done = false;
  }
  return done;
}

node_id replica_replacement::successor(const raft::conf_state& conf) const {
  const topology& topo = cluster_.topo();
  std::size_t dc = topo.find(dead_)->dc;
  node_id pick = 0;
  for (const auto& n : topo.nodes) {
    if (n.dc != dc || n.id == dead_ || !cluster_.up(n.id)) continue;
    // One already joining wins; else the first candidate.
    if (has(conf.voters, n.id) || has(conf.learners, n.id)) return n.id;
    if (pick == 0) pick = n.id;
  }
  return pick;
}

void replica_replacement::propose(shard_id shard, raft::conf_change_type type, node_id node) {
  cluster_.propose_membership(shard, raft::conf_change{type, node, {}});
  ++proposals_;
}

bool replica_replacement::step_shard(shard_id shard) {
  auto wait = [this, shard](const std::string& why) {
    waiting_ += " shard " + std::to_string(shard) + ": " + why + ";";
    return false;
  };
  auto leader = cluster_.leader_replica(shard);
  if (!leader) return wait("no leader");
  auto info = leader->info();
  const raft::conf_state& conf = info.conf;
  // A member whose replica never started (it learned of a split from a snapshot taken after it)
  // gets an empty one, which the new shard's leader catches up.
  for (const auto* members : {&conf.voters, &conf.learners}) {
    for (node_id n : *members) {
      if (n != dead_ && cluster_.up(n)) (void)cluster_.add_replica(n, shard);
    }
  }
  if (!has(conf.voters, dead_) && !has(conf.learners, dead_)) {
    cluster_.drop_replica(dead_, shard);
    return true;
  }
  node_id next = successor(conf);
  if (next == 0) return wait("no node of the dead node's datacenter is up");
  if (!has(conf.voters, next) && !has(conf.learners, next)) {
    if (auto started = cluster_.add_replica(next, shard); !started) return wait(started.err().message());
    propose(shard, raft::conf_change_type::add_learner, next);
    return wait("adding node " + std::to_string(next) + " as a learner");
  }
  if (has(conf.learners, next)) {
    std::uint64_t applied = 0;
    for (const auto& r : cluster_.replicas(shard)) {
      if (r->id() == next) applied = r->applied_index();
    }
    if (applied == 0 || applied + caught_up_entries < info.commit) {
      return wait("learner " + std::to_string(next) + " at " + std::to_string(applied) + " of " +
                  std::to_string(info.commit));
    }
    propose(shard, raft::conf_change_type::add_voter, next);
    return wait("promoting node " + std::to_string(next));
  }
  propose(shard, raft::conf_change_type::remove_node, dead_);
  return wait("removing node " + std::to_string(dead_));
}

}  // namespace meridian::actors
