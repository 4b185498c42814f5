// The in-memory twin of a replica's Raft storage (etcd's MemoryStorage): it implements log_source
// for the core to read and offers the writes an owner performs when it persists a ready
// (set_hard_state, append, apply_snapshot) and when it compacts (create_snapshot, compact).
// Used by tests and by the deterministic simulator; owned by one node's owner, single-threaded.
#pragma once

#include <deque>

#include "raft/log_source.hpp"

namespace meridian::raft {

class memory_log_source final : public log_source {
 public:
  // An empty log whose initial membership is `conf` (a new cluster's bootstrap).
  explicit memory_log_source(conf_state conf = {});

  result<stored_state> load_state() const override;
  std::uint64_t first_index() const override;
  std::uint64_t last_index() const override;
  result<std::uint64_t> term(std::uint64_t index) const override;
  result<std::vector<storage::log_entry>> entries(std::uint64_t lo, std::uint64_t hi,
                                                  std::size_t max_bytes) const override;
  result<raft::snapshot> snapshot() const override;

  void set_hard_state(const storage::hard_state& hs) { hard_state_ = hs; }
  // Records the membership the state machine reached by applying conf changes (persisted by the
  // owner together with the applied index, so a restart starts from it).
  void set_conf_state(conf_state conf) { conf_ = std::move(conf); }
  // Appends, replacing any suffix from entries.front().index on. Entries already covered by the
  // snapshot are skipped. REQUIRES: contiguous, and front().index <= last_index() + 1.
  void append(std::vector<storage::log_entry> entries);
  // Replaces the whole log by a snapshot received from the leader. invalid_argument if it is
  // older than the snapshot already held.
  status apply_snapshot(raft::snapshot snap);
  // Records a snapshot of the state machine at `index` (<= last_index()), keeping the log.
  // log_compacted if a newer snapshot exists.
  result<raft::snapshot> create_snapshot(std::uint64_t index, conf_state conf, std::string data);
  // Drops entries up to `index`, keeping its term as the new snapshot boundary.
  // log_compacted if already compacted that far. REQUIRES: index <= last_index().
  status compact(std::uint64_t index);
  // While set, snapshot() answers not_ready (a snapshot still being produced).
  void set_snapshot_unavailable(bool unavailable) { snapshot_unavailable_ = unavailable; }

 private:
  storage::hard_state hard_state_;
  conf_state conf_;
  raft::snapshot snapshot_;
  // entries_[0] is a dummy at the snapshot boundary (index first_index() - 1), carrying its term.
  std::deque<storage::log_entry> entries_;
  bool snapshot_unavailable_ = false;
};

}  // namespace meridian::raft
