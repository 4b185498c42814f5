// Garbage collection of old versions below the GC safe point, and the refusals that protect it
// (PROTOCOL.md "Garbage collection"). The safe point is stored in the shard (meta column), so
// every replica refuses the same reads and transactions. Pure functions over a snapshot and a
// write buffer; the replica actor's GC command runs them on its thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

// A read at read_ts below the stored safe point: snapshot_too_old (the versions it would see
// may be gone). A read exactly at the safe point is served: GC keeps what it sees.
status check_read_ts(storage::mvcc_reader& reader, std::uint64_t read_ts);

// A prewrite, commit or status check whose start_ts is at or below the stored safe point:
// txn_too_old, naming the key (GC may have removed that transaction's records).
status check_start_ts(storage::mvcc_reader& reader, std::string_view key, std::uint64_t start_ts);

// Stores a new safe point in the batch. Errors: invalid_argument if it would go back (a read
// refused once must stay refused, and removed versions cannot come back).
status advance_gc_safe_point(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                             std::uint64_t safe_point);

struct gc_key_result {
  std::size_t versions_removed = 0;
  // The newest put or delete at or below the safe point, kept for reads at the safe point.
  std::optional<std::uint64_t> kept_commit_ts;
};

// Per key: keeps the newest put or delete at or below safe_point; removes every older version
// (and its value in `data`), and every lock_only and rollback record at or below safe_point
// (those never count as the kept version). Records above safe_point are untouched.
// Errors: lock_not_resolved (with the lock) if the key holds a lock with start_ts <= safe_point:
// PROTOCOL.md says such locks are resolved before the safe point advances, or a crashed
// coordinator's transaction could later be decided by looking for records GC removed.
// REQUIRES: safe_point > 0.
txn_result<gc_key_result> gc_key(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                 std::string_view key, std::uint64_t safe_point);

struct gc_range_result {
  std::size_t keys_visited = 0;
  std::size_t versions_removed = 0;
  // More keys may follow; continue from resume_key (inclusive).
  bool more = false;
  std::string resume_key;
};

// Runs gc_key over every key of [start, end) with write records (empty end: no bound), at most
// max_keys keys. Refuses the whole range (lock_not_resolved, nothing removed) if it holds a lock
// with start_ts <= safe_point. REQUIRES: safe_point > 0, max_keys > 0.
txn_result<gc_range_result> gc_range(storage::kv_snapshot& snapshot, storage::mvcc_batch& batch,
                                     std::string_view start, std::string_view end,
                                     std::uint64_t safe_point, std::size_t max_keys);

// The locks of [start, end) with start_ts <= max_start_ts, at most `limit` of them, in key order:
// what must be resolved before the safe point may advance to max_start_ts.
result<std::vector<storage::locked_key>> scan_locks(storage::kv_snapshot& snapshot,
                                                    std::string_view start, std::string_view end,
                                                    std::uint64_t max_start_ts,
                                                    std::size_t limit);

}  // namespace meridian::txn
