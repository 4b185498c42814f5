// Log replication (Raft §5.3) and commitment (§5.4.2) with etcd's flow control: per-follower
// probe / replicate / snapshot states, pipelined appends bounded by max_inflight_messages and
// max_message_bytes, fast back-off on rejection, and snapshots for followers behind the
// compacted log. Part of core, see core.hpp.
#include <algorithm>
#include <limits>
#include <string>

#include "raft/core.hpp"

namespace meridian::raft {

result<std::uint64_t> core::propose(std::string data) {
  return append_proposal(entry_type::normal, std::move(data));
}

result<std::uint64_t> core::append_proposal(entry_type type, std::string data) {
  if (role_ != role::leader) return not_leader_error();
  if (transferee_ != no_node) {
    return error(errc::proposal_dropped,
                 "leadership is being transferred to node " + std::to_string(transferee_));
  }
  if (!tracker_.is_voter(id_)) {
    return error(errc::proposal_dropped, "this leader was removed from the membership");
  }
  std::size_t bytes = data.size();
  // One entry is always admitted when nothing is uncommitted, so a large entry cannot wedge.
  if (uncommitted_bytes_ > 0 && uncommitted_bytes_ + bytes > cfg_.max_uncommitted_bytes) {
    return error(errc::limit_exceeded,
                 std::to_string(uncommitted_bytes_) + " bytes proposed but not yet committed; " +
                     std::to_string(bytes) + " more would exceed max_uncommitted_bytes (" +
                     std::to_string(cfg_.max_uncommitted_bytes) + ")");
  }
  std::uint64_t index = log_.last_index() + 1;
  uncommitted_bytes_ += bytes;
  log_.append({storage::log_entry{term_, index, static_cast<std::uint8_t>(type), std::move(data)}});
  // Sent before the leader persists its own copy (thesis §10.2.1); the leader counts itself
  // toward commitment only once the owner reports the entry durable.
  broadcast_append();
  return index;
}

error core::not_leader_error() const {
  return error(errc::not_leader, "node " + std::to_string(id_) + " is not the leader (leader: " +
                                     std::to_string(leader_) + ", 0 = unknown)");
}

bool core::maybe_send_append(node_id to, bool send_if_empty) {
  progress* pr = tracker_.find(to);
  if (pr == nullptr || pr->paused()) return false;
  std::uint64_t previous = pr->next - 1;
  auto previous_term = log_.term(previous);
  auto entries = log_.entries(pr->next, cfg_.max_message_bytes);
  if (!previous_term || !entries) {
    const error& e = previous_term ? entries.err() : previous_term.err();
    MERIDIAN_ASSERT(e.code() == errc::log_compacted,
                    "append to " + std::to_string(to) + " from next " + std::to_string(pr->next) +
                        ": " + e.to_string());
    return maybe_send_snapshot(to, *pr);
  }
  if (entries->empty() && !send_if_empty) return false;
  std::size_t count = entries->size();
  std::uint64_t last = count == 0 ? previous : entries->back().index;
  message m;
  m.type = message_type::append;
  m.to = to;
  m.index = previous;
  m.log_term = *previous_term;
  m.entries = std::move(*entries);
  m.commit = log_.committed();
  pr->sent_entries(count, last);
  send(std::move(m));
  return true;
}

// The follower needs entries that were compacted away: send the latest snapshot instead.
bool core::maybe_send_snapshot(node_id to, progress& pr) {
  if (!pr.recent_active) return false;  // do not ship a snapshot to a node that may be down
  auto snap = log_.source().snapshot();
  if (!snap) {
    MERIDIAN_ASSERT(snap.err().code() == errc::not_ready,
                    "Raft storage failed to produce a snapshot: " + snap.err().to_string());
    return false;  // being produced; the next heartbeat response retries
  }
  MERIDIAN_ASSERT(!snap->empty(), "the log was compacted but storage holds no snapshot");
  pr.become_snapshot(snap->metadata.index);
  message m;
  m.type = message_type::snapshot;
  m.to = to;
  m.snap = std::move(*snap);
  send(std::move(m));
  return true;
}

// A replicating follower whose window is full may have lost the appends that fill it: an empty
// append after `next - 1` (not counted in the window) either confirms them or draws a rejection
// that resets the flow. Keeps max_inflight_messages a strict bound.
void core::send_window_probe(node_id to, const progress& pr) {
  auto previous_term = log_.term(pr.next - 1);
  if (!previous_term) return;
  message m;
  m.type = message_type::append;
  m.to = to;
  m.index = pr.next - 1;
  m.log_term = *previous_term;
  m.commit = log_.committed();
  send(std::move(m));
}

void core::broadcast_append() {
  for (const auto& [id, pr] : tracker_.all()) {
    if (id != id_) maybe_send_append(id, true);
  }
}

void core::broadcast_heartbeat() {
  std::uint64_t round = reads_.last_round();
  for (const auto& [id, pr] : tracker_.all()) {
    if (id == id_) continue;
    message m;
    m.type = message_type::heartbeat;
    m.to = id;
    // Never beyond what the follower is known to store: it may not have the rest yet.
    m.commit = std::min(pr.match, log_.committed());
    m.read_round = round;
    m.lease_tick = ticks_;
    send(std::move(m));
  }
}

bool core::maybe_commit() {
  // §5.4.2 (Figure 8): only an entry of the current term is committed by counting replicas;
  // earlier ones commit with it.
  if (!log_.maybe_commit(tracker_.committed_index(), term_)) return false;
  release_deferred_reads();
  return true;
}

void core::handle_append(message& m) {
  MERIDIAN_ASSERT(role_ != role::leader, "a leader never takes entries from another node");
  message reply;
  reply.type = message_type::append_response;
  reply.to = m.from;
  if (m.index < log_.committed()) {
    reply.index = log_.committed();  // already committed here: tell the leader how far we are
    send(std::move(reply));
    return;
  }
  if (auto last_new = log_.maybe_append(m.index, m.log_term, m.commit, std::move(m.entries))) {
    reply.index = *last_new;
    send(std::move(reply));
    return;
  }
  // §5.3 consistency check failed. Hint where the logs may agree: the largest index at or below
  // the probe whose term is <= the leader's term there, so the leader skips a whole term per
  // round trip instead of one entry.
  auto [hint_index, hint_term] =
      log_.find_conflict_by_term(std::min(m.index, log_.last_index()), m.log_term);
  reply.index = m.index;
  reply.reject = true;
  reply.reject_hint = hint_index;
  reply.log_term = hint_term;
  send(std::move(reply));
}

void core::handle_heartbeat(const message& m) {
  log_.commit_to(m.commit);
  message reply;
  reply.type = message_type::heartbeat_response;
  reply.to = m.from;
  reply.read_round = m.read_round;
  reply.lease_tick = m.lease_tick;
  send(std::move(reply));
}

void core::handle_snapshot(message& m) {
  message reply;
  reply.type = message_type::append_response;
  reply.to = m.from;
  reply.index = restore(std::move(m.snap)) ? log_.last_index() : log_.committed();
  send(std::move(reply));
}

// Returns true if the snapshot replaced the log (the next ready carries it for the owner).
bool core::restore(raft::snapshot snap) {
  const snapshot_metadata& meta = snap.metadata;
  if (meta.index <= log_.committed()) return false;  // nothing new
  MERIDIAN_ASSERT(role_ == role::follower, "only a follower restores a snapshot");
  if (log_.match_term(meta.index, meta.term)) {
    // Our log already has the entry: keep the log and just learn the commit.
    log_.commit_to(meta.index);
    return false;
  }
  tracker_.reset(meta.conf, meta.index + 1);
  log_.restore(std::move(snap));
  return true;
}

void core::handle_append_response(const message& m, progress& pr) {
  pr.recent_active = true;
  if (m.reject) {
    std::uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) {
      // Skip our own entries of terms the follower does not have at the hint.
      next_probe = log_.find_conflict_by_term(m.reject_hint, m.log_term).first;
    }
    if (pr.maybe_decrease_to(m.index, next_probe)) {
      if (pr.state == progress_state::replicate) pr.become_probe();
      maybe_send_append(m.from, true);
    }
    return;
  }
  bool was_paused = pr.paused();
  bool confirmed = pr.maybe_update(m.index);
  if (!confirmed && !(pr.match == m.index && pr.state == progress_state::probe)) return;
  switch (pr.state) {
    case progress_state::probe: pr.become_replicate(); break;
    case progress_state::snapshot:
      if (pr.match + 1 >= log_.first_index()) {  // the log can take it from here
        pr.become_probe();
        pr.become_replicate();
      }
      break;
    case progress_state::replicate: pr.inflight.free_le(m.index); break;
  }
  if (maybe_commit()) {
    broadcast_append();  // the new commit index travels with the next appends
  } else if (was_paused) {
    maybe_send_append(m.from, true);
  }
  while (maybe_send_append(m.from, false)) {
  }
  if (m.from == transferee_ && pr.match == log_.last_index()) send_timeout_now(m.from);
}

void core::handle_heartbeat_response(const message& m, progress& pr) {
  pr.recent_active = true;
  pr.probe_sent = false;  // one probe per heartbeat interval
  pr.lease_tick = std::max(pr.lease_tick, m.lease_tick);
  pr.read_round = std::max(pr.read_round, m.read_round);
  if (pr.state == progress_state::replicate && pr.inflight.full()) {
    send_window_probe(m.from, pr);
  } else if (pr.match < log_.last_index() || pr.state == progress_state::probe) {
    maybe_send_append(m.from, true);
  }
  if (m.read_round != 0) release_confirmed_reads();
}

void core::on_entries_persisted(std::uint64_t index, std::uint64_t term) {
  log_.stable_to(index, term);
  if (role_ != role::leader || !log_.match_term(index, term)) return;
  progress* self = tracker_.find(id_);
  if (self != nullptr && self->maybe_update(index) && maybe_commit()) broadcast_append();
}

void core::on_snapshot_persisted(std::uint64_t index) {
  log_.stable_snap_to(index);
  log_.applied_to(index);  // installing the snapshot applied everything it covers
}

void core::on_applied(std::uint64_t index, std::size_t payload_bytes) {
  log_.applied_to(index);
  if (role_ == role::leader) uncommitted_bytes_ -= std::min(uncommitted_bytes_, payload_bytes);
}

}  // namespace meridian::raft
