// txn_heartbeat (PROTOCOL.md "Timestamps": "a long transaction's coordinator sends heartbeats
// that extend its primary lock's TTL"), so that resolvers do not roll back a transaction that is
// still working. Pure function over a snapshot reader and a write buffer, run by the primary's
// shard leader.
#pragma once

#include <cstdint>
#include <string_view>

#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

struct heartbeat_result {
  std::uint64_t ttl_ms = 0;  // the primary lock's TTL after the heartbeat
};

// Our lock on the primary: its ttl_ms becomes max(ttl_ms, advise_ttl_ms), never shorter (a
// heartbeat that arrives late or out of order must not shorten what a later one extended). Lock
// absent: our commit record -> txn_already_committed; our rollback -> txn_rolled_back; neither
// -> txn_lock_not_found. Errors: invalid_argument if primary is not our lock's primary;
// limit_exceeded above max_lock_ttl_ms; invalid_argument for start_ts 0 or a key over limits.
txn_result<heartbeat_result> txn_heartbeat(storage::mvcc_reader& reader,
                                           storage::mvcc_batch& batch, std::string_view primary,
                                           std::uint64_t start_ts, std::uint64_t advise_ttl_ms);

}  // namespace meridian::txn
