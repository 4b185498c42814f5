// Garbage collection below the safe point; see gc.hpp.
#include "txn/gc.hpp"

#include "common/time_text.hpp"
#include "storage/key_codec.hpp"
#include "txn/timestamp.hpp"

namespace meridian::txn {
namespace {

using storage::committed_version;
using storage::write_kind;

constexpr std::size_t ts_bytes = 8;

txn_error lock_not_resolved(std::string_view key, std::uint64_t safe_point,
                            storage::lock_record lock) {
  txn_error e(error(errc::lock_not_resolved,
                    "key '" + printable_key(key) + "' holds a lock of transaction " +
                        std::to_string(lock.start_ts) + " at or below the GC safe point " +
                        std::to_string(safe_point) + "; resolve it before collecting"));
  e.lock = storage::locked_key{std::string(key), std::move(lock)};
  return e;
}

result<std::string> decode_user_key(std::string_view encoded) {
  auto key = storage::codec::read_ordered_bytes(encoded);
  if (key.ok() && !encoded.empty()) {
    return error(errc::storage_corrupt, "a stored key has bytes after the user key");
  }
  return key;
}

}  // namespace

status check_read_ts(storage::mvcc_reader& reader, std::uint64_t read_ts) {
  auto safe_point = reader.gc_safe_point();
  if (!safe_point) return safe_point.err();
  if (read_ts < *safe_point) {
    // In times a person can compare with the AS OF SYSTEM TIME they asked for.
    auto when = [](std::uint64_t ts) {
      return format_timestamp(static_cast<std::int64_t>(physical_ms_of(ts)) * 1000) + " UTC";
    };
    return error(errc::snapshot_too_old,
                 "the snapshot at " + when(read_ts) + " is older than the GC safe point (" +
                     when(*safe_point) + "): versions older than it may be gone; read at a "
                     "later time (ts " + std::to_string(read_ts) + " < " +
                     std::to_string(*safe_point) + ")");
  }
  return ok_status();
}

status check_start_ts(storage::mvcc_reader& reader, std::string_view key,
                      std::uint64_t start_ts) {
  auto safe_point = reader.gc_safe_point();
  if (!safe_point) return safe_point.err();
  if (*safe_point > 0 && start_ts <= *safe_point) {
    return txn_too_old(key, start_ts, *safe_point).cause;
  }
  return ok_status();
}

status advance_gc_safe_point(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                             std::uint64_t safe_point) {
  auto current = reader.gc_safe_point();
  if (!current) return current.err();
  if (safe_point < *current) {
    return error(errc::invalid_argument, "the GC safe point cannot go back from " +
                                             std::to_string(*current) + " to " +
                                             std::to_string(safe_point));
  }
  batch.set_gc_safe_point(safe_point);
  return ok_status();
}

txn_result<gc_key_result> gc_key(storage::mvcc_reader& reader, storage::mvcc_batch& batch,
                                 std::string_view key, std::uint64_t safe_point) {
  MERIDIAN_ASSERT(safe_point > 0, "GC needs a safe point above 0");
  auto lock = reader.load_lock(key);
  if (!lock) return lock.err();
  if (lock->has_value() && (*lock)->start_ts <= safe_point) {
    return lock_not_resolved(key, safe_point, std::move(**lock));
  }
  gc_key_result out;
  MERIDIAN_TRY(reader.visit_writes(key, safe_point, 0, [&](const committed_version& v) {
    const auto& w = v.record;
    bool is_version = w.kind == write_kind::put || w.kind == write_kind::del;
    if (is_version && !out.kept_commit_ts) {
      out.kept_commit_ts = v.commit_ts;
      return true;
    }
    batch.delete_write(key, v.commit_ts);
    if (w.kind == write_kind::put && !w.short_value) batch.delete_data(key, w.start_ts);
    ++out.versions_removed;
    return true;
  }));
  return out;
}

result<std::vector<storage::locked_key>> scan_locks(storage::kv_snapshot& snapshot,
                                                    std::string_view start, std::string_view end,
                                                    std::uint64_t max_start_ts,
                                                    std::size_t limit) {
  std::vector<storage::locked_key> out;
  const std::string enc_end = end.empty() ? std::string() : storage::lock_key(end);
  auto cursor = snapshot.cursor(storage::cf::lock);
  if (!cursor) return cursor.err();
  MERIDIAN_TRY((*cursor)->seek(storage::lock_key(start)));
  while ((*cursor)->valid() && out.size() < limit) {
    std::string_view enc = (*cursor)->key();
    if (!enc_end.empty() && enc >= enc_end) break;
    auto lock = storage::decode_lock((*cursor)->value());
    if (!lock) return lock.err();
    if (lock->start_ts <= max_start_ts) {
      auto key = decode_user_key(enc);
      if (!key) return key.err();
      out.push_back(storage::locked_key{std::move(*key), std::move(*lock)});
    }
    MERIDIAN_TRY((*cursor)->next());
  }
  return out;
}

txn_result<gc_range_result> gc_range(storage::kv_snapshot& snapshot, storage::mvcc_batch& batch,
                                     std::string_view start, std::string_view end,
                                     std::uint64_t safe_point, std::size_t max_keys) {
  MERIDIAN_ASSERT(max_keys > 0, "gc_range needs room for one key");
  auto locks = scan_locks(snapshot, start, end, safe_point, 1);
  if (!locks) return locks.err();
  if (!locks->empty()) {
    auto& first = locks->front();
    return lock_not_resolved(first.key, safe_point, std::move(first.lock));
  }
  storage::mvcc_reader reader(snapshot);
  const std::string enc_end = end.empty() ? std::string() : storage::lock_key(end);
  auto cursor = snapshot.cursor(storage::cf::write);
  if (!cursor) return cursor.err();
  storage::kv_cursor& c = **cursor;
  gc_range_result out;
  MERIDIAN_TRY(c.seek(storage::lock_key(start)));
  while (c.valid()) {
    if (c.key().size() <= ts_bytes) {
      return error(errc::storage_corrupt, "a write key without a timestamp");
    }
    std::string enc(c.key().substr(0, c.key().size() - ts_bytes));
    if (!enc_end.empty() && enc >= enc_end) break;
    auto key = decode_user_key(enc);
    if (!key) return key.err();
    if (out.keys_visited == max_keys) {
      out.more = true;
      out.resume_key = std::move(*key);
      break;
    }
    auto collected = gc_key(reader, batch, *key, safe_point);
    if (!collected) return collected.err();
    ++out.keys_visited;
    out.versions_removed += collected->versions_removed;
    // Past every version of this key: encodings are prefix-free, so the next key sorts after.
    MERIDIAN_TRY(c.seek(enc + std::string(ts_bytes + 1, '\xff')));
  }
  return out;
}

}  // namespace meridian::txn
