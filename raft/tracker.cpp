// Membership, votes and quorum arithmetic; see tracker.hpp.
#include "raft/tracker.hpp"

#include <algorithm>
#include <string>

#include "common/assert.hpp"

namespace meridian::raft {

void tracker::reset(const conf_state& conf, std::uint64_t next_index) {
  voters_.clear();
  learners_.clear();
  progress_.clear();
  for (node_id id : conf.voters) add_voter(id, next_index);
  for (node_id id : conf.learners) add_learner(id, next_index);
}

conf_state tracker::config() const {
  return conf_state{{voters_.begin(), voters_.end()}, {learners_.begin(), learners_.end()}};
}

void tracker::add_voter(node_id id, std::uint64_t next_index) {
  MERIDIAN_ASSERT(id != no_node, "node id 0 cannot be a member");
  learners_.erase(id);
  voters_.insert(id);
  auto it = progress_.find(id);
  if (it != progress_.end()) {
    it->second.learner = false;  // a promoted learner keeps its progress
    return;
  }
  progress p(next_index, max_inflight_, false);
  p.recent_active = true;  // a new member gets a check-quorum period before it counts as silent
  progress_.emplace(id, std::move(p));
}

void tracker::add_learner(node_id id, std::uint64_t next_index) {
  MERIDIAN_ASSERT(id != no_node, "node id 0 cannot be a member");
  voters_.erase(id);
  learners_.insert(id);
  auto it = progress_.find(id);
  if (it != progress_.end()) {
    it->second.learner = true;  // a demoted voter keeps its progress
    return;
  }
  progress p(next_index, max_inflight_, true);
  p.recent_active = true;
  progress_.emplace(id, std::move(p));
}

void tracker::remove(node_id id) {
  voters_.erase(id);
  learners_.erase(id);
  progress_.erase(id);
  votes_.erase(id);
}

progress* tracker::find(node_id id) {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

const progress* tracker::find(node_id id) const {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

std::uint64_t tracker::committed_index() const {
  return quorum_value([](node_id, const progress& p) { return p.match; });
}

bool tracker::quorum_active() const {
  std::size_t active = 0;
  for (node_id id : voters_) active += progress_.at(id).recent_active ? 1 : 0;
  return active >= quorum();
}

void tracker::record_vote(node_id id, bool granted) {
  votes_.emplace(id, granted);  // the first answer counts; a duplicate is ignored
}

std::size_t tracker::granted_votes() const {
  std::size_t granted = 0;
  for (node_id id : voters_) {
    auto it = votes_.find(id);
    if (it != votes_.end() && it->second) ++granted;
  }
  return granted;
}

vote_result tracker::tally() const {
  std::size_t granted = granted_votes();
  std::size_t rejected = 0;
  for (node_id id : voters_) {
    auto it = votes_.find(id);
    if (it != votes_.end() && !it->second) ++rejected;
  }
  if (granted >= quorum()) return vote_result::won;
  if (rejected > voters_.size() - quorum()) return vote_result::lost;
  return vote_result::pending;
}

}  // namespace meridian::raft
