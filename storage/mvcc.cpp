// Percolator's column families over the engine; see mvcc.hpp.
#include "storage/mvcc.hpp"

#include <algorithm>

#include "common/byte_io.hpp"
#include "common/limits.hpp"
#include "storage/key_codec.hpp"

namespace meridian::storage {
namespace {

constexpr std::string_view applied_index_key = "applied_index";
constexpr std::string_view gc_safe_point_key = "gc_safe_point";
constexpr std::size_t ts_bytes = 8;

std::string encoded(std::string_view user_key) {
  std::string out;
  codec::append_ordered_bytes(out, user_key);
  return out;
}

// Is `stored` = encoded_key + 8 timestamp bytes? Encodings are prefix-free, so the prefix test
// alone cannot match another user key.
bool is_version_of(std::string_view stored, std::string_view encoded_key) {
  return stored.size() == encoded_key.size() + ts_bytes &&
         stored.substr(0, encoded_key.size()) == encoded_key;
}

std::string decode_user_key(std::string_view encoded_key) {
  auto user = codec::read_ordered_bytes(encoded_key);
  MERIDIAN_ASSERT(user.ok(), "stored key is not in the ordered encoding");
  return std::move(*user);
}

error corrupt(const char* what) {
  return error(errc::storage_corrupt, std::string("malformed ") + what + " record");
}

result<std::uint64_t> read_meta_u64(kv_snapshot& s, std::string_view key) {
  auto v = s.get(cf::meta, key);
  if (!v) return v.err();
  if (!v->has_value()) return std::uint64_t{0};
  if ((*v)->size() != 8) return corrupt("meta");
  return codec::decode_u64_be(**v);
}

void put_meta_u64(kv_write_batch& b, std::string_view key, std::uint64_t v) {
  std::string bytes;
  codec::append_u64_be(bytes, v);
  b.put(cf::meta, key, bytes);
}

}  // namespace

bool operator==(const lock_record& a, const lock_record& b) {
  return a.primary == b.primary && a.start_ts == b.start_ts && a.ttl_ms == b.ttl_ms &&
         a.kind == b.kind && a.min_commit_ts == b.min_commit_ts &&
         a.use_async_commit == b.use_async_commit && a.secondaries == b.secondaries &&
         a.short_value == b.short_value;
}

bool operator==(const write_record& a, const write_record& b) {
  return a.kind == b.kind && a.start_ts == b.start_ts &&
         a.overlapped_rollback == b.overlapped_rollback && a.short_value == b.short_value;
}

std::string encode_lock(const lock_record& lock) {
  std::string out;
  byte_writer w(out);
  w.u8(static_cast<std::uint8_t>(lock.kind));
  w.bytes(lock.primary);
  w.varint(lock.start_ts);
  w.varint(lock.ttl_ms);
  w.varint(lock.min_commit_ts);
  w.u8(static_cast<std::uint8_t>((lock.use_async_commit ? 1 : 0) |
                                 (lock.short_value ? 2 : 0)));
  if (lock.short_value) w.bytes(*lock.short_value);
  w.varint(lock.secondaries.size());
  for (const auto& s : lock.secondaries) w.bytes(s);
  return out;
}

result<lock_record> decode_lock(std::string_view bytes) {
  byte_reader r(bytes);
  lock_record lock;
  std::uint8_t kind = 0, flags = 0;
  std::uint64_t count = 0;
  if (!r.u8(kind) || kind < 1 || kind > 3 || !r.bytes(lock.primary) || !r.varint(lock.start_ts) ||
      !r.varint(lock.ttl_ms) || !r.varint(lock.min_commit_ts) || !r.u8(flags)) {
    return corrupt("lock");
  }
  lock.kind = static_cast<mutation_kind>(kind);
  lock.use_async_commit = (flags & 1) != 0;
  if ((flags & 2) != 0) {
    std::string v;
    if (!r.bytes(v)) return corrupt("lock");
    lock.short_value = std::move(v);
  }
  if (!r.varint(count) || count > limits::max_async_commit_keys) return corrupt("lock");
  lock.secondaries.resize(count);
  for (auto& s : lock.secondaries) {
    if (!r.bytes(s)) return corrupt("lock");
  }
  if (!r.done()) return corrupt("lock");
  return lock;
}

std::string encode_write(const write_record& w) {
  std::string out;
  byte_writer bw(out);
  bw.u8(static_cast<std::uint8_t>(w.kind));
  bw.varint(w.start_ts);
  bw.u8(static_cast<std::uint8_t>((w.overlapped_rollback ? 1 : 0) | (w.short_value ? 2 : 0)));
  if (w.short_value) bw.bytes(*w.short_value);
  return out;
}

result<write_record> decode_write(std::string_view bytes) {
  byte_reader r(bytes);
  write_record w;
  std::uint8_t kind = 0, flags = 0;
  if (!r.u8(kind) || kind < 1 || kind > 4 || !r.varint(w.start_ts) || !r.u8(flags)) {
    return corrupt("write");
  }
  w.kind = static_cast<write_kind>(kind);
  w.overlapped_rollback = (flags & 1) != 0;
  if ((flags & 2) != 0) {
    std::string v;
    if (!r.bytes(v)) return corrupt("write");
    w.short_value = std::move(v);
  }
  if (!r.done()) return corrupt("write");
  return w;
}

std::string lock_key(std::string_view user_key) { return encoded(user_key); }

std::string version_key(std::string_view user_key, std::uint64_t ts) {
  std::string out = encoded(user_key);
  codec::append_ts_desc(out, ts);
  return out;
}

bool lock_blocks_read(const lock_record& lock, std::uint64_t read_ts) {
  if (lock.kind == mutation_kind::lock_only) return false;
  // A lock with start_ts >= read_ts commits above read_ts (commit_ts > start_ts).
  if (lock.start_ts >= read_ts) return false;
  return lock.min_commit_ts <= read_ts;
}

status check_key(std::string_view key) {
  if (key.size() > limits::max_key_bytes) {
    return error(errc::key_too_large, "a key of " + std::to_string(key.size()) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(limits::max_key_bytes) + " bytes");
  }
  return ok_status();
}

status check_value(std::string_view value) {
  if (value.size() > limits::max_value_bytes) {
    return error(errc::value_too_large, "a value of " + std::to_string(value.size()) +
                                            " bytes exceeds the limit of " +
                                            std::to_string(limits::max_value_bytes) + " bytes");
  }
  return ok_status();
}

// ---- reader ------------------------------------------------------------------------------

result<std::optional<lock_record>> mvcc_reader::load_lock(std::string_view key) {
  auto raw = snapshot_.get(cf::lock, lock_key(key));
  if (!raw) return raw.err();
  if (!raw->has_value()) return std::optional<lock_record>{};
  auto lock = decode_lock(**raw);
  if (!lock) return lock.err();
  return std::optional<lock_record>{std::move(*lock)};
}

result<std::optional<committed_version>> mvcc_reader::seek_write(std::string_view key,
                                                                 std::uint64_t ts) {
  std::optional<committed_version> found;
  MERIDIAN_TRY(visit_writes(key, ts, 0, [&](const committed_version& v) {
    found = v;
    return false;
  }));
  return found;
}

status mvcc_reader::visit_writes(std::string_view key, std::uint64_t max_ts, std::uint64_t min_ts,
                                 const std::function<bool(const committed_version&)>& visit) {
  auto c = snapshot_.cursor(cf::write);
  if (!c) return c.err();
  std::string enc = encoded(key);
  MERIDIAN_TRY((*c)->seek(version_key(key, max_ts)));
  while ((*c)->valid() && is_version_of((*c)->key(), enc)) {
    std::uint64_t commit_ts = codec::decode_ts_desc((*c)->key().substr(enc.size()));
    if (commit_ts < min_ts) break;
    auto w = decode_write((*c)->value());
    if (!w) return w.err();
    if (!visit(committed_version{commit_ts, std::move(*w)})) break;
    MERIDIAN_TRY((*c)->next());
  }
  return ok_status();
}

result<std::optional<std::string>> mvcc_reader::load_data(std::string_view key,
                                                          std::uint64_t start_ts) {
  auto raw = snapshot_.get(cf::data, version_key(key, start_ts));
  if (!raw) return raw.err();
  if (!raw->has_value()) return std::optional<std::string>{};
  return std::optional<std::string>{std::string(**raw)};
}

result<std::string> mvcc_reader::value_of(std::string_view key, const write_record& w) {
  if (w.short_value) return *w.short_value;
  auto data = load_data(key, w.start_ts);
  if (!data) return data.err();
  if (!data->has_value()) {
    return error(errc::storage_corrupt, "a committed write record has no data (start_ts " +
                                            std::to_string(w.start_ts) + ")");
  }
  return std::move(**data);
}

result<std::optional<committed_version>> mvcc_reader::visible_version(
    kv_cursor& writes, std::string_view encoded_key, std::uint64_t read_ts) {
  std::string seek_key(encoded_key);
  codec::append_ts_desc(seek_key, read_ts);
  MERIDIAN_TRY(writes.seek(seek_key));
  while (writes.valid() && is_version_of(writes.key(), encoded_key)) {
    auto w = decode_write(writes.value());
    if (!w) return w.err();
    if (w->kind == write_kind::put || w->kind == write_kind::del) {
      std::uint64_t commit_ts = codec::decode_ts_desc(writes.key().substr(encoded_key.size()));
      return std::optional<committed_version>{committed_version{commit_ts, std::move(*w)}};
    }
    MERIDIAN_TRY(writes.next());
  }
  return std::optional<committed_version>{};
}

result<std::optional<locked_key>> mvcc_reader::blocking_lock(std::string_view key,
                                                             std::string_view raw_lock,
                                                             const read_options& options) {
  auto lock = decode_lock(raw_lock);
  if (!lock) return lock.err();
  bool bypassed = std::find(options.bypass_locks.begin(), options.bypass_locks.end(),
                            lock->start_ts) != options.bypass_locks.end();
  if (bypassed || !lock_blocks_read(*lock, options.read_ts)) {
    return std::optional<locked_key>{};
  }
  return std::optional<locked_key>{locked_key{std::string(key), std::move(*lock)}};
}

result<read_result> mvcc_reader::get(std::string_view key, const read_options& options) {
  read_result out;
  std::string enc = encoded(key);
  auto raw_lock = snapshot_.get(cf::lock, enc);
  if (!raw_lock) return raw_lock.err();
  if (raw_lock->has_value()) {
    auto blocked = blocking_lock(key, **raw_lock, options);
    if (!blocked) return blocked.err();
    if (blocked->has_value()) {
      out.outcome = read_result::state::locked;
      out.lock = std::move(*blocked);
      return out;
    }
  }
  auto c = snapshot_.cursor(cf::write);
  if (!c) return c.err();
  auto version = visible_version(**c, enc, options.read_ts);
  if (!version) return version.err();
  if (!version->has_value() || (*version)->record.kind == write_kind::del) return out;
  auto value = value_of(key, (*version)->record);
  if (!value) return value.err();
  out.outcome = read_result::state::value;
  out.value = std::move(*value);
  return out;
}

status mvcc_reader::scan_one(kv_cursor& writes, std::string_view encoded_key,
                             const read_options& options, scan_result& out) {
  auto version = visible_version(writes, encoded_key, options.read_ts);
  if (!version) return version.err();
  if (!version->has_value() || (*version)->record.kind == write_kind::del) return ok_status();
  std::string key = decode_user_key(encoded_key);
  auto value = value_of(key, (*version)->record);
  if (!value) return value.err();
  out.rows.emplace_back(std::move(key), std::move(*value));
  return ok_status();
}

result<scan_result> mvcc_reader::scan(std::string_view start, std::string_view end,
                                      const read_options& options, std::size_t limit,
                                      bool reverse) {
  scan_result out;
  if (limit == 0) {
    out.more = true;
    out.resume_key = reverse ? std::string(end) : std::string(start);
    return out;
  }
  const std::string enc_start = encoded(start);
  const std::string enc_end = end.empty() ? std::string() : encoded(end);
  auto locks = snapshot_.cursor(cf::lock);
  if (!locks) return locks.err();
  auto nav = snapshot_.cursor(cf::write);  // walks user keys
  if (!nav) return nav.err();
  auto versions = snapshot_.cursor(cf::write);  // finds one key's visible version
  if (!versions) return versions.err();
  kv_cursor& lc = **locks;
  kv_cursor& wc = **nav;

  auto in_range = [&](std::string_view enc) {
    return enc >= enc_start && (enc_end.empty() || enc < enc_end);
  };
  if (reverse) {
    if (enc_end.empty()) {
      MERIDIAN_TRY(lc.last());
      MERIDIAN_TRY(wc.last());
    } else {
      MERIDIAN_TRY(lc.seek_for_prev(enc_end));
      if (lc.valid() && lc.key() == enc_end) MERIDIAN_TRY(lc.prev());
      MERIDIAN_TRY(wc.seek_for_prev(enc_end));
    }
  } else {
    MERIDIAN_TRY(lc.seek(enc_start));
    MERIDIAN_TRY(wc.seek(enc_start));
  }

  while (out.rows.size() < limit) {
    std::optional<std::string> lk, wk;
    if (lc.valid() && in_range(lc.key())) lk = std::string(lc.key());
    if (wc.valid() && wc.key().size() > ts_bytes) {
      std::string_view user_part = wc.key().substr(0, wc.key().size() - ts_bytes);
      if (in_range(user_part)) wk = std::string(user_part);
    }
    if (!lk && !wk) return out;
    std::string current;
    if (lk && wk) {
      current = reverse ? std::max(*lk, *wk) : std::min(*lk, *wk);
    } else {
      current = lk ? *lk : *wk;
    }
    if (lk && *lk == current) {
      std::string key = decode_user_key(current);
      auto blocked = blocking_lock(key, lc.value(), options);
      if (!blocked) return blocked.err();
      if (blocked->has_value()) {
        out.blocked = std::move(*blocked);
        out.more = true;
        out.resume_key = reverse ? key + '\0' : key;
        return out;
      }
      MERIDIAN_TRY(reverse ? lc.prev() : lc.next());
    }
    if (wk && *wk == current) {
      MERIDIAN_TRY(scan_one(**versions, current, options, out));
      if (reverse) {
        MERIDIAN_TRY(wc.seek_for_prev(current));  // all of current's versions sort after it
      } else {
        MERIDIAN_TRY(wc.seek(current + std::string(ts_bytes + 1, '\xff')));
      }
    }
  }
  out.more = true;
  out.resume_key = reverse ? out.rows.back().first : out.rows.back().first + '\0';
  return out;
}

result<std::uint64_t> mvcc_reader::applied_index() {
  return read_meta_u64(snapshot_, applied_index_key);
}

result<std::uint64_t> mvcc_reader::gc_safe_point() {
  return read_meta_u64(snapshot_, gc_safe_point_key);
}

// ---- batch -------------------------------------------------------------------------------

status mvcc_batch::put_lock(std::string_view key, const lock_record& lock) {
  MERIDIAN_TRY(check_key(key));
  if (lock.short_value) MERIDIAN_TRY(check_value(*lock.short_value));
  batch_.put(cf::lock, lock_key(key), encode_lock(lock));
  return ok_status();
}

void mvcc_batch::delete_lock(std::string_view key) { batch_.del(cf::lock, lock_key(key)); }

status mvcc_batch::put_data(std::string_view key, std::uint64_t start_ts, std::string_view value) {
  MERIDIAN_TRY(check_key(key));
  MERIDIAN_TRY(check_value(value));
  batch_.put(cf::data, version_key(key, start_ts), value);
  return ok_status();
}

void mvcc_batch::delete_data(std::string_view key, std::uint64_t start_ts) {
  batch_.del(cf::data, version_key(key, start_ts));
}

status mvcc_batch::put_write(std::string_view key, std::uint64_t commit_ts,
                             const write_record& w) {
  MERIDIAN_TRY(check_key(key));
  if (w.short_value) MERIDIAN_TRY(check_value(*w.short_value));
  batch_.put(cf::write, version_key(key, commit_ts), encode_write(w));
  return ok_status();
}

void mvcc_batch::delete_write(std::string_view key, std::uint64_t commit_ts) {
  batch_.del(cf::write, version_key(key, commit_ts));
}

void put_applied_index(kv_write_batch& batch, std::uint64_t index) {
  put_meta_u64(batch, applied_index_key, index);
}

void mvcc_batch::set_applied_index(std::uint64_t index) { put_applied_index(batch_, index); }

void mvcc_batch::set_gc_safe_point(std::uint64_t ts) {
  put_meta_u64(batch_, gc_safe_point_key, ts);
}

}  // namespace meridian::storage
