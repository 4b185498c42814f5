// The core's view of the whole log (etcd's log.go): the persisted part read through log_source,
// the unstable part held in memory until persisted, and the commit and applied indexes. Owned by
// the core, on the owner's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "raft/log_source.hpp"
#include "raft/unstable.hpp"

namespace meridian::raft {

// Invariant: applied() <= committed() <= last_index(); committed() never decreases.
class raft_log {
 public:
  // Starts with committed and applied at the source's snapshot index.
  // REQUIRES: `source` outlives the log.
  raft_log(const log_source& source, std::size_t max_committed_bytes);

  std::uint64_t first_index() const;
  std::uint64_t last_index() const;
  // log_compacted below first_index() - 1, log_unavailable above last_index().
  result<std::uint64_t> term(std::uint64_t index) const;
  std::uint64_t last_term() const;
  bool match_term(std::uint64_t index, std::uint64_t term) const;
  // Raft §5.4.1: is a log ending at (last_index, term) at least as up to date as this one?
  bool is_up_to_date(std::uint64_t last_index, std::uint64_t term) const;

  // A follower's append (§5.3): if the entry at `index` has `log_term`, appends `entries`
  // (dropping a conflicting suffix), advances commit to min(commit, last new index), and returns
  // the last new index; otherwise nullopt. REQUIRES: entries start at index + 1.
  std::optional<std::uint64_t> maybe_append(std::uint64_t index, std::uint64_t log_term,
                                            std::uint64_t commit,
                                            std::vector<storage::log_entry> entries);
  // Appends after a possible truncation; returns the new last index.
  // REQUIRES: entries.front().index > committed() (committed entries are never replaced).
  std::uint64_t append(std::vector<storage::log_entry> entries);
  // The index of the first entry whose term differs from ours (or that we lack); 0 if all match.
  std::uint64_t find_conflict(const std::vector<storage::log_entry>& entries) const;
  // The largest index <= `index` whose term is <= `term`, with that term (0 if unknown): where
  // a leader and a follower can possibly agree (fast back-off, etcd's findConflictByTerm).
  std::pair<std::uint64_t, std::uint64_t> find_conflict_by_term(std::uint64_t index,
                                                                std::uint64_t term) const;

  // Entries [lo, hi) bounded by max_bytes (at least one). log_compacted when lo < first_index().
  // REQUIRES: lo <= hi <= last_index() + 1.
  result<std::vector<storage::log_entry>> slice(std::uint64_t lo, std::uint64_t hi,
                                                std::size_t max_bytes) const;
  // Entries from lo to the end, bounded by max_bytes.
  result<std::vector<storage::log_entry>> entries(std::uint64_t lo, std::size_t max_bytes) const;

  std::vector<storage::log_entry> unstable_entries() const { return unstable_.entries(); }
  bool has_unstable_entries() const { return unstable_.has_entries(); }
  const std::optional<raft::snapshot>& pending_snapshot() const {
    return unstable_.pending_snapshot();
  }
  // The last index that is durable: entries below the unstable offset.
  std::uint64_t stable_last_index() const;
  // Committed entries not yet applied, at most max_committed_bytes (none while a snapshot is
  // pending: it must be installed first).
  std::vector<storage::log_entry> next_committed_entries() const;
  bool has_next_committed_entries() const;

  // Raises commit to `index`. REQUIRES: index <= last_index() (a lower index is a no-op).
  void commit_to(std::uint64_t index);
  // Commits max_index if its entry belongs to `term`: the leader's rule (§5.4.2, Figure 8).
  bool maybe_commit(std::uint64_t max_index, std::uint64_t term);
  // REQUIRES: applied() <= index <= committed().
  void applied_to(std::uint64_t index);
  void stable_to(std::uint64_t index, std::uint64_t term) { unstable_.stable_to(index, term); }
  void stable_snap_to(std::uint64_t index) { unstable_.stable_snap_to(index); }
  // Replaces the log by a snapshot. REQUIRES: snap index > committed().
  void restore(raft::snapshot snap);

  std::uint64_t committed() const { return committed_; }
  std::uint64_t applied() const { return applied_; }
  const log_source& source() const { return source_; }

 private:
  const log_source& source_;
  unstable unstable_;
  std::size_t max_committed_bytes_;
  std::uint64_t committed_;
  std::uint64_t applied_;
};

}  // namespace meridian::raft
