// Commit; see commit.hpp.
#include "txn/commit.hpp"

#include "txn/gc.hpp"
#include "txn/request.hpp"
#include "txn/trace.hpp"

namespace meridian::txn {

txn_result<commit_result> commit(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                 std::string_view key, std::uint64_t start_ts,
                                 std::uint64_t commit_ts) {
  MERIDIAN_ASSERT(start_ts > 0 && commit_ts > start_ts, "commit needs 0 < start_ts < commit_ts");
  auto lock = reader.load_lock(key);
  if (!lock) return lock.err();
  if (lock->has_value() && (*lock)->start_ts == start_ts) {
    const storage::lock_record& ours = **lock;
    if (commit_ts < ours.min_commit_ts) {
      return commit_ts_expired(key, start_ts, commit_ts, ours.min_commit_ts);
    }
    auto overlapped = commit_overlaps_rollback(reader, key, start_ts, commit_ts);
    if (!overlapped) return overlapped.err();
    storage::write_record record{write_kind_of(ours.kind), start_ts, *overlapped,
                                 ours.short_value};
    MERIDIAN_TRY(batch.put_write(key, commit_ts, record));
    batch.delete_lock(key);
    return commit_result{commit_ts, false};
  }
  auto trace = find_own_trace(reader, key, start_ts);
  if (!trace) return trace.err();
  switch (trace->outcome) {
    case own_trace::state::committed:
      return commit_result{trace->commit_ts, true};
    case own_trace::state::rolled_back:
      return rolled_back(key, start_ts);
    case own_trace::state::none:
      break;
  }
  MERIDIAN_TRY(check_start_ts(reader, key, start_ts));
  return lock_not_found(key, start_ts);
}

txn_result<std::vector<commit_result>> commit_command(storage::mvcc_reader& reader,
                                                      storage::mvcc_batch& batch,
                                                      const commit_request& request) {
  MERIDIAN_TRY(validate_start_ts(request.start_ts));
  MERIDIAN_TRY(validate_commit_ts(request.start_ts, request.commit_ts));
  MERIDIAN_TRY(validate_keys(request.keys));
  storage::mvcc_batch writes;  // joins `batch` only if every key succeeds
  std::vector<commit_result> out;
  out.reserve(request.keys.size());
  for (const auto& key : request.keys) {
    auto committed = commit(reader, writes, key, request.start_ts, request.commit_ts);
    if (!committed) return committed.err();
    out.push_back(*committed);
  }
  batch.kv().append(writes.kv());
  return out;
}

}  // namespace meridian::txn
