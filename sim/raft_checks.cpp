// The Raft checkers; see raft_checks.hpp.
#include "sim/raft_checks.hpp"

#include "common/crc32.hpp"

namespace meridian::sim {

void raft_checks::fail(std::string why) {
  if (violations_.size() < 20) violations_.push_back(std::move(why));
}

void raft_checks::observe(node_id node, shard_id shard, const raft::node_info& info,
                          const std::vector<actors::applied_entry>& applied) {
  std::string who = "node " + std::to_string(node) + " shard " + std::to_string(shard);
  if (info.role == raft::role::leader) {
    auto [it, inserted] = leader_of_term_.emplace(std::make_pair(shard, info.term), node);
    if (inserted) {
      ++leaders_elected_;
      if (note_) {
        note_("node " + std::to_string(node) + " leads shard " + std::to_string(shard) +
              " in term " + std::to_string(info.term));
      }
    }
    if (it->second != node) {
      fail("election safety (§5.2): nodes " + std::to_string(it->second) + " and " +
           std::to_string(node) + " both led shard " + std::to_string(shard) + " in term " +
           std::to_string(info.term));
    }
    last_leader_[shard] = node;
  } else if (last_leader_[shard] == node) {
    last_leader_[shard] = info.leader;
  }
  if (info.leader != raft::no_node && info.role != raft::role::leader) last_leader_[shard] = info.leader;
  auto& commit = commit_[{node, shard}];
  if (info.commit < commit) {
    fail("commit index went back (§5.3) on " + who + ": " + std::to_string(commit) + " -> " +
         std::to_string(info.commit));
  }
  commit = std::max(commit, info.commit);
  for (const auto& e : applied) {
    auto [it, inserted] = applied_.emplace(std::make_pair(shard, e.index),
                                           std::make_pair(e.term, e.checksum));
    if (!inserted && it->second != std::make_pair(e.term, e.checksum)) {
      fail("state machine safety (§5.4.3): " + who + " applied index " + std::to_string(e.index) +
           " of term " + std::to_string(e.term) + ", another replica applied term " +
           std::to_string(it->second.first) + " there");
    }
  }
}

void raft_checks::on_restart(node_id node, shard_id shard) {
  // commitIndex is volatile state (Raft Figure 2): a restarted replica relearns it, so the
  // never-decreasing check starts over with each incarnation.
  commit_.erase({node, shard});
  if (last_leader_[shard] == node) last_leader_[shard] = 0;
}

node_id raft_checks::current_leader(shard_id shard) const {
  auto it = last_leader_.find(shard);
  return it == last_leader_.end() ? 0 : it->second;
}

void raft_checks::check_logs(shard_id shard, const std::vector<const actors::replica*>& replicas) {
  // Log matching (§5.3): same index and term -> same entry and the same log before it. Checked
  // from the top: once two logs agree at an index they must agree all the way down.
  for (std::size_t a = 0; a < replicas.size(); ++a) {
    for (std::size_t b = a + 1; b < replicas.size(); ++b) {
      const auto& la = replicas[a]->log();
      const auto& lb = replicas[b]->log();
      std::uint64_t lo = std::max(la.first_index(), lb.first_index());
      std::uint64_t hi = std::min(la.last_index(), lb.last_index());
      bool matched = false;
      for (std::uint64_t i = hi; i >= lo && i > 0; --i) {
        auto ea = la.entries(i, i + 1, SIZE_MAX);
        auto eb = lb.entries(i, i + 1, SIZE_MAX);
        if (!ea.ok() || !eb.ok()) break;
        bool same_term = ea->front().term == eb->front().term;
        if (matched && !same_term) {
          fail("log matching (§5.3): shard " + std::to_string(shard) + " nodes " +
               std::to_string(replicas[a]->id()) + " and " + std::to_string(replicas[b]->id()) +
               " agree above index " + std::to_string(i) + " but differ at it");
          break;
        }
        if (same_term) {
          matched = true;
          if (ea->front().data != eb->front().data) {
            fail("log matching (§5.3): shard " + std::to_string(shard) + " index " +
                 std::to_string(i) + " has the same term but different entries on nodes " +
                 std::to_string(replicas[a]->id()) + " and " + std::to_string(replicas[b]->id()));
            break;
          }
        }
      }
    }
  }
  // Leader completeness (§5.4): every entry applied anywhere is in the final leader's log.
  node_id leader = current_leader(shard);
  for (const auto* r : replicas) {
    if (r->id() != leader || r->info().role != raft::role::leader) continue;
    const auto& log = r->log();
    for (auto it = applied_.lower_bound({shard, log.first_index()});
         it != applied_.end() && it->first.first == shard; ++it) {
      std::uint64_t index = it->first.second;
      if (index > log.last_index()) {
        fail("leader completeness (§5.4): shard " + std::to_string(shard) + " applied index " +
             std::to_string(index) + " but the leader's log ends at " +
             std::to_string(log.last_index()));
        break;
      }
      auto e = log.entries(index, index + 1, SIZE_MAX);
      if (!e.ok()) continue;
      std::string typed(1, static_cast<char>(e->front().type));
      std::uint32_t sum = crc32c(e->front().data, crc32c(typed));
      if (e->front().term != it->second.first || sum != it->second.second) {
        fail("leader completeness (§5.4): shard " + std::to_string(shard) + " index " +
             std::to_string(index) + " in the leader's log differs from what was applied");
        break;
      }
    }
  }
}

}  // namespace meridian::sim
