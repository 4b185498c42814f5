// Rollback (PROTOCOL.md "Actions", rollback): removes our lock and value from one key and leaves
// a rollback record at start_ts, so that a late prewrite of the transaction fails; and the
// rollback command over many keys. Pure functions over a snapshot reader and a write buffer, run
// by the shard leader's replica actor; check_txn_status and resolve_lock build on them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

struct rollback_result {
  // The key was already rolled back for start_ts (a duplicate); nothing was written.
  bool already_rolled_back = false;
};

// Our lock present: deletes it and its value in `data`, and writes the rollback record. Lock
// absent: our commit record -> txn_already_committed (carrying its commit_ts; a committed key is
// never rolled back); our rollback -> already_rolled_back; neither -> writes the rollback record
// anyway (a prewrite still on its way must fail), or txn_too_old at or below the GC safe point.
// REQUIRES: start_ts > 0.
txn_result<rollback_result> rollback(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                     std::string_view key, std::uint64_t start_ts);

// Deletes `lock` (ours, found on `key`) and its value, and writes its rollback record.
status rollback_lock(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                     std::string_view key, const storage::lock_record& lock);

// Writes the rollback record of start_ts at write[key, start_ts]; if another transaction's
// commit record already sits there (a derived commit_ts equal to our start_ts), sets its
// overlapped_rollback instead of overwriting it (PROTOCOL.md "Per-key state"). Writes nothing if
// our rollback is already there.
// REQUIRES: no commit record of start_ts on key.
status write_rollback_record(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                             std::string_view key, std::uint64_t start_ts);

struct rollback_request {
  std::uint64_t start_ts = 0;
  std::vector<std::string> keys;
};

// Validates the request and rolls back every key. All or nothing: the first failing key's error
// (e.g. txn_already_committed) is returned and nothing is added to `batch`.
txn_result<std::vector<rollback_result>> rollback_command(storage::mvcc_reader& reader,
                                                          storage::mvcc_batch& batch,
                                                          const rollback_request& request);

}  // namespace meridian::txn
