// txn_heartbeat; see txn_heartbeat.hpp.
#include "txn/txn_heartbeat.hpp"

#include <string>

#include "txn/request.hpp"
#include "txn/trace.hpp"

namespace meridian::txn {

txn_result<heartbeat_result> txn_heartbeat(storage::mvcc_reader& reader,
                                           storage::mvcc_batch& batch, std::string_view primary,
                                           std::uint64_t start_ts, std::uint64_t advise_ttl_ms) {
  MERIDIAN_TRY(validate_start_ts(start_ts));
  MERIDIAN_TRY(validate_ttl(advise_ttl_ms));
  MERIDIAN_TRY(validate_keys({std::string(primary)}));
  auto lock = reader.load_lock(primary);
  if (!lock) return lock.err();
  if (lock->has_value() && (*lock)->start_ts == start_ts) {
    storage::lock_record& ours = **lock;
    if (ours.primary != primary) {
      return invalid_request("key '" + printable_key(primary) +
                             "' is not the primary of transaction " + std::to_string(start_ts));
    }
    if (advise_ttl_ms > ours.ttl_ms) {
      ours.ttl_ms = advise_ttl_ms;
      MERIDIAN_TRY(batch.put_lock(primary, ours));
    }
    return heartbeat_result{ours.ttl_ms};
  }
  auto trace = find_own_trace(reader, primary, start_ts);
  if (!trace) return trace.err();
  switch (trace->outcome) {
    case own_trace::state::committed:
      return already_committed(primary, start_ts, trace->commit_ts);
    case own_trace::state::rolled_back:
      return rolled_back(primary, start_ts);
    case own_trace::state::none:
      break;
  }
  return lock_not_found(primary, start_ts);
}

}  // namespace meridian::txn
