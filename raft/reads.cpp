// Linearizable reads without writing to the log (thesis §6.4): read-index confirmed by a
// heartbeat round, and the leader lease that skips the round. Part of core, see core.hpp.
//
// Read-index: the leader records its commit index C when the request arrives, then confirms it
// is still the leader by a heartbeat round acknowledged by a quorum; the owner serves the read
// once it has applied C. A new leader first commits an entry of its own term, because only then
// does its commit index cover everything committed by earlier leaders.
//
// Lease: a follower that heard the leader refuses to help elect anyone else for an election
// timeout T (in_lease). A heartbeat sent at leader tick s and acknowledged by a quorum therefore
// guarantees no other leader before s + T on the followers' clocks, that is before s + T - drift
// on the leader's. Until then the leader answers at once.
#include <limits>
#include <string>

#include "raft/core.hpp"

namespace meridian::raft {

status core::read_index(std::string context) {
  if (role_ == role::leader) return handle_read_request(std::move(context), id_);
  if (leader_ == no_node) {
    return error(errc::not_leader, "node " + std::to_string(id_) +
                                       " knows no leader to confirm a read; retry after the "
                                       "election");
  }
  message m;
  m.type = message_type::read_index;
  m.to = leader_;
  m.context = std::move(context);
  send(std::move(m));
  return ok_status();
}

bool core::committed_entry_in_current_term() const {
  auto t = log_.term(log_.committed());
  return t.ok() && *t == term_;
}

status core::handle_read_request(std::string context, node_id from) {
  if (!committed_entry_in_current_term()) return reads_.defer(std::move(context), from);
  if (auto index = lease_read_index()) {
    respond_read(read_request{*index, std::move(context), from, 0});
    return ok_status();
  }
  auto round = reads_.add(log_.committed(), std::move(context), from);
  if (!round) return round.err();
  broadcast_heartbeat();  // carries the new round
  return ok_status();
}

void core::respond_read(read_request request) {
  if (request.from == id_) {
    read_states_.push_back(read_state{request.index, std::move(request.context)});
    return;
  }
  message m;
  m.type = message_type::read_index_response;
  m.to = request.from;
  m.index = request.index;
  m.context = std::move(request.context);
  send(std::move(m));
}

void core::release_confirmed_reads() {
  // The highest round a quorum of voters acknowledged in this term (the leader acknowledges
  // every round it sends).
  std::uint64_t confirmed = tracker_.quorum_value([this](node_id id, const progress& p) {
    return id == id_ ? std::numeric_limits<std::uint64_t>::max() : p.read_round;
  });
  for (auto& request : reads_.release(confirmed)) respond_read(std::move(request));
}

void core::release_deferred_reads() {
  if (!committed_entry_in_current_term()) return;
  for (auto& request : reads_.take_deferred()) {
    // Room is guaranteed: the deferred requests were counted against the same bound.
    status s = handle_read_request(std::move(request.context), request.from);
    MERIDIAN_ASSERT(s.ok(), "a deferred read found no room: " + s.err().to_string());
  }
}

std::optional<std::uint64_t> core::lease_read_index() const {
  if (role_ != role::leader || !committed_entry_in_current_term()) return std::nullopt;
  bool sole_voter = tracker_.voters().size() == 1 && tracker_.is_voter(id_);
  if (!sole_voter && !lease_valid()) return std::nullopt;
  return log_.committed();
}

bool core::lease_valid() const {
  if (cfg_.reads != read_mode::lease || role_ != role::leader || lease_revoked_) return false;
  // The send tick of the newest heartbeat a quorum acknowledged (the leader counts as now).
  std::uint64_t anchor = tracker_.quorum_value([this](node_id id, const progress& p) {
    return id == id_ ? ticks_ : p.lease_tick;
  });
  return anchor != 0 && ticks_ < anchor + cfg_.lease_ticks();
}

}  // namespace meridian::raft
