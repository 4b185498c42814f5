// resolve_lock; see resolve_lock.hpp.
#include "txn/resolve_lock.hpp"

#include "txn/commit.hpp"
#include "txn/request.hpp"
#include "txn/rollback.hpp"

namespace meridian::txn {

txn_result<resolve_result> resolve_lock(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                        std::string_view key, std::uint64_t start_ts,
                                        txn_outcome outcome) {
  if (!outcome.committed()) {
    auto done = rollback(reader, batch, key, start_ts);
    if (!done) return done.err();
    return resolve_result{done->already_rolled_back};
  }
  auto done = commit(reader, batch, key, start_ts, outcome.commit_ts);
  if (!done) return done.err();
  if (done->commit_ts != outcome.commit_ts) {
    // Both paths derive one commit_ts (PROTOCOL.md step 5); two of them is a broken transaction.
    return error(errc::internal, "key '" + printable_key(key) + "' of transaction " +
                                     std::to_string(start_ts) + " is committed at " +
                                     std::to_string(done->commit_ts) + ", not at " +
                                     std::to_string(outcome.commit_ts));
  }
  return resolve_result{done->already_committed};
}

txn_result<std::size_t> resolve_lock_command(storage::mvcc_reader& reader,
                                             storage::mvcc_batch& batch,
                                             const resolve_lock_request& request) {
  MERIDIAN_TRY(validate_start_ts(request.start_ts));
  if (request.outcome.committed()) {
    MERIDIAN_TRY(validate_commit_ts(request.start_ts, request.outcome.commit_ts));
  }
  MERIDIAN_TRY(validate_keys(request.keys));
  storage::mvcc_batch writes;  // joins `batch` only if every key succeeds
  std::size_t changed = 0;
  for (const auto& key : request.keys) {
    auto done = resolve_lock(reader, writes, key, request.start_ts, request.outcome);
    if (!done) return done.err();
    if (!done->already_resolved) ++changed;
  }
  batch.kv().append(writes.kv());
  return changed;
}

}  // namespace meridian::txn
