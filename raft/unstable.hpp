// Entries and a snapshot the core holds in memory until the owner reports them persisted (etcd's
// log_unstable.go). Owned by raft_log, on the owner's thread.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "raft/types.hpp"

namespace meridian::raft {

// Invariant: entries_ hold indexes offset_, offset_ + 1, ... contiguously; if snapshot_ is set,
// offset_ == snapshot_->metadata.index + 1 or later.
class unstable {
 public:
  explicit unstable(std::uint64_t offset) : offset_(offset) {}

  // The first index, if a snapshot is pending (snapshot index + 1).
  std::optional<std::uint64_t> maybe_first_index() const;
  // The last index, if entries or a snapshot are pending.
  std::optional<std::uint64_t> maybe_last_index() const;
  // The term at `index`, if it is a pending entry or the pending snapshot's index.
  std::optional<std::uint64_t> maybe_term(std::uint64_t index) const;

  // The owner persisted entries up to `index`, which had `term`. A mismatching term means the
  // entry was replaced since that ready was taken; then nothing is marked stable.
  void stable_to(std::uint64_t index, std::uint64_t term);
  // The owner persisted the snapshot at `index`.
  void stable_snap_to(std::uint64_t index);
  // Replaces everything by a snapshot received from the leader.
  void restore(raft::snapshot snap);
  // Appends, dropping any pending suffix from entries.front().index on.
  // REQUIRES: entries contiguous.
  void truncate_and_append(std::vector<storage::log_entry> entries);
  // Pending entries [lo, hi). REQUIRES: offset() <= lo <= hi <= offset() + size.
  std::vector<storage::log_entry> slice(std::uint64_t lo, std::uint64_t hi) const;

  std::vector<storage::log_entry> entries() const { return {entries_.begin(), entries_.end()}; }
  bool has_entries() const { return !entries_.empty(); }
  const std::optional<raft::snapshot>& pending_snapshot() const { return snapshot_; }
  std::uint64_t offset() const { return offset_; }

 private:
  std::optional<raft::snapshot> snapshot_;
  std::deque<storage::log_entry> entries_;
  std::uint64_t offset_;
};

}  // namespace meridian::raft
