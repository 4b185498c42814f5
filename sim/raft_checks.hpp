// The Raft safety checkers the simulator runs on every seed (Raft paper §5.2, §5.3, §5.4):
// election safety (at most one leader per term), commit indexes that never go backwards within
// a replica's lifetime (commitIndex is volatile state, relearned after a restart), state
// machine safety (every replica applies the same entry at each index), and — over the final logs
// — log matching and leader completeness. Fed by the replica actors' observer hook; pure and
// single-threaded (the simulator's scheduler thread).
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "actors/replica.hpp"
#include "actors/replica_actor.hpp"

namespace meridian::sim {

class raft_checks final : public actors::replica_observer {
 public:
  void observe(node_id node, shard_id shard, const raft::node_info& info,
               const std::vector<actors::applied_entry>& applied) override;

  // A replica restarted: its volatile state (role, leadership) starts over; durable state
  // (commit) must not go back.
  void on_restart(node_id node, shard_id shard);

  // End of run: log matching and leader completeness over the replicas' stored logs.
  void check_logs(shard_id shard, const std::vector<const actors::replica*>& replicas);

  const std::vector<std::string>& violations() const { return violations_; }
  // Where leadership changes are reported (the failing seed's trace).
  void set_note(std::function<void(const std::string&)> note) { note_ = std::move(note); }
  // The leader each shard had last, 0 if none (for the liveness check).
  node_id current_leader(shard_id shard) const;
  std::uint64_t leaders_elected() const { return leaders_elected_; }

 private:
  void fail(std::string why);

  std::map<std::pair<shard_id, std::uint64_t>, node_id> leader_of_term_;
  std::map<std::pair<node_id, shard_id>, std::uint64_t> commit_;
  std::map<std::pair<node_id, shard_id>, std::pair<std::uint64_t, raft::role>> role_;
  // (shard, index) -> (term, checksum) of the applied entry
  std::map<std::pair<shard_id, std::uint64_t>, std::pair<std::uint64_t, std::uint32_t>> applied_;
  std::map<shard_id, node_id> last_leader_;
  std::vector<std::string> violations_;
  std::uint64_t leaders_elected_ = 0;
  std::function<void(const std::string&)> note_;
};

}  // namespace meridian::sim
