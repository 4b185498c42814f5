// check_secondary_lock (PROTOCOL.md "The commit path" step 5): deciding an async-commit
// transaction whose coordinator went quiet. One atomic action per key reports our lock and its
// min_commit_ts, or our commit, or, finding neither, rolls the key back in the same step so a
// prewrite still on its way fails; decide_async_commit then combines the answers of every key.
// Pure functions over a snapshot reader and a write buffer, run by each key's shard leader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

struct secondary_status {
  enum class state : std::uint8_t { locked, committed, rolled_back };
  state outcome = state::rolled_back;
  std::optional<storage::lock_record> lock;  // locked: our lock, with its min_commit_ts
  std::uint64_t commit_ts = 0;               // committed
  bool wrote_rollback = false;               // rolled_back by this call
};

// Our lock -> locked (it is left as it is); our commit record -> committed at its commit_ts; our
// rollback -> rolled_back; neither -> txn_too_old at or below the GC safe point, else a rollback
// record is written -> rolled_back.
// REQUIRES: start_ts > 0.
txn_result<secondary_status> check_secondary_lock(storage::mvcc_reader& reader,
                                                  storage::mvcc_batch& batch,
                                                  std::string_view key, std::uint64_t start_ts);

struct check_secondary_locks_request {
  std::uint64_t start_ts = 0;
  std::vector<std::string> keys;
};

// Validates the request and checks every key. All or nothing: the first failing key's error is
// returned and nothing is added to `batch`. One status per key, in order.
txn_result<std::vector<secondary_status>> check_secondary_locks_command(
    storage::mvcc_reader& reader, storage::mvcc_batch& batch,
    const check_secondary_locks_request& request);

// PROTOCOL.md step 5, over the statuses of every key of the transaction (the primary and all it
// lists): any committed -> committed at that commit_ts; any rolled back -> rolled back; all
// locked -> committed at the max of their min_commit_ts. Errors: invalid_argument for no
// statuses or a classic (not async-commit) lock among them; internal for statuses that contradict each other (committed and rolled back, or
// committed at two timestamps), which only a broken transaction leaves.
txn_result<txn_outcome> decide_async_commit(const std::vector<secondary_status>& statuses);

}  // namespace meridian::txn
