// One-phase commit; see one_pc.hpp.
#include "txn/one_pc.hpp"

#include <algorithm>
#include <optional>

#include "common/limits.hpp"
#include "txn/trace.hpp"

namespace meridian::txn {

txn_result<one_pc_result> one_pc(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                 const prewrite_params& txn, const mutation& m,
                                 std::uint64_t commit_ts) {
  MERIDIAN_ASSERT(txn.start_ts > 0 && commit_ts > txn.start_ts,
                  "one-phase commit needs 0 < start_ts < commit_ts");
  auto check = check_prewrite(reader, m.key, txn.start_ts);
  if (!check) return check.err();
  switch (check->outcome) {
    case prewrite_check::state::our_lock:
      return invalid_request("key '" + printable_key(m.key) + "' holds a two-phase lock of " +
                             "transaction " + std::to_string(txn.start_ts) +
                             ", which now asks for a one-phase commit");
    case prewrite_check::state::committed:
      return one_pc_result{check->commit_ts, true};
    case prewrite_check::state::clear:
      break;
  }
  auto overlapped = commit_overlaps_rollback(reader, m.key, txn.start_ts, commit_ts);
  if (!overlapped) return overlapped.err();
  storage::write_record record{write_kind_of(m.kind), txn.start_ts, *overlapped, std::nullopt};
  if (m.kind == storage::mutation_kind::put) {
    if (m.value.size() <= limits::short_value_bytes) {
      record.short_value = m.value;
    } else {
      MERIDIAN_TRY(batch.put_data(m.key, txn.start_ts, m.value));
    }
  }
  MERIDIAN_TRY(batch.put_write(m.key, commit_ts, record));
  return one_pc_result{commit_ts, false};
}

txn_result<one_pc_result> one_pc_command(storage::mvcc_reader& reader,
                                         storage::mvcc_batch& batch,
                                         const prewrite_request& request, memory_locks& memory) {
  MERIDIAN_TRY(validate_prewrite(request));
  const prewrite_params& txn = request.txn;
  if (txn.use_async_commit) return invalid_request("a one-phase commit is not async commit");
  MERIDIAN_ASSERT(memory.start_ts() == txn.start_ts &&
                      memory.keys().size() == request.mutations.size(),
                  "a one-phase commit holds a memory lock on each of its keys");
  auto max_ts = memory.max_ts();  // after the memory locks were inserted
  if (!max_ts) return max_ts.err();
  const std::uint64_t commit_ts = std::max(txn.start_ts + 1, *max_ts + 1);
  storage::mvcc_batch writes;  // joins `batch` only if every key succeeds
  std::optional<one_pc_result> duplicate;
  std::size_t fresh = 0;
  for (const auto& m : request.mutations) {
    auto key = one_pc(reader, writes, txn, m, commit_ts);
    if (!key) return key.err();
    if (!key->already_committed) {
      ++fresh;
    } else if (duplicate && duplicate->commit_ts != key->commit_ts) {
      return error(errc::internal, "one-phase transaction " + std::to_string(txn.start_ts) +
                                       " is committed at two timestamps");
    } else {
      duplicate = *key;
    }
  }
  if (duplicate && fresh > 0) {
    return error(errc::internal, "one-phase transaction " + std::to_string(txn.start_ts) +
                                     " is committed on some of its keys only");
  }
  if (duplicate) return *duplicate;
  // Readers skip or wait on these as on async-commit locks: the commit_ts is derived, and it is
  // the only timestamp the keys can commit at.
  for (const auto& m : request.mutations) {
    storage::lock_record lock = lock_for(txn, m, commit_ts);
    lock.use_async_commit = true;
    memory.publish(m.key, lock);
  }
  batch.kv().append(writes.kv());
  return one_pc_result{commit_ts, false};
}

}  // namespace meridian::txn
