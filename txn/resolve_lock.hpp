// resolve_lock (PROTOCOL.md "Actions" and "Lock resolution"): once a transaction's outcome is
// known from its primary (or from its secondaries, under async commit), applies it to one of its
// keys: commit the lock forward at the commit_ts, or roll it back. The command resolves many
// keys of one transaction. Pure functions over a snapshot reader and a write buffer, run by the
// shard leader's replica actor.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

struct resolve_result {
  // The key already carried the outcome (a duplicate, or another resolver was first).
  bool already_resolved = false;
};

// committed_at(c): commit (commit.hpp) at c; rolled_back: rollback (rollback.hpp). The key's own
// traces answer a duplicate. An outcome that contradicts the key (a committed key told to roll
// back: txn_already_committed; a rolled-back key told to commit: txn_rolled_back; committed at
// another commit_ts: internal) is an error, never applied.
// REQUIRES: start_ts > 0; a committed outcome has commit_ts > start_ts.
txn_result<resolve_result> resolve_lock(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                        std::string_view key, std::uint64_t start_ts,
                                        txn_outcome outcome);

struct resolve_lock_request {
  std::uint64_t start_ts = 0;
  txn_outcome outcome;
  std::vector<std::string> keys;
};

// Validates the request and resolves every key. All or nothing: the first failing key's error is
// returned and nothing is added to `batch`. Returns the number of keys changed.
txn_result<std::size_t> resolve_lock_command(storage::mvcc_reader& reader,
                                             storage::mvcc_batch& batch,
                                             const resolve_lock_request& request);

}  // namespace meridian::txn
