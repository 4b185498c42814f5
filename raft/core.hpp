// The Raft state machine itself (etcd's raft.go): roles, terms and votes, election with pre-vote
// and check-quorum, log replication with flow control, commitment, read-index and leases,
// snapshots, leader transfer and single-server membership change. It performs no I/O: inputs are
// method calls, outputs are queued messages and read states plus the log's unstable part, which
// node (node.hpp) packs into `ready` batches. Owned by one node, on the owner's thread.
//
// Implementation by seam: core.cpp (roles, ticks, step dispatch), election.cpp, replication.cpp,
// reads.cpp, membership.cpp (conf changes, leader transfer, owner reports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raft/config.hpp"
#include "raft/raft_log.hpp"
#include "raft/read_only.hpp"
#include "raft/tracker.hpp"
#include "raft/types.hpp"

namespace meridian::raft {

// splitmix64: a tiny deterministic generator, identical on every platform (std:: distributions
// are not), so a seed replays an election schedule exactly.
class split_mix {
 public:
  explicit split_mix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// Invariants: the commit index never decreases; a node votes for at most one candidate per term;
// a leader never removes or overwrites entries of its own log; a leader counts its own log
// toward commitment only up to what the owner reported persisted.
class core {
 public:
  // REQUIRES: cfg.validate() succeeded; `state` was loaded from `source`, which outlives the
  // core; state.hard.commit <= source.last_index(); cfg.applied_index <= max(state.hard.commit,
  // the snapshot index). node::create checks these.
  core(const config& cfg, const log_source& source, const stored_state& state);

  // Advances logical time by one tick (election and heartbeat timers, lease clock).
  void tick();
  // Handles a message from another node. invalid_argument for a malformed message.
  status step(message m);
  // Starts an election now (with pre-vote when configured) if this node may campaign.
  void campaign();
  // Appends a command to the leader's log; returns its index. not_leader on a non-leader,
  // proposal_dropped during a leader transfer, limit_exceeded beyond max_uncommitted_bytes.
  result<std::uint64_t> propose(std::string data);
  // As propose, for a membership change. Also proposal_dropped while an earlier change is not
  // applied yet, and invalid_argument for a change that does not fit the current membership.
  result<std::uint64_t> propose_conf_change(const conf_change& change);
  // Applies a committed membership change (the owner calls it when applying the entry) and
  // returns the new membership, which the owner persists with its applied index. A change that
  // no longer fits (it would leave no voter) is ignored, identically on every replica.
  conf_state apply_conf_change(const conf_change& change);
  // Requests a linearizable read; the answer arrives as a read_state. not_leader when no leader
  // is known, limit_exceeded when max_pending_reads requests already wait. A request can still
  // vanish without an answer (the leader changes, or its queue is full for a forwarded one):
  // the owner times it out and retries. REQUIRES: contexts unique among this node's requests.
  status read_index(std::string context);
  // Asks the leader to hand leadership to `to`. not_leader on a non-leader; invalid_argument
  // when `to` is not a voter.
  status transfer_leader(node_id to);
  // The owner could not deliver to `id`: stop pipelining to it.
  void report_unreachable(node_id id);
  // The owner finished (or failed) sending a snapshot to `id`. Required after every snapshot
  // message: until it arrives, or the follower answers, nothing else is sent to that follower.
  void report_snapshot(node_id id, bool failed);

  // Feedback from node::advance about the previous ready.
  void on_snapshot_persisted(std::uint64_t index);
  void on_entries_persisted(std::uint64_t index, std::uint64_t term);
  void on_applied(std::uint64_t index, std::size_t payload_bytes);

  std::vector<message> take_messages();
  std::vector<read_state> take_read_states();
  bool has_messages() const { return !messages_.empty(); }
  bool has_read_states() const { return !read_states_.empty(); }

  node_id id() const { return id_; }
  std::uint64_t term() const { return term_; }
  node_id vote() const { return vote_; }
  node_id leader() const { return leader_; }
  raft::role current_role() const { return role_; }
  storage::hard_state hard_state() const { return {term_, vote_, log_.committed()}; }
  raft::soft_state soft_state() const { return {leader_, role_}; }
  const raft_log& log() const { return log_; }
  const tracker& members() const { return tracker_; }
  node_id transfer_target() const { return transferee_; }
  std::uint64_t randomized_election_timeout_ticks() const { return randomized_timeout_ticks_; }
  std::size_t uncommitted_bytes() const { return uncommitted_bytes_; }
  // A leader lease read would be answered now without a heartbeat round.
  bool lease_valid() const;
  // The index a read arriving now may be served at without a heartbeat round or a pass through
  // the log (the leader's lease holds and it has committed an entry of its term): its commit
  // index. nullopt when the read must take the read-index path (read_index()).
  std::optional<std::uint64_t> lease_read_index() const;
  const config& settings() const { return cfg_; }

 private:
  enum class campaign_kind : std::uint8_t { pre_vote, election };

  // core.cpp
  void reset(std::uint64_t term);
  void become_follower(std::uint64_t term, node_id leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void tick_election();
  void tick_heartbeat();
  void send(message m);
  bool promotable() const;
  status check_message(const message& m) const;
  bool step_higher_term(const message& m);
  void step_stale_term(const message& m);
  void step_leader(message& m);
  void step_candidate(message& m);
  void step_follower(message& m);

  // election.cpp
  void hup(bool transfer);
  void campaign_as(campaign_kind kind, bool transfer);
  bool in_lease() const;
  bool has_unapplied_conf_changes() const;
  void handle_vote_request(const message& m);
  // A competing pre-candidate's campaign (m) ranks above this node's own.
  bool outranks_me(const message& m) const;
  void handle_vote_response(const message& m);

  // replication.cpp
  result<std::uint64_t> append_proposal(entry_type type, std::string data);
  error not_leader_error() const;
  bool maybe_send_append(node_id to, bool send_if_empty);
  bool maybe_send_snapshot(node_id to, progress& pr);
  void send_window_probe(node_id to, const progress& pr);
  void broadcast_append();
  void broadcast_heartbeat();
  bool maybe_commit();
  void handle_append(message& m);
  void handle_heartbeat(const message& m);
  void handle_snapshot(message& m);
  bool restore(raft::snapshot snap);
  void handle_append_response(const message& m, progress& pr);
  void handle_heartbeat_response(const message& m, progress& pr);

  // reads.cpp
  status handle_read_request(std::string context, node_id from);
  void respond_read(read_request request);
  void release_confirmed_reads();
  void release_deferred_reads();
  bool committed_entry_in_current_term() const;

  // membership.cpp
  status check_conf_change(const conf_change& change) const;
  void after_conf_change();
  void send_timeout_now(node_id to);
  void abort_transfer() { transferee_ = no_node; }

  config cfg_;
  node_id id_;
  raft_log log_;
  tracker tracker_;
  read_only reads_;
  split_mix rng_;

  std::uint64_t term_ = 0;
  node_id vote_ = no_node;
  node_id leader_ = no_node;
  raft::role role_ = raft::role::follower;
  node_id transferee_ = no_node;  // leader transfer in progress to this node
  // A conf change at this index may still be unapplied: no other may be proposed until then.
  std::uint64_t pending_conf_index_ = 0;
  std::size_t uncommitted_bytes_ = 0;  // payload proposed by this leader and not yet applied

  std::uint64_t election_elapsed_ticks_ = 0;
  std::uint64_t heartbeat_elapsed_ticks_ = 0;
  std::uint64_t randomized_timeout_ticks_ = 0;
  // Ticks since start, plus one: the lease clock (0 stands for "never").
  std::uint64_t ticks_ = 1;
  // Started in a term past the bootstrap term: may have promised a leader its lease before a
  // restart (in_lease).
  bool may_have_promised_ = true;
  // This leader sent timeout_now in its term: another node may win without waiting out the
  // followers' lease promise, so no more lease reads in this term.
  bool lease_revoked_ = false;

  std::vector<message> messages_;
  std::vector<read_state> read_states_;
};

}  // namespace meridian::raft
