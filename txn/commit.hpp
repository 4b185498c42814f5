// Commit (PROTOCOL.md "Actions", commit): turns our lock on one key into a commit record at
// commit_ts, and the commit command, which validates a request and commits its keys. Committing
// the primary is a classic transaction's commit point. Pure functions over a snapshot reader and
// a write buffer, run by the shard leader's replica actor.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

struct commit_result {
  // Where the key's commit record sits: commit_ts as asked, or, for a duplicate, the recorded one.
  std::uint64_t commit_ts = 0;
  // The record was already there (a duplicate or reordered message); nothing was written.
  bool already_committed = false;
};

// Our lock present: requires commit_ts >= its min_commit_ts, for every kind of lock since readers
// may push it (else commit_ts_expired, carrying min_commit_ts: fetch a new commit_ts and retry);
// writes the commit record (moving a short value into it, with overlapped_rollback if another
// transaction's rollback sits at commit_ts) and deletes the lock. Lock absent: our commit record
// -> success with its commit_ts; our rollback -> txn_rolled_back; neither -> txn_lock_not_found
// (or txn_too_old at or below the GC safe point, where GC may have removed our record), and
// nothing is written.
// REQUIRES: 0 < start_ts < commit_ts.
txn_result<commit_result> commit(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                 std::string_view key, std::uint64_t start_ts,
                                 std::uint64_t commit_ts);

struct commit_request {
  std::uint64_t start_ts = 0;
  std::uint64_t commit_ts = 0;
  std::vector<std::string> keys;
};

// Validates the request and commits every key. All or nothing: the first failing key's error is
// returned and nothing is added to `batch`. Returns one commit_result per key, in order.
txn_result<std::vector<commit_result>> commit_command(storage::mvcc_reader& reader,
                                                      storage::mvcc_batch& batch,
                                                      const commit_request& request);

}  // namespace meridian::txn
