// The plain data Raft exchanges with the world: messages between replicas, snapshots, membership,
// and the `ready` batch that tells the owner what to persist, send and apply. Value types with
// public fields of standard types only, so the actor layer can write CAF `inspect` functions for
// them. No state, no thread affinity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/log_store.hpp"

namespace meridian::raft {

// Node ids are chosen by the cluster; 0 means "nobody" (no vote, no known leader).
using node_id = std::uint64_t;
inline constexpr node_id no_node = 0;

// Stored in storage::log_entry::type.
enum class entry_type : std::uint8_t {
  normal = 0,       // an application command (or the empty entry a new leader appends)
  conf_change = 1,  // an encoded conf_change (see encode_conf_change)
};

// A membership: who votes and who only receives the log.
// Invariant: both lists sorted and unique, and disjoint.
struct conf_state {
  std::vector<node_id> voters;
  std::vector<node_id> learners;
  friend bool operator==(const conf_state& a, const conf_state& b) {
    return a.voters == b.voters && a.learners == b.learners;
  }
  friend bool operator!=(const conf_state& a, const conf_state& b) { return !(a == b); }
};

struct snapshot_metadata {
  std::uint64_t index = 0;  // the last log index the snapshot covers; 0 = no snapshot
  std::uint64_t term = 0;   // that entry's term
  conf_state conf;          // the membership as of `index`
};

// Application state as of metadata.index, opaque to Raft.
struct snapshot {
  snapshot_metadata metadata;
  std::string data;
  bool empty() const { return metadata.index == 0; }
};

// Single-server membership changes (Raft thesis §4.1): one voter added or removed at a time.
enum class conf_change_type : std::uint8_t {
  add_voter = 0,    // adds a voter, or promotes a learner
  add_learner = 1,  // adds a learner, or demotes a voter
  remove_node = 2,  // removes a voter or a learner
};

struct conf_change {
  conf_change_type type = conf_change_type::add_voter;
  node_id node = no_node;
  std::string context;  // opaque to Raft (for example the new member's address)
  friend bool operator==(const conf_change& a, const conf_change& b) {
    return a.type == b.type && a.node == b.node && a.context == b.context;
  }
};

// The bytes stored in a conf_change entry's data.
std::string encode_conf_change(const conf_change& change);
// invalid_argument when the bytes are not an encoded conf_change.
result<conf_change> decode_conf_change(const std::string& bytes);

enum class message_type : std::uint8_t {
  append = 1,           // leader -> follower: entries after (index, log_term), commit
  append_response,      // follower -> leader: index matched, or reject with a hint
  vote,                 // candidate -> voter: campaign for `term` with last (index, log_term)
  vote_response,        // voter -> candidate: granted unless reject
  pre_vote,             // pre-candidate -> voter: would you vote for me in `term`?
  pre_vote_response,    // voter -> pre-candidate
  heartbeat,            // leader -> follower: commit, read round, lease tick
  heartbeat_response,   // follower -> leader: echoes read round and lease tick
  snapshot,             // leader -> follower: install `snap`
  timeout_now,          // leader -> transferee: campaign now (leader transfer)
  read_index,           // follower -> leader: a linearizable read request with `context`
  read_index_response,  // leader -> follower: read at `index` (request `context`)
};

const char* to_string(message_type type);

// One Raft message. Which fields matter depends on `type`:
//   append:              index, log_term (of the entry at index), entries, commit
//   append_response:     index (last matched index) or reject with index (the rejected index),
//                        reject_hint (the follower's candidate match index) and log_term (the
//                        term at reject_hint, 0 if unknown)
//   vote, pre_vote:      index, log_term (the candidate's last entry), transfer
//   heartbeat:           commit, read_round, lease_tick
//   heartbeat_response:  read_round, lease_tick (echoed)
//   snapshot:            snap
//   read_index:          context; read_index_response: index, context
struct message {
  message_type type = message_type::append;
  node_id from = no_node;
  node_id to = no_node;
  std::uint64_t term = 0;
  std::uint64_t log_term = 0;
  std::uint64_t index = 0;
  std::vector<storage::log_entry> entries;
  std::uint64_t commit = 0;
  bool reject = false;
  std::uint64_t reject_hint = 0;
  snapshot snap;
  std::string context;
  // The leader's read-index round: an acknowledgement of round r confirms leadership for every
  // read request registered with a round <= r.
  std::uint64_t read_round = 0;
  // The leader's tick counter when it sent the heartbeat. Echoed back, it anchors the leader's
  // lease at the send time: the follower heard the leader no earlier than that.
  std::uint64_t lease_tick = 0;
  // A campaign started by a leader transfer: voters skip the leader-lease check.
  bool transfer = false;
};

enum class role : std::uint8_t { follower, pre_candidate, candidate, leader };

const char* to_string(role r);

// Volatile state worth reporting to the owner (who leads, what this node is); never persisted.
struct soft_state {
  node_id leader = no_node;
  raft::role role = raft::role::follower;
  friend bool operator==(const soft_state& a, const soft_state& b) {
    return a.leader == b.leader && a.role == b.role;
  }
  friend bool operator!=(const soft_state& a, const soft_state& b) { return !(a == b); }
};

// A linearizable read: once the owner has applied up to `index`, a read of its state machine
// reflects every write committed before the request with this `context` was made.
struct read_state {
  std::uint64_t index = 0;
  std::string context;
};

// Everything the owner must do after feeding inputs to a node, in this order:
//   1. persist: hard_state (if set), snapshot (if not empty), then entries (appending at
//      entries.front().index replaces any stored suffix from there on). fsync when must_sync.
//   2. send: send_now may go out before or during step 1; send_after_persist only after it.
//   3. apply: install the snapshot into the state machine, then apply committed_entries in order
//      (calling node::apply_conf_change for conf_change entries); serve read_states once
//      applied >= their index.
//   4. call node::advance().
struct ready {
  std::optional<raft::soft_state> soft_state;    // set when it changed since the last ready
  std::optional<storage::hard_state> hard_state;  // set when it changed since the last ready
  std::vector<storage::log_entry> entries;        // to persist
  raft::snapshot snapshot;                        // to persist and install; empty() if none
  std::vector<storage::log_entry> committed_entries;  // to apply
  // Messages that promise nothing about this ready's durable state (a leader's appends and
  // heartbeats, pre-votes...). Empty whenever this ready changes the term or the vote.
  std::vector<message> send_now;
  // Messages that acknowledge this ready's durable state: vote grants, append acknowledgements,
  // and every message of a ready that changes the term or the vote.
  std::vector<message> send_after_persist;
  std::vector<read_state> read_states;
  // The hard state's term or vote changed, or entries or a snapshot must be persisted: the
  // write must be durable (fsync) before send_after_persist goes out.
  bool must_sync = false;
};

}  // namespace meridian::raft
