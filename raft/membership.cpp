// Single-server membership changes (thesis §4.1), learners, leader transfer (thesis §3.10) and
// the owner's delivery reports. Part of core, see core.hpp.
//
// A change takes effect when the owner applies its committed entry (etcd's rule). At most one
// change is pending: a new leader may not propose one until everything in its log at election
// time is applied, which closes the hole Ongaro found in single-server changes across leader
// changes. A leader whose removal (or demotion) it applies steps down; the remaining voters elect
// a successor after an election timeout.
#include <string>

#include "raft/core.hpp"

namespace meridian::raft {

result<std::uint64_t> core::propose_conf_change(const conf_change& change) {
  if (role_ != role::leader) return not_leader_error();
  if (pending_conf_index_ > log_.applied()) {
    return error(errc::proposal_dropped,
                 "the membership change at index " + std::to_string(pending_conf_index_) +
                     " is not applied yet (applied " + std::to_string(log_.applied()) +
                     "); one change at a time");
  }
  MERIDIAN_TRY(check_conf_change(change));
  auto index = append_proposal(entry_type::conf_change, encode_conf_change(change));
  if (index) pending_conf_index_ = *index;
  return index;
}

status core::check_conf_change(const conf_change& change) const {
  auto bad = [&](const std::string& why) {
    return error(errc::invalid_argument,
                 "membership change for node " + std::to_string(change.node) + ": " + why);
  };
  if (change.node == no_node) return bad("node id 0 is not a node");
  bool voter = tracker_.is_voter(change.node);
  bool learner = tracker_.is_learner(change.node);
  bool last_voter = voter && tracker_.voters().size() == 1;
  switch (change.type) {
    case conf_change_type::add_voter:
      if (voter) return bad("already a voter");
      break;
    case conf_change_type::add_learner:
      if (learner) return bad("already a learner");
      if (last_voter) return bad("cannot demote the last voter");
      break;
    case conf_change_type::remove_node:
      if (!voter && !learner) return bad("not a member");
      if (last_voter) return bad("cannot remove the last voter");
      break;
  }
  return ok_status();
}

conf_state core::apply_conf_change(const conf_change& change) {
  bool last_voter = tracker_.is_voter(change.node) && tracker_.voters().size() == 1;
  std::uint64_t next = log_.last_index() + 1;
  if (change.node != no_node) {
    switch (change.type) {
      case conf_change_type::add_voter:
        tracker_.add_voter(change.node, next);
        break;
      case conf_change_type::add_learner:
        if (!last_voter) tracker_.add_learner(change.node, next);
        break;
      case conf_change_type::remove_node:
        if (!last_voter) tracker_.remove(change.node);
        break;
    }
  }
  after_conf_change();
  return tracker_.config();
}

void core::after_conf_change() {
  if (role_ != role::leader) return;
  if (!tracker_.is_voter(id_)) {
    // Removed or demoted: it cannot count itself in a quorum it is not part of.
    become_follower(term_, no_node);
    return;
  }
  if (transferee_ != no_node && !tracker_.is_voter(transferee_)) abort_transfer();
  // The quorum changed: commit may advance (a removed voter no longer holds it back), and new
  // members need their first append.
  maybe_commit();
  broadcast_append();
}

status core::transfer_leader(node_id to) {
  if (role_ != role::leader) return not_leader_error();
  if (to == id_) return ok_status();  // already there
  if (!tracker_.is_voter(to)) {
    return error(errc::invalid_argument,
                 "node " + std::to_string(to) + " is not a voter and cannot lead");
  }
  if (transferee_ == to) return ok_status();  // in progress
  // Proposals stop while a transfer runs, so one to a node that cannot answer (cut off, down)
  // would stall the group for an election timeout and then fail. With check-quorum the leader
  // knows who answered in the current period; a silent node is refused at once (an owner such
  // as a balancer asks again later), as it would be sent no snapshot either.
  if (cfg_.check_quorum && !tracker_.find(to)->recent_active) {
    return error(errc::unavailable, "node " + std::to_string(to) +
                                        " has not answered the leader recently and cannot take "
                                        "over; leadership stays");
  }
  transferee_ = to;
  // The transfer must finish within an election timeout or it is abandoned (tick_heartbeat).
  election_elapsed_ticks_ = 0;
  const progress* pr = tracker_.find(to);
  if (pr->match == log_.last_index()) {
    send_timeout_now(to);
  } else {
    maybe_send_append(to, true);  // catch it up first; the acknowledgement sends timeout_now
  }
  return ok_status();
}

void core::send_timeout_now(node_id to) {
  lease_revoked_ = true;  // the transferee's campaign skips the followers' lease promise
  message m;
  m.type = message_type::timeout_now;
  m.to = to;
  send(std::move(m));
}

void core::report_unreachable(node_id id) {
  if (role_ != role::leader) return;
  progress* pr = tracker_.find(id);
  if (pr != nullptr && pr->state == progress_state::replicate) pr->become_probe();
}

void core::report_snapshot(node_id id, bool failed) {
  if (role_ != role::leader) return;
  progress* pr = tracker_.find(id);
  if (pr == nullptr || pr->state != progress_state::snapshot) return;
  if (failed) pr->pending_snapshot = 0;
  pr->become_probe();
  // Wait for the next heartbeat response before probing: the follower may still be installing.
  pr->probe_sent = true;
}

}  // namespace meridian::raft
