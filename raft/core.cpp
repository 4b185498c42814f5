// Roles, timers and message dispatch of the Raft core; see core.hpp. Term handling follows the
// paper (§5.1: a higher term makes any node a follower, a stale term is rejected) with etcd's
// refinements for pre-vote and leader stickiness.
#include "raft/core.hpp"

#include <algorithm>
#include <string>

namespace meridian::raft {

core::core(const config& cfg, const log_source& source, const stored_state& state)
    : cfg_(cfg),
      id_(cfg.id),
      log_(source, cfg.max_committed_bytes_per_ready),
      tracker_(cfg.max_inflight_messages),
      reads_(cfg.max_pending_reads),
      rng_(cfg.random_seed ^ (cfg.id * 0x9E3779B97F4A7C15ull)) {
  tracker_.reset(state.conf, log_.last_index() + 1);
  const storage::hard_state& hs = state.hard;
  MERIDIAN_ASSERT(hs.commit <= log_.last_index(),
                  "stored commit " + std::to_string(hs.commit) + " beyond the stored log ending at " +
                      std::to_string(log_.last_index()));
  log_.commit_to(hs.commit);  // a commit below the snapshot index is covered by the snapshot
  term_ = hs.term;
  vote_ = hs.vote;
  // A node that ever acknowledged a leader holds that leader's term durably (the term changes
  // before the acknowledgement leaves, and a ready that changes it is persisted before its
  // messages go), and no leader is ever elected in the bootstrap term: the first campaign is for
  // the term after it. A node still in the bootstrap term has promised no lease. A node with
  // empty storage (term 0, a member added later) keeps the wait: its id may have served before.
  may_have_promised_ = hs.term != bootstrap_term;
  if (cfg.applied_index > log_.applied()) log_.applied_to(cfg.applied_index);
  become_follower(term_, no_node);
}

void core::reset(std::uint64_t term) {
  if (term_ != term) {
    MERIDIAN_ASSERT(term > term_, "term never decreases");
    term_ = term;
    vote_ = no_node;
  }
  leader_ = no_node;
  election_elapsed_ticks_ = 0;
  heartbeat_elapsed_ticks_ = 0;
  // Randomized in [T, T + J) (§5.2; J = T by default) so that split votes are rare and resolve
  // quickly.
  std::uint64_t jitter = cfg_.election_jitter_ticks != 0 ? cfg_.election_jitter_ticks
                                                         : cfg_.election_timeout_ticks;
  randomized_timeout_ticks_ = cfg_.election_timeout_ticks + rng_.next() % jitter;
  abort_transfer();
  tracker_.reset_votes();
  std::uint64_t next = log_.last_index() + 1;
  for (auto& [id, pr] : tracker_.all()) {
    pr = progress(next, cfg_.max_inflight_messages, pr.learner);
  }
  pending_conf_index_ = 0;
  uncommitted_bytes_ = 0;
  reads_.clear();
  lease_revoked_ = false;
}

void core::become_follower(std::uint64_t term, node_id leader) {
  reset(term);
  leader_ = leader;
  role_ = role::follower;
}

void core::become_pre_candidate() {
  MERIDIAN_ASSERT(role_ != role::leader, "a leader never becomes a pre-candidate");
  // Pre-vote changes neither the term nor the vote: a node that cannot win disrupts nobody.
  tracker_.reset_votes();
  leader_ = no_node;
  role_ = role::pre_candidate;
}

void core::become_candidate() {
  MERIDIAN_ASSERT(role_ != role::leader, "a leader never becomes a candidate");
  reset(term_ + 1);
  vote_ = id_;
  role_ = role::candidate;
}

void core::become_leader() {
  MERIDIAN_ASSERT(role_ != role::follower, "only a candidate becomes leader");
  reset(term_);
  leader_ = id_;
  role_ = role::leader;
  if (progress* self = tracker_.find(id_)) {
    // The leader counts only what is durable toward commitment.
    self->match = log_.stable_last_index();
    self->next = log_.last_index() + 1;
    self->become_replicate();
    self->recent_active = true;
  }
  // Entries up to here may hold an unapplied conf change: none may be proposed before they apply.
  pending_conf_index_ = log_.last_index();
  // An empty entry of the new term: committing it commits everything before it (§5.4.2) and
  // lets the leader serve reads.
  log_.append({storage::log_entry{term_, log_.last_index() + 1,
                                  static_cast<std::uint8_t>(entry_type::normal), {}}});
  broadcast_append();
}

bool core::promotable() const {
  return tracker_.is_voter(id_) && !log_.pending_snapshot().has_value();
}

void core::tick() {
  ++ticks_;
  if (role_ == role::leader) {
    tick_heartbeat();
  } else {
    tick_election();
  }
}

void core::tick_election() {
  ++election_elapsed_ticks_;
  if (promotable() && election_elapsed_ticks_ >= randomized_timeout_ticks_) {
    election_elapsed_ticks_ = 0;
    hup(false);
  }
}

void core::tick_heartbeat() {
  ++heartbeat_elapsed_ticks_;
  ++election_elapsed_ticks_;
  if (election_elapsed_ticks_ >= cfg_.election_timeout_ticks) {
    election_elapsed_ticks_ = 0;
    if (cfg_.check_quorum) {
      if (progress* self = tracker_.find(id_)) self->recent_active = true;
      if (!tracker_.quorum_active()) {
        // A leader cut off from a quorum steps down rather than serve stale reads forever.
        become_follower(term_, no_node);
        return;
      }
      for (auto& [id, pr] : tracker_.all()) pr.recent_active = id == id_;
    }
    // A transfer that did not finish within an election timeout is abandoned.
    abort_transfer();
  }
  if (heartbeat_elapsed_ticks_ >= cfg_.heartbeat_interval_ticks) {
    heartbeat_elapsed_ticks_ = 0;
    broadcast_heartbeat();
  }
}

void core::send(message m) {
  m.from = id_;
  bool term_set_by_caller = m.type == message_type::vote || m.type == message_type::pre_vote ||
                            m.type == message_type::vote_response ||
                            m.type == message_type::pre_vote_response;
  if (term_set_by_caller) {
    // Pre-votes are sent (and granted) for a future term, so these carry their own term.
    MERIDIAN_ASSERT(m.term != 0, std::string(to_string(m.type)) + " without a term");
  } else {
    m.term = term_;
  }
  messages_.push_back(std::move(m));
}

std::vector<message> core::take_messages() {
  std::vector<message> out;
  out.swap(messages_);
  return out;
}

std::vector<read_state> core::take_read_states() {
  std::vector<read_state> out;
  out.swap(read_states_);
  return out;
}

status core::check_message(const message& m) const {
  auto bad = [&](const std::string& why) {
    return error(errc::invalid_argument, std::string(to_string(m.type)) + " from " +
                                             std::to_string(m.from) + ": " + why);
  };
  if (m.to != id_) return bad("addressed to " + std::to_string(m.to) + ", not to this node");
  if (m.from == no_node || m.from == id_) return bad("invalid sender");
  if (m.type == message_type::append) {
    std::uint64_t expected = m.index + 1;
    std::uint64_t previous_term = m.log_term;
    for (const auto& e : m.entries) {
      if (e.index != expected++) return bad("entries are not contiguous after the index");
      if (e.term < previous_term || e.term > m.term) return bad("entry terms out of order");
      previous_term = e.term;
    }
  }
  if (m.type == message_type::snapshot && m.snap.empty()) return bad("empty snapshot");
  if (m.type == message_type::append_response && !m.reject && role_ == role::leader &&
      m.term == term_ && m.index > log_.last_index()) {
    return bad("acknowledges index " + std::to_string(m.index) + " beyond the leader's log");
  }
  return ok_status();
}

status core::step(message m) {
  MERIDIAN_TRY(check_message(m));
  if (m.term > term_) {
    if (!step_higher_term(m)) return ok_status();
  } else if (m.term < term_) {
    step_stale_term(m);
    return ok_status();
  }
  if (m.type == message_type::vote || m.type == message_type::pre_vote) {
    handle_vote_request(m);
    return ok_status();
  }
  switch (role_) {
    case role::leader: step_leader(m); break;
    case role::pre_candidate:
    case role::candidate: step_candidate(m); break;
    case role::follower: step_follower(m); break;
  }
  return ok_status();
}

// §5.1: a higher term makes this node a follower in that term. Returns false if the message is
// to be ignored.
bool core::step_higher_term(const message& m) {
  if ((m.type == message_type::vote || m.type == message_type::pre_vote) && !m.transfer &&
      in_lease()) {
    // A leader was heard from within an election timeout: the campaign is ignored without even
    // adopting its term (leader stickiness; the lease rests on it).
    return false;
  }
  if (m.type == message_type::pre_vote) return true;  // pre-votes never change our term
  // A granted pre-vote carries the future term of our own campaign.
  if (m.type == message_type::pre_vote_response && !m.reject) return true;
  bool from_leader = m.type == message_type::append || m.type == message_type::heartbeat ||
                     m.type == message_type::snapshot;
  become_follower(m.term, from_leader ? m.from : no_node);
  return true;
}

// §5.1: a request with a stale term is rejected; the reply carries our term so the sender
// steps down.
void core::step_stale_term(const message& m) {
  message reply;
  reply.to = m.from;
  switch (m.type) {
    case message_type::append:
    case message_type::heartbeat:
      // An empty acknowledgement: harmless if the sender is somehow current, and a stale leader
      // that sees our term steps down.
      reply.type = message_type::append_response;
      break;
    case message_type::vote:
    case message_type::pre_vote:
      reply.type = m.type == message_type::vote ? message_type::vote_response
                                                : message_type::pre_vote_response;
      reply.term = term_;
      reply.reject = true;
      break;
    default:
      return;  // a stale response answers nothing we still wait for
  }
  send(std::move(reply));
}

void core::step_leader(message& m) {
  if (m.type == message_type::read_index) {
    // A full queue drops the forwarded request; the follower's caller times out and retries.
    handle_read_request(std::move(m.context), m.from).ok();
    return;
  }
  progress* pr = tracker_.find(m.from);
  if (pr == nullptr) return;  // a node that is no longer a member
  if (m.type == message_type::append_response) handle_append_response(m, *pr);
  if (m.type == message_type::heartbeat_response) handle_heartbeat_response(m, *pr);
}

void core::step_candidate(message& m) {
  switch (m.type) {
    case message_type::append:
      become_follower(m.term, m.from);  // §5.2: a leader of this term exists
      handle_append(m);
      break;
    case message_type::heartbeat:
      become_follower(m.term, m.from);
      handle_heartbeat(m);
      break;
    case message_type::snapshot:
      become_follower(m.term, m.from);
      handle_snapshot(m);
      break;
    case message_type::vote_response:
    case message_type::pre_vote_response:
      handle_vote_response(m);
      break;
    default:
      break;
  }
}

void core::step_follower(message& m) {
  switch (m.type) {
    case message_type::append:
      election_elapsed_ticks_ = 0;
      leader_ = m.from;
      handle_append(m);
      break;
    case message_type::heartbeat:
      election_elapsed_ticks_ = 0;
      leader_ = m.from;
      handle_heartbeat(m);
      break;
    case message_type::snapshot:
      election_elapsed_ticks_ = 0;
      leader_ = m.from;
      handle_snapshot(m);
      break;
    case message_type::timeout_now:
      hup(true);  // leader transfer: campaign at once, skipping pre-vote
      break;
    case message_type::read_index_response:
      read_states_.push_back(read_state{m.index, std::move(m.context)});
      break;
    default:
      break;
  }
}

}  // namespace meridian::raft
