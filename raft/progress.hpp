// What a leader knows about one follower's log (etcd's tracker/progress.go and inflights.go):
// match and next index, the flow-control state (probe, replicate, snapshot) and the bounded window
// of append messages in flight. Owned by the leader's tracker, on the owner's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace meridian::raft {

// The last indexes of append messages sent but not yet acknowledged, oldest first.
// Invariant: count() <= capacity; indexes strictly increase.
class inflights {
 public:
  explicit inflights(std::size_t capacity) : capacity_(capacity) {}
  // REQUIRES: !full() and index above the last one added.
  void add(std::uint64_t index);
  // Frees every message whose last index is <= index (acknowledged).
  void free_le(std::uint64_t index);
  void reset() { indexes_.clear(); }
  bool full() const { return indexes_.size() >= capacity_; }
  std::size_t count() const { return indexes_.size(); }

 private:
  std::size_t capacity_;
  std::deque<std::uint64_t> indexes_;
};

enum class progress_state : std::uint8_t {
  // Unknown match: at most one append per heartbeat interval until one is acknowledged.
  probe,
  // Known match: appends are pipelined, at most max_inflight_messages in flight.
  replicate,
  // The follower needs a snapshot; nothing else is sent until it reports it installed.
  snapshot,
};

const char* to_string(progress_state s);

// Invariant: match < next.
struct progress {
  progress(std::uint64_t next_index, std::size_t max_inflight, bool is_learner)
      : next(next_index), learner(is_learner), inflight(max_inflight) {}

  std::uint64_t match = 0;
  std::uint64_t next = 1;
  progress_state state = progress_state::probe;
  std::uint64_t pending_snapshot = 0;  // the snapshot index sent, in the snapshot state
  bool recent_active = false;          // heard from within the current check-quorum period
  bool probe_sent = false;             // in probe: an append is out, wait for a reply
  bool learner = false;
  // The leader's tick echoed by this follower's newest heartbeat response (0: none this term).
  std::uint64_t lease_tick = 0;
  // The newest read round this follower acknowledged (0: none this term).
  std::uint64_t read_round = 0;
  raft::inflights inflight;

  void become_probe();
  void become_replicate();
  void become_snapshot(std::uint64_t snapshot_index);
  // An acknowledgement of `index`: raises match (returns true if it grew) and next.
  bool maybe_update(std::uint64_t index);
  // A rejection of the append after `rejected`, with the follower's hint of where the logs may
  // match. Returns false for a stale rejection (it changes nothing).
  bool maybe_decrease_to(std::uint64_t rejected, std::uint64_t match_hint);
  // Records an append of `count` entries ending at `last_index`.
  void sent_entries(std::size_t count, std::uint64_t last_index);
  // No append may be sent now (probe out, window full, or snapshot in transfer).
  bool paused() const;

 private:
  void reset_state(progress_state s);
};

}  // namespace meridian::raft
