// check_txn_status; see check_txn_status.hpp.
#include "txn/check_txn_status.hpp"

#include <algorithm>
#include <limits>

#include "txn/gc.hpp"
#include "txn/request.hpp"
#include "txn/rollback.hpp"
#include "txn/timestamp.hpp"
#include "txn/trace.hpp"

namespace meridian::txn {
namespace {

using state = txn_status::state;
using action_taken = txn_status::action_taken;

// Our lock is on the primary.
txn_result<txn_status> status_of_lock(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                      const check_txn_status_request& request,
                                      storage::lock_record lock) {
  MERIDIAN_ASSERT(lock.start_ts == request.start_ts, "a lock's start_ts equals its transaction's");
  txn_status out;
  bool expired = ttl_expired(lock.start_ts, lock.ttl_ms, request.caller_ts);
  if (lock.use_async_commit) {
    out.outcome = state::check_secondaries;
    out.lock_expired = expired;
    out.lock = std::move(lock);
    return out;
  }
  if (expired) {
    MERIDIAN_TRY(rollback_lock(reader, batch, request.primary, lock));
    out.outcome = state::rolled_back;
    out.action = action_taken::rolled_back_expired_lock;
    return out;
  }
  // A reader at caller_ts may read past the lock once it can only commit above caller_ts; the
  // coordinator's commit then fails with commit_ts_expired and fetches a later one.
  bool can_push = request.caller_ts < std::numeric_limits<std::uint64_t>::max();
  if (request.push_min_commit_ts && can_push && lock.min_commit_ts <= request.caller_ts) {
    lock.min_commit_ts = request.caller_ts + 1;
    MERIDIAN_TRY(batch.put_lock(request.primary, lock));
    out.action = action_taken::pushed_min_commit_ts;
  }
  out.outcome = state::locked;
  out.lock = std::move(lock);
  return out;
}

}  // namespace

txn_result<txn_status> check_txn_status(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                        const check_txn_status_request& request) {
  MERIDIAN_ASSERT(request.start_ts > 0 && request.caller_ts > 0,
                  "check_txn_status needs TSO timestamps");
  const std::string& key = request.primary;
  auto lock = reader.load_lock(key);
  if (!lock) return lock.err();
  if (lock->has_value() && (*lock)->start_ts == request.start_ts) {
    if ((*lock)->primary != key) {
      return invalid_request("key '" + printable_key(key) + "' is not the primary of transaction " +
                             std::to_string(request.start_ts) + " (its primary is '" +
                             printable_key((*lock)->primary) + "')");
    }
    return status_of_lock(reader, batch, request, std::move(**lock));
  }
  auto trace = find_own_trace(reader, key, request.start_ts);
  if (!trace) return trace.err();
  txn_status out;
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
  MERIDIAN_TRY(check_start_ts(reader, key, request.start_ts));
  if (!ttl_expired(request.start_ts, request.met_lock_ttl_ms, request.caller_ts)) {
    out.outcome = state::not_yet_prewritten;
    return out;
  }
  // The coordinator died (or stalled past its TTL) before prewriting the primary: decide it
  // rolled back, and leave the record that makes its late prewrite fail.
  MERIDIAN_TRY(write_rollback_record(reader, batch, key, request.start_ts));
  out.outcome = state::rolled_back;
  out.action = action_taken::wrote_rollback_record;
  return out;
}

txn_result<txn_status> check_txn_status_command(storage::mvcc_reader& reader,
                                                storage::mvcc_batch& batch,
                                                const check_txn_status_request& request,
                                                std::uint64_t leader_clock_ms,
                                                std::uint64_t tso_window_ms) {
  MERIDIAN_TRY(validate_start_ts(request.start_ts));
  if (request.caller_ts == 0) return invalid_request("caller_ts 0 is not a TSO timestamp");
  MERIDIAN_TRY(validate_keys({request.primary}));
  MERIDIAN_TRY(check_not_ahead("caller_ts", request.caller_ts, leader_clock_ms, tso_window_ms));
  return check_txn_status(reader, batch, request);
}

}  // namespace meridian::txn
