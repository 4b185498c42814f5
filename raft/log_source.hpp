// The read side of stable Raft storage, as the core sees it (etcd's raft.Storage): the hard state
// and membership found at start, the persisted log, and the latest snapshot. The owner (a replica
// actor) implements it over storage::log_store; memory_log_source.hpp is the in-memory twin used
// by tests and the simulator. The core only reads through it, on the owner's thread; the owner
// writes to the same storage when it persists a ready.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/result.hpp"
#include "raft/types.hpp"

namespace meridian::raft {

struct stored_state {
  storage::hard_state hard;
  conf_state conf;  // the membership as of the last applied conf change (or snapshot)
};

// Contract for every implementation:
//   - entries first_index()..last_index() are stored; first_index() - 1 is the snapshot index,
//     whose term is still answered by term();
//   - term(i): log_compacted for i < first_index() - 1, log_unavailable for i > last_index();
//   - entries(lo, hi, max_bytes): entries [lo, hi), stopping before the sum of
//     log_entry::bytes() exceeds max_bytes but always returning at least one entry;
//     log_compacted when lo < first_index(). REQUIRES lo <= hi <= last_index() + 1;
//   - snapshot(): not_ready while a snapshot is being produced (the leader retries later).
// Any other error means the storage cannot be read; the core treats it as fatal (a replica that
// cannot read its own log must stop, as etcd's raft panics).
class log_source {
 public:
  virtual ~log_source() = default;
  virtual result<stored_state> load_state() const = 0;
  virtual std::uint64_t first_index() const = 0;
  virtual std::uint64_t last_index() const = 0;
  virtual result<std::uint64_t> term(std::uint64_t index) const = 0;
  virtual result<std::vector<storage::log_entry>> entries(std::uint64_t lo, std::uint64_t hi,
                                                          std::size_t max_bytes) const = 0;
  virtual result<raft::snapshot> snapshot() const = 0;
};

// Bootstrapping a new group: every initial member's storage starts from this snapshot (index 1,
// term 1, the initial membership and state machine) with the hard state {term 1, no vote,
// commit 1}. Members added later start with empty storage; since every log then begins after
// index 1, the leader always catches a newcomer up with a snapshot, and the newcomer learns the
// exact membership from it instead of replaying conf changes onto a membership it never had
// (TiKV's initial-log-index idea).
constexpr std::uint64_t bootstrap_term = 1;
inline raft::snapshot bootstrap_snapshot(conf_state conf, std::string data = {}) {
  raft::snapshot snap;
  snap.metadata.index = 1;
  snap.metadata.term = bootstrap_term;
  snap.metadata.conf = std::move(conf);
  snap.data = std::move(data);
  return snap;
}
inline storage::hard_state bootstrap_hard_state() {
  return storage::hard_state{bootstrap_term, no_node, 1};
}

// Keeps a prefix of `entries` whose log_entry::bytes() sum to at most max_bytes, and at least one
// entry. Shared by the log sources and the core's own log.
void limit_bytes(std::vector<storage::log_entry>& entries, std::size_t max_bytes);

}  // namespace meridian::raft
