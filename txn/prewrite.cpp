// Prewrite; see prewrite.hpp.
#include "txn/prewrite.hpp"

#include <algorithm>

#include "common/limits.hpp"
#include "txn/gc.hpp"
#include "txn/request.hpp"
#include "txn/trace.hpp"

namespace meridian::txn {

using storage::lock_record;
using storage::mutation_kind;

txn_result<prewrite_check> check_prewrite(storage::mvcc_reader& reader, std::string_view key,
                                          std::uint64_t start_ts) {
  prewrite_check out;
  auto lock = reader.load_lock(key);
  if (!lock) return lock.err();
  if (lock->has_value() && (*lock)->start_ts == start_ts) {
    out.outcome = prewrite_check::state::our_lock;
    out.lock = std::move(**lock);
    return out;
  }
  auto trace = find_own_trace(reader, key, start_ts);
  if (!trace) return trace.err();
  if (trace->outcome == own_trace::state::committed) {
    out.outcome = prewrite_check::state::committed;
    out.commit_ts = trace->commit_ts;
    return out;
  }
  if (trace->outcome == own_trace::state::rolled_back) return rolled_back(key, start_ts);
  if (trace->newer_foreign) {
    const auto& newer = *trace->newer_foreign;
    return write_conflict(key, start_ts, newer.record.start_ts, newer.commit_ts);
  }
  if (lock->has_value()) return key_locked(key, start_ts, std::move(**lock));
  // Last, as PROTOCOL.md orders it: a duplicate of an old transaction is still recognised above,
  // and GC may have removed the rollback record that would have stopped this prewrite.
  MERIDIAN_TRY(check_start_ts(reader, key, start_ts));
  return out;
}

lock_record lock_for(const prewrite_params& txn, const mutation& m,
                     std::uint64_t min_commit_ts) {
  lock_record lock;
  lock.primary = txn.primary;
  lock.start_ts = txn.start_ts;
  lock.ttl_ms = txn.ttl_ms;
  lock.kind = m.kind;
  lock.min_commit_ts = min_commit_ts;
  lock.use_async_commit = txn.use_async_commit;
  if (txn.use_async_commit && m.key == txn.primary) lock.secondaries = txn.secondaries;
  if (m.kind == mutation_kind::put && m.value.size() <= limits::short_value_bytes) {
    lock.short_value = m.value;
  }
  return lock;
}

txn_result<prewrite_result> prewrite(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                     const prewrite_params& txn, const mutation& m,
                                     std::optional<std::uint64_t> max_ts) {
  MERIDIAN_ASSERT(txn.use_async_commit == max_ts.has_value(),
                  "max_ts is passed exactly for async-commit prewrites");
  auto check = check_prewrite(reader, m.key, txn.start_ts);
  if (!check) return check.err();
  prewrite_result out;
  switch (check->outcome) {
    case prewrite_check::state::our_lock:
      MERIDIAN_ASSERT(check->lock->start_ts == txn.start_ts,
                      "a lock's start_ts equals its transaction's");
      out.min_commit_ts = check->lock->min_commit_ts;
      return out;
    case prewrite_check::state::committed:
      out.already_committed_at = check->commit_ts;
      return out;
    case prewrite_check::state::clear:
      break;
  }
  // Async commit derives its commit_ts from the locks' min_commit_ts, so each must exceed every
  // read this leader has served (max_ts): a later commit below such a read would change it.
  out.min_commit_ts = txn.start_ts + 1;
  if (max_ts) out.min_commit_ts = std::max(out.min_commit_ts, *max_ts + 1);
  lock_record lock = lock_for(txn, m, out.min_commit_ts);
  if (m.kind == mutation_kind::put && !lock.short_value) {
    MERIDIAN_TRY(batch.put_data(m.key, txn.start_ts, m.value));
  }
  MERIDIAN_TRY(batch.put_lock(m.key, lock));
  return out;
}

status validate_prewrite(const prewrite_request& request) {
  const prewrite_params& txn = request.txn;
  MERIDIAN_TRY(validate_start_ts(txn.start_ts));
  MERIDIAN_TRY(validate_ttl(txn.ttl_ms));
  if (txn.primary.empty()) return error(errc::invalid_argument, "a prewrite needs a primary");
  MERIDIAN_TRY(storage::check_key(txn.primary));
  std::vector<std::string> keys;
  keys.reserve(request.mutations.size());
  for (const auto& m : request.mutations) {
    bool known_kind = m.kind == mutation_kind::put || m.kind == mutation_kind::del ||
                      m.kind == mutation_kind::lock_only;
    if (!known_kind) return invalid_request("unknown mutation kind");
    if (m.kind != mutation_kind::put && !m.value.empty()) {
      return invalid_request("a delete or lock_only mutation of '" + printable_key(m.key) +
                             "' carries a value");
    }
    MERIDIAN_TRY(storage::check_value(m.value));
    keys.push_back(m.key);
  }
  MERIDIAN_TRY(validate_keys(keys));
  if (!txn.use_async_commit && !txn.secondaries.empty()) {
    return invalid_request("secondaries are listed only under async commit");
  }
  if (txn.secondaries.size() > limits::max_async_commit_keys) {
    return error(errc::limit_exceeded,
                 "async commit lists " + std::to_string(txn.secondaries.size()) +
                     " secondaries, more than the limit of " +
                     std::to_string(limits::max_async_commit_keys));
  }
  for (const auto& secondary : txn.secondaries) MERIDIAN_TRY(storage::check_key(secondary));
  if (std::find(txn.secondaries.begin(), txn.secondaries.end(), txn.primary) !=
      txn.secondaries.end()) {
    return invalid_request("the primary is listed among its own secondaries");
  }
  return ok_status();
}

txn_result<prewrite_response> prewrite_command(storage::mvcc_reader& reader,
                                               storage::mvcc_batch& batch,
                                               const prewrite_request& request,
                                               memory_locks* memory) {
  MERIDIAN_TRY(validate_prewrite(request));
  const prewrite_params& txn = request.txn;
  std::optional<std::uint64_t> max_ts;
  if (txn.use_async_commit) {
    MERIDIAN_ASSERT(memory != nullptr && memory->start_ts() == txn.start_ts &&
                        memory->keys().size() == request.mutations.size(),
                    "an async-commit prewrite holds a memory lock on each of its keys");
    auto current = memory->max_ts();  // after the memory locks were inserted
    if (!current) return current.err();
    max_ts = *current;
  }
  storage::mvcc_batch writes;  // joins `batch` only if every key succeeds
  prewrite_response out;
  for (const auto& m : request.mutations) {
    auto key = prewrite(reader, writes, txn, m, max_ts);
    if (!key) return key.err();
    if (!key->already_committed_at) {
      out.min_commit_ts = std::max(out.min_commit_ts, key->min_commit_ts);
      if (txn.use_async_commit) memory->publish(m.key, lock_for(txn, m, key->min_commit_ts));
    }
    out.keys.push_back(*key);
  }
  batch.kv().append(writes.kv());
  return out;
}

}  // namespace meridian::txn
