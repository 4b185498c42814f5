// Validation shared by the transaction commands: a command checks its whole request before it
// touches a key, so a malformed message is refused with a clear error instead of half-applied.
// Pure functions, run on the replica actor's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace meridian::txn {

// Keys one command may carry. A command becomes one Raft entry; this bounds its size together
// with limits::max_value_bytes. (Belongs in common/limits.hpp with the other limits.)
inline constexpr std::size_t max_keys_per_command = 4096;

// The longest lock TTL a prewrite or a heartbeat may ask for. A transaction alive longer than
// this can no longer protect its locks from resolution; an hour bounds how long a crashed
// coordinator's locks can block readers. (Also for common/limits.hpp.)
inline constexpr std::uint64_t max_lock_ttl_ms = 3'600'000;

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
