// check_secondary_lock and the async-commit decision; see check_secondary_lock.hpp.
#include "txn/check_secondary_lock.hpp"

#include <algorithm>

#include "txn/gc.hpp"
#include "txn/request.hpp"
#include "txn/rollback.hpp"
#include "txn/trace.hpp"

namespace meridian::txn {

using state = secondary_status::state;

txn_result<secondary_status> check_secondary_lock(storage::mvcc_reader& reader,
                                                  storage::mvcc_batch& batch,
                                                  std::string_view key, std::uint64_t start_ts) {
  MERIDIAN_ASSERT(start_ts > 0, "start_ts 0 is never issued");
  secondary_status out;
  auto lock = reader.load_lock(key);
  if (!lock) return lock.err();
  if (lock->has_value() && (*lock)->start_ts == start_ts) {
    out.outcome = state::locked;
    out.lock = std::move(**lock);
    return out;
  }
  auto trace = find_own_trace(reader, key, start_ts);
  if (!trace) return trace.err();
  switch (trace->outcome) {
    case own_trace::state::committed:
      out.outcome = state::committed;
      out.commit_ts = trace->commit_ts;
      return out;
    case own_trace::state::rolled_back:
      out.outcome = state::rolled_back;
      return out;
    case own_trace::state::none:
      break;
  }
  MERIDIAN_TRY(check_start_ts(reader, key, start_ts));
  // Never prewritten here (or the prewrite is still on its way): the transaction cannot have
  // committed, since async commit needs every prewrite to succeed; the record makes sure of it.
  MERIDIAN_TRY(write_rollback_record(reader, batch, key, start_ts));
  out.outcome = state::rolled_back;
  out.wrote_rollback = true;
  return out;
}

txn_result<std::vector<secondary_status>> check_secondary_locks_command(
    storage::mvcc_reader& reader, storage::mvcc_batch& batch,
    const check_secondary_locks_request& request) {
  MERIDIAN_TRY(validate_start_ts(request.start_ts));
  MERIDIAN_TRY(validate_keys(request.keys));
  storage::mvcc_batch writes;  // joins `batch` only if every key succeeds
  std::vector<secondary_status> out;
  out.reserve(request.keys.size());
  for (const auto& key : request.keys) {
    auto checked = check_secondary_lock(reader, writes, key, request.start_ts);
    if (!checked) return checked.err();
    out.push_back(std::move(*checked));
  }
  batch.kv().append(writes.kv());
  return out;
}

txn_result<txn_outcome> decide_async_commit(const std::vector<secondary_status>& statuses) {
  if (statuses.empty()) return invalid_request("deciding a transaction needs its keys' statuses");
  std::optional<std::uint64_t> committed_at;
  bool any_rolled_back = false;
  std::uint64_t max_min_commit_ts = 0;
  for (const auto& s : statuses) {
    switch (s.outcome) {
      case state::committed:
        if (committed_at && *committed_at != s.commit_ts) {
          return error(errc::internal, "one transaction committed at " +
                                           std::to_string(*committed_at) + " and at " +
                                           std::to_string(s.commit_ts));
        }
        committed_at = s.commit_ts;
        break;
      case state::rolled_back:
        any_rolled_back = true;
        break;
      case state::locked:
        MERIDIAN_ASSERT(s.lock.has_value(), "a locked status carries its lock");
        // A classic lock's min_commit_ts says nothing about its commit_ts: only its primary
        // decides it (check_txn_status).
        if (!s.lock->use_async_commit) {
          return invalid_request("transaction " + std::to_string(s.lock->start_ts) +
                                 " is not async commit: its primary decides it");
        }
        max_min_commit_ts = std::max(max_min_commit_ts, s.lock->min_commit_ts);
        break;
    }
  }
  if (committed_at && any_rolled_back) {
    return error(errc::internal, "one transaction both committed (at " +
                                     std::to_string(*committed_at) + ") and rolled back");
  }
  if (committed_at) return txn_outcome::committed_at(*committed_at);
  if (any_rolled_back) return txn_outcome::rolled_back();
  return txn_outcome::committed_at(max_min_commit_ts);
}

}  // namespace meridian::txn
