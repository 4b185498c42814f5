// The membership and everything counted over it (etcd's tracker/ and quorum/): the progress of
// every voter and learner, votes in an election, and the quorum-wide values (commit index, check
// quorum, lease anchor, confirmed read round). Owned by the core, on the owner's thread.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "raft/progress.hpp"
#include "raft/types.hpp"

namespace meridian::raft {

enum class vote_result : std::uint8_t { pending, won, lost };

// Invariant: voters() and learners() are disjoint and every member has a progress.
class tracker {
 public:
  explicit tracker(std::size_t max_inflight) : max_inflight_(max_inflight) {}

  // Replaces the membership; every member's progress restarts at next_index.
  void reset(const conf_state& conf, std::uint64_t next_index);
  conf_state config() const;

  // Membership changes (one at a time). A new member's progress starts at next_index.
  void add_voter(node_id id, std::uint64_t next_index);
  void add_learner(node_id id, std::uint64_t next_index);
  void remove(node_id id);

  bool is_voter(node_id id) const { return voters_.count(id) != 0; }
  bool is_learner(node_id id) const { return learners_.count(id) != 0; }
  const std::set<node_id>& voters() const { return voters_; }
  const std::set<node_id>& learners() const { return learners_; }
  // nullptr when `id` is not a member.
  progress* find(node_id id);
  const progress* find(node_id id) const;
  std::map<node_id, progress>& all() { return progress_; }
  const std::map<node_id, progress>& all() const { return progress_; }

  // How many voters make a majority.
  std::size_t quorum() const { return voters_.size() / 2 + 1; }
  // The largest value that a majority of voters have reached: the q-th largest of value(voter).
  // 0 with no voters.
  template <class F>
  std::uint64_t quorum_value(F value) const;
  // The highest index a majority of voters store (the leader's commit candidate).
  std::uint64_t committed_index() const;
  // A majority of voters were recently active.
  bool quorum_active() const;

  void reset_votes() { votes_.clear(); }
  void record_vote(node_id id, bool granted);
  vote_result tally() const;
  std::size_t granted_votes() const;

 private:
  std::size_t max_inflight_;
  std::set<node_id> voters_;
  std::set<node_id> learners_;
  std::map<node_id, progress> progress_;
  std::map<node_id, bool> votes_;
};

template <class F>
std::uint64_t tracker::quorum_value(F value) const {
  if (voters_.empty()) return 0;
  std::vector<std::uint64_t> values;
  values.reserve(voters_.size());
  for (node_id id : voters_) values.push_back(value(id, progress_.at(id)));
  std::sort(values.begin(), values.end(), std::greater<>());
  return values[quorum() - 1];
}

}  // namespace meridian::raft
