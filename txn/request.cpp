// Request validation shared by the commands; see request.hpp.
#include "txn/request.hpp"

#include <set>
#include <string_view>

#include "storage/mvcc.hpp"
#include "txn/outcome.hpp"

namespace meridian::txn {

status validate_start_ts(std::uint64_t start_ts) {
  if (start_ts == 0) return error(errc::invalid_argument, "start_ts 0 is not a TSO timestamp");
  return ok_status();
}

status validate_commit_ts(std::uint64_t start_ts, std::uint64_t commit_ts) {
  if (commit_ts <= start_ts) {
    return error(errc::invalid_argument, "commit_ts " + std::to_string(commit_ts) +
                                             " is not above start_ts " +
                                             std::to_string(start_ts));
  }
  return ok_status();
}

status validate_keys(const std::vector<std::string>& keys) {
  if (keys.empty()) return error(errc::invalid_argument, "a command needs at least one key");
  if (keys.size() > max_keys_per_command) {
    return error(errc::limit_exceeded, "a command carries " + std::to_string(keys.size()) +
                                           " keys, more than the limit of " +
                                           std::to_string(max_keys_per_command));
  }
  std::set<std::string_view> seen;
  for (const auto& key : keys) {
    MERIDIAN_TRY(storage::check_key(key));
    if (!seen.insert(key).second) {
      return error(errc::invalid_argument,
                   "key '" + printable_key(key) + "' appears twice in one command");
    }
  }
  return ok_status();
}

status validate_ttl(std::uint64_t ttl_ms) {
  if (ttl_ms > max_lock_ttl_ms) {
    return error(errc::limit_exceeded, "a lock ttl of " + std::to_string(ttl_ms) +
                                           " ms exceeds the limit of " +
                                           std::to_string(max_lock_ttl_ms) + " ms");
  }
  return ok_status();
}

}  // namespace meridian::txn
