// One-phase commit (PROTOCOL.md "The commit path" step 2): when all of a transaction's keys live
// in one shard, the shard checks the prewrite conditions and writes the commit records directly,
// at commit_ts = max(start_ts + 1, max_ts + 1), in one Raft command; no lock is left behind.
// Pure functions over a snapshot reader and a write buffer, run by the shard leader's replica
// actor under the command's memory locks.
#pragma once

#include <cstdint>

#include "storage/mvcc.hpp"
#include "txn/concurrency_manager.hpp"
#include "txn/outcome.hpp"
#include "txn/prewrite.hpp"

namespace meridian::txn {

struct one_pc_result {
  std::uint64_t commit_ts = 0;
  // The transaction's commit record was already there (a duplicate), at commit_ts.
  bool already_committed = false;
};

// One key: the prewrite checks (check_prewrite), then the commit record at commit_ts (a long
// value in `data`, overlapped_rollback if another transaction's rollback sits at commit_ts).
// Our commit record already there -> already_committed at its commit_ts. Our two-phase lock
// there -> invalid_argument (one transaction never mixes the two modes).
// REQUIRES: 0 < txn.start_ts < commit_ts.
txn_result<one_pc_result> one_pc(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                 const prewrite_params& txn, const mutation& m,
                                 std::uint64_t commit_ts);

// Validates the request (as a classic prewrite: no async commit, no secondaries), reads max_ts
// from the memory locks (not_ready while uninitialised), derives commit_ts, publishes each key's
// memory lock with that commit_ts as its min_commit_ts, and commits every key. All or nothing:
// the first failing key's error is returned and nothing is added to `batch`. A duplicate answers
// already_committed with the recorded commit_ts.
// REQUIRES: `memory` holds exactly the request's keys for txn.start_ts.
txn_result<one_pc_result> one_pc_command(storage::mvcc_reader& reader,
                                         storage::mvcc_batch& batch,
                                         const prewrite_request& request, memory_locks& memory);

}  // namespace meridian::txn
