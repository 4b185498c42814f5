// Leader election (Raft §5.2, §5.4.1) with pre-vote (thesis §9.6) and leader stickiness
// (check-quorum, thesis §6.2); part of core, see core.hpp.
#include <string>

#include "raft/core.hpp"

namespace meridian::raft {

void core::campaign() { hup(false); }

void core::hup(bool transfer) {
  if (role_ == role::leader || !promotable()) return;
  // A committed but unapplied membership change may remove this node or change the quorum:
  // campaigning under the old membership could elect a leader the new one does not accept.
  if (has_unapplied_conf_changes()) return;
  campaign_as(cfg_.pre_vote && !transfer ? campaign_kind::pre_vote : campaign_kind::election,
              transfer);
}

void core::campaign_as(campaign_kind kind, bool transfer) {
  std::uint64_t vote_term = 0;
  message_type type = message_type::vote;
  if (kind == campaign_kind::pre_vote) {
    become_pre_candidate();
    vote_term = term_ + 1;  // the term it would campaign in; our own term stays
    type = message_type::pre_vote;
  } else {
    become_candidate();
    vote_term = term_;
  }
  tracker_.record_vote(id_, true);
  if (tracker_.tally() == vote_result::won) {  // the only voter
    if (kind == campaign_kind::pre_vote) {
      campaign_as(campaign_kind::election, transfer);
    } else {
      become_leader();
    }
    return;
  }
  for (node_id voter : tracker_.voters()) {
    if (voter == id_) continue;
    message m;
    m.type = type;
    m.to = voter;
    m.term = vote_term;
    m.index = log_.last_index();
    m.log_term = log_.last_term();
    m.transfer = transfer;
    send(std::move(m));
  }
}

// The node heard from a live leader within an election timeout (with check-quorum on), or, in
// lease mode, it restarted less than an election timeout ago and may have promised a leader its
// lease before the restart (a node in the bootstrap term never did: a new group, a split's new
// shard, elects its first leader without waiting a timeout). Either way it must not help elect anyone else yet.
bool core::in_lease() const {
  if (!cfg_.check_quorum || election_elapsed_ticks_ >= cfg_.election_timeout_ticks) return false;
  if (leader_ != no_node) return true;
  return cfg_.reads == read_mode::lease && may_have_promised_ &&
         ticks_ - 1 < cfg_.election_timeout_ticks;
}

bool core::has_unapplied_conf_changes() const {
  std::uint64_t lo = log_.applied() + 1;
  std::uint64_t hi = log_.committed() + 1;
  while (lo < hi) {
    auto page = log_.slice(lo, hi, cfg_.max_committed_bytes_per_ready);
    if (!page || page->empty()) return false;  // compacted: a snapshot is being applied
    for (const auto& e : *page) {
      if (e.type == static_cast<std::uint8_t>(entry_type::conf_change)) return true;
    }
    lo = page->back().index + 1;
  }
  return false;
}

bool core::outranks_me(const message& m) const {
  if (m.log_term != log_.last_term()) return m.log_term > log_.last_term();
  if (m.index != log_.last_index()) return m.index > log_.last_index();
  return m.from < id_;
}

void core::handle_vote_request(const message& m) {
  bool pre = m.type == message_type::pre_vote;
  // A vote already given in this term may be repeated to the same candidate (a retransmission);
  // otherwise only a node with no vote and no leader in this term may vote. A pre-vote for a
  // future term promises nothing and can always be granted.
  bool can_vote = vote_ == m.from || (vote_ == no_node && leader_ == no_node) ||
                  (pre && m.term > term_);
  // Thesis §9.6: no pre-vote while a leader is heard from, so a node rejoining after a
  // partition cannot disrupt a healthy leader even without check-quorum.
  if (pre && leader_ != no_node && election_elapsed_ticks_ < cfg_.election_timeout_ticks) {
    can_vote = false;
  }
  // Followers that lost their leader together often time out within a round trip of each other
  // (on a WAN a round trip is a tenth of the election timeout): each grants the other's
  // pre-vote, both campaign, the real vote splits, and the group waits another timeout. So a
  // pre-candidate grants a competing pre-vote only to a peer that outranks it — a more
  // up-to-date log, or the same log and a lower id — and exactly one of the two goes on.
  bool rival_outranked = pre && role_ == role::pre_candidate && m.term == term_ + 1 && !outranks_me(m);
  if (rival_outranked) can_vote = false;
  message reply;
  reply.type = pre ? message_type::pre_vote_response : message_type::vote_response;
  reply.to = m.from;
  // §5.4.1: only a candidate whose log is at least as up to date as ours gets the vote.
  if (can_vote && log_.is_up_to_date(m.index, m.log_term)) {
    reply.term = m.term;
    if (!pre) {
      MERIDIAN_ASSERT(vote_ == no_node || vote_ == m.from,
                      "node " + std::to_string(id_) + " voting twice in term " +
                          std::to_string(term_));
      election_elapsed_ticks_ = 0;
      vote_ = m.from;
    }
  } else {
    reply.term = term_;
    reply.reject = true;
  }
  send(std::move(reply));
  // The rival lost its leader too, and may have refused our pre-vote while it still heard that
  // leader. It grants one now (we outrank it), so ask again at once rather than after another
  // randomized timeout, during which neither of us would campaign.
  if (rival_outranked) hup(false);
}

void core::handle_vote_response(const message& m) {
  bool expected = role_ == role::pre_candidate ? m.type == message_type::pre_vote_response
                                               : m.type == message_type::vote_response;
  if (!expected) return;  // an answer to an earlier campaign of another kind
  tracker_.record_vote(m.from, !m.reject);
  switch (tracker_.tally()) {
    case vote_result::won:
      if (role_ == role::pre_candidate) {
        campaign_as(campaign_kind::election, false);
      } else {
        become_leader();
      }
      break;
    case vote_result::lost:
      // A rejection from a higher term already made us a follower in step(); here the term is
      // ours and the campaign simply failed.
      become_follower(term_, no_node);
      break;
    case vote_result::pending:
      break;
  }
}

}  // namespace meridian::raft
