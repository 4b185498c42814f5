// Rollback; see rollback.hpp.
#include "txn/rollback.hpp"

#include "txn/gc.hpp"
#include "txn/request.hpp"
#include "txn/trace.hpp"

namespace meridian::txn {

using storage::write_kind;
using storage::write_record;

status write_rollback_record(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                             std::string_view key, std::uint64_t start_ts) {
  auto existing = write_at(reader, key, start_ts);
  if (!existing) return existing.err();
  if (!existing->has_value()) {
    return batch.put_write(key, start_ts, write_record{write_kind::rollback, start_ts, false, {}});
  }
  write_record record = std::move(**existing);
  MERIDIAN_ASSERT(record.kind == write_kind::rollback || record.start_ts != start_ts,
                  "a rollback of a transaction committed at its own start_ts");
  if (record.kind == write_kind::rollback || record.overlapped_rollback) return ok_status();
  // Another transaction committed at exactly our start_ts: its record stays (readers need it),
  // and the flag makes it stop our late prewrite as a rollback record would.
  record.overlapped_rollback = true;
  return batch.put_write(key, start_ts, record);
}

status rollback_lock(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                     std::string_view key, const storage::lock_record& lock) {
  batch.delete_lock(key);
  if (lock.kind == storage::mutation_kind::put && !lock.short_value) {
    batch.delete_data(key, lock.start_ts);
  }
  return write_rollback_record(reader, batch, key, lock.start_ts);
}

txn_result<rollback_result> rollback(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                     std::string_view key, std::uint64_t start_ts) {
  MERIDIAN_ASSERT(start_ts > 0, "start_ts 0 is never issued");
  auto lock = reader.load_lock(key);
  if (!lock) return lock.err();
  if (lock->has_value() && (*lock)->start_ts == start_ts) {
    MERIDIAN_TRY(rollback_lock(reader, batch, key, **lock));
    return rollback_result{false};
  }
  auto trace = find_own_trace(reader, key, start_ts);
  if (!trace) return trace.err();
  switch (trace->outcome) {
    case own_trace::state::committed:
      return already_committed(key, start_ts, trace->commit_ts);
    case own_trace::state::rolled_back:
      return rollback_result{true};
    case own_trace::state::none:
      break;
  }
  // Nothing of ours: GC may have removed our commit record, so below the safe point the answer
  // is unknown rather than "rolled back".
  MERIDIAN_TRY(check_start_ts(reader, key, start_ts));
  MERIDIAN_TRY(write_rollback_record(reader, batch, key, start_ts));
  return rollback_result{false};
}

txn_result<std::vector<rollback_result>> rollback_command(storage::mvcc_reader& reader,
                                                          storage::mvcc_batch& batch,
                                                          const rollback_request& request) {
  MERIDIAN_TRY(validate_start_ts(request.start_ts));
  MERIDIAN_TRY(validate_keys(request.keys));
  storage::mvcc_batch writes;  // joins `batch` only if every key succeeds
  std::vector<rollback_result> out;
  out.reserve(request.keys.size());
  for (const auto& key : request.keys) {
    auto done = rollback(reader, writes, key, request.start_ts);
    if (!done) return done.err();
    out.push_back(*done);
  }
  batch.kv().append(writes.kv());
  return out;
}

}  // namespace meridian::txn
