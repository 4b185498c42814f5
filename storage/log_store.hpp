// The Raft log store: entries (term, index, type, payload), the hard state (term, vote, commit)
// and the snapshot marker (the last index and term that compaction folded into a snapshot), kept
// in a replica's engine (column families raft_log and raft_state).
//
// Group commit: append() and set_hard_state() only stage; sync() writes everything staged since
// the previous sync in one durable engine write — one fsync for a whole batch of appends — and
// reports the durable last index. A replica actor calls sync() once per batch of messages,
// before it sends what that batch produced (persist, then send).
// Owned by one actor; not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "storage/engine.hpp"

namespace meridian::storage {

struct log_entry {
  std::uint64_t term = 0;
  std::uint64_t index = 0;
  std::uint8_t type = 0;  // the Raft layer's entry type (normal, configuration change...)
  std::string data;

  std::size_t bytes() const { return data.size() + 24; }
  friend bool operator==(const log_entry& a, const log_entry& b) {
    return a.term == b.term && a.index == b.index && a.type == b.type && a.data == b.data;
  }
};

struct hard_state {
  std::uint64_t term = 0;
  std::uint64_t vote = 0;  // node id voted for in `term`, 0 = none
  std::uint64_t commit = 0;
  friend bool operator==(const hard_state& a, const hard_state& b) {
    return a.term == b.term && a.vote == b.vote && a.commit == b.commit;
  }
  friend bool operator!=(const hard_state& a, const hard_state& b) { return !(a == b); }
};

// Entries up to `index` were compacted into a snapshot; `term` is that entry's term.
struct snapshot_marker {
  std::uint64_t index = 0;
  std::uint64_t term = 0;
};

class log_store {
 public:
  // Loads the stored log; fails with storage_corrupt on a gap or a bad checksum.
  static result<std::unique_ptr<log_store>> open(kv_engine& engine);

  // Stages entries; an existing suffix from entries.front().index on is replaced (a conflicting
  // suffix truncated). REQUIRES: indexes contiguous, snapshot().index < front().index <=
  // last_index() + 1.
  void append(std::vector<log_entry> entries);
  void set_hard_state(const hard_state& hs);
  // Stages dropping entries up to `index`, which a snapshot now covers.
  // REQUIRES: first_index() <= index <= last_index().
  void compact(std::uint64_t index);
  // Stages replacing the whole log by a snapshot marker (a follower installing a snapshot).
  void reset(snapshot_marker marker);

  // Writes everything staged in one write, together with `extra` (a replica's applied commands,
  // so one fsync covers both); returns the durable last index. The write is durable whenever
  // entries, a truncation or a snapshot marker are staged; when only the hard state's commit
  // index changed (Raft's commitIndex is volatile state, Figure 2) the caller may pass
  // durability::relaxed: the commit index and the applied commands then survive a power loss
  // together or not at all, and Raft learns the commit index again from the leader.
  result<std::uint64_t> sync(const kv_write_batch* extra = nullptr,
                             durability d = durability::sync);
  bool has_staged() const;

  std::uint64_t first_index() const { return snapshot_.index + 1; }
  std::uint64_t last_index() const { return snapshot_.index + terms_.size(); }
  // Entries up to here survive a power loss.
  std::uint64_t durable_index() const { return durable_last_; }
  // The term of `index`, which may be the snapshot marker's index. log_compacted below it,
  // log_unavailable above the last index.
  result<std::uint64_t> term(std::uint64_t index) const;
  // Entries [lo, hi), stopping before max_bytes is exceeded (but always at least one entry).
  result<std::vector<log_entry>> entries(std::uint64_t lo, std::uint64_t hi,
                                         std::size_t max_bytes) const;
  const hard_state& state() const { return hard_state_; }
  snapshot_marker snapshot() const { return snapshot_; }

 private:
  explicit log_store(kv_engine& engine) : engine_(engine) {}
  status load();
  result<std::vector<log_entry>> read_stored(std::uint64_t lo, std::uint64_t hi,
                                             std::size_t max_bytes, std::size_t used) const;

  kv_engine& engine_;
  hard_state hard_state_;
  snapshot_marker snapshot_;
  std::deque<std::uint64_t> terms_;  // terms of entries first_index()..last_index()
  std::uint64_t durable_last_ = 0;

  // Staged until the next sync().
  std::vector<log_entry> staged_;  // contiguous; staged_.front().index onward replaces storage
  std::uint64_t truncate_from_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t stored_compacted_to_ = 0;  // stored entries <= this are deleted at sync
  bool staged_hard_state_ = false;
  bool staged_marker_ = false;
};

}  // namespace meridian::storage
