// Validation shared by the transaction commands: a command checks its whole request before it
// touches a key, so a malformed message is refused with a clear error instead of half-applied.
// Pure functions, run on the replica actor's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/limits.hpp"
#include "common/result.hpp"

namespace meridian::txn {

using limits::max_keys_per_command;
using limits::max_lock_ttl_ms;

// start_ts 0 is never issued by the TSO.
status validate_start_ts(std::uint64_t start_ts);
// A commit_ts is always above its start_ts (PROTOCOL.md: commit_ts > start_ts on every path).
status validate_commit_ts(std::uint64_t start_ts, std::uint64_t commit_ts);
// 1..max_keys_per_command keys, each within limits::max_key_bytes, none twice. Duplicates are
// refused because every action of a command reads the same snapshot: a second action on one
// key would not see the first one's writes.
status validate_keys(const std::vector<std::string>& keys);
// ttl_ms within max_lock_ttl_ms.
status validate_ttl(std::uint64_t ttl_ms);

}  // namespace meridian::txn
