// The answers of the shard protocol; see shard_protocol.hpp. Every answer starts with a status
// byte (0 ok, 1 txn_error); payloads are varints and length-prefixed bytes, checked on decode.
#include "actors/shard_wire.hpp"

namespace meridian::actors {
namespace wire {

void write_lock(writer& w, const std::optional<storage::lock_record>& lock) {
  w.flag(lock.has_value());
  if (lock) w.str(storage::encode_lock(*lock));
}

std::optional<storage::lock_record> read_lock(reader& r) {
  if (!r.flag()) return std::nullopt;
  auto lock = storage::decode_lock(r.str());
  if (!lock) {
    r.ok = false;
    return std::nullopt;
  }
  return std::move(*lock);
}

void write_locked_key(writer& w, const storage::locked_key& k) {
  w.str(k.key);
  w.str(storage::encode_lock(k.lock));
}

std::optional<storage::locked_key> read_locked_key(reader& r) {
  storage::locked_key k;
  k.key = r.str();
  auto lock = storage::decode_lock(r.str());
  if (!lock) {
    r.ok = false;
    return std::nullopt;
  }
  k.lock = std::move(*lock);
  return k;
}

}  // namespace wire

using wire::malformed;
using wire::reader;
using wire::writer;

// ---- answers ----------------------------------------------------------------------------------

std::string ok_answer(std::string_view payload) {
  std::string out(1, '\0');
  out.append(payload);
  return out;
}

std::string encode_error(const txn::txn_error& e) {
  writer w;
  w.u8(1);
  w.u64(e.cause.number());
  w.str(e.cause.message());
  w.flag(e.lock.has_value());
  if (e.lock) wire::write_locked_key(w, *e.lock);
  w.u64(e.conflict_start_ts);
  w.u64(e.conflict_commit_ts);
  w.u64(e.min_commit_ts);
  w.u64(e.commit_ts);
  return std::move(w.out);
}

txn::txn_result<std::string> decode_answer(std::string_view bytes) {
  if (bytes.empty()) return error(malformed("answer"));
  if (bytes[0] == '\0') return std::string(bytes.substr(1));
  reader r(bytes.substr(1));
  auto code = static_cast<errc>(r.u64());
  std::string message = r.str();
  txn::txn_error e(error(code, std::move(message)));
  if (r.flag()) {
    auto lk = wire::read_locked_key(r);
    if (!lk) return error(malformed("answer"));
    e.lock = std::move(*lk);
  }
  e.conflict_start_ts = r.u64();
  e.conflict_commit_ts = r.u64();
  e.min_commit_ts = r.u64();
  e.commit_ts = r.u64();
  if (!r.done()) return error(malformed("answer"));
  return e;
}

std::string encode_prewrite_answer(const txn::prewrite_response& p) {
  writer w;
  w.u64(p.min_commit_ts);
  w.u64(p.keys.size());
  for (const auto& k : p.keys) {
    w.u64(k.min_commit_ts);
    w.flag(k.already_committed_at.has_value());
    w.u64(k.already_committed_at.value_or(0));
  }
  return std::move(w.out);
}

result<txn::prewrite_response> decode_prewrite_answer(std::string_view payload) {
  reader r(payload);
  txn::prewrite_response p;
  p.min_commit_ts = r.u64();
  std::uint64_t n = r.u64();
  if (!r.ok || n > limits::max_keys_per_command) return malformed("prewrite answer");
  for (std::uint64_t i = 0; i < n && r.ok; ++i) {
    txn::prewrite_result k;
    k.min_commit_ts = r.u64();
    bool committed = r.flag();
    std::uint64_t at = r.u64();
    if (committed) k.already_committed_at = at;
    p.keys.push_back(k);
  }
  if (!r.done()) return malformed("prewrite answer");
  return p;
}

std::string encode_u64(std::uint64_t v) {
  writer w;
  w.u64(v);
  return std::move(w.out);
}

result<std::uint64_t> decode_u64(std::string_view payload) {
  reader r(payload);
  std::uint64_t v = r.u64();
  if (!r.done()) return malformed("number");
  return v;
}

std::string encode_txn_status(const txn::txn_status& s) {
  writer w;
  w.u8(static_cast<std::uint8_t>(s.outcome));
  w.u8(static_cast<std::uint8_t>(s.action));
  w.u64(s.commit_ts);
  write_lock(w, s.lock);
  w.flag(s.lock_expired);
  return std::move(w.out);
}

result<txn::txn_status> decode_txn_status(std::string_view payload) {
  reader r(payload);
  txn::txn_status s;
  std::uint8_t outcome = r.u8(), action = r.u8();
  if (outcome > 4 || action > 3) return malformed("status");
  s.outcome = static_cast<txn::txn_status::state>(outcome);
  s.action = static_cast<txn::txn_status::action_taken>(action);
  s.commit_ts = r.u64();
  s.lock = read_lock(r);
  s.lock_expired = r.flag();
  if (!r.done()) return malformed("status");
  return s;
}

std::string encode_secondary_statuses(const std::vector<txn::secondary_status>& list) {
  writer w;
  w.u64(list.size());
  for (const auto& s : list) {
    w.u8(static_cast<std::uint8_t>(s.outcome));
    write_lock(w, s.lock);
    w.u64(s.commit_ts);
    w.flag(s.wrote_rollback);
  }
  return std::move(w.out);
}

result<std::vector<txn::secondary_status>> decode_secondary_statuses(std::string_view payload) {
  reader r(payload);
  std::uint64_t n = r.u64();
  if (!r.ok || n > limits::max_keys_per_command) return malformed("secondary statuses");
  std::vector<txn::secondary_status> out;
  for (std::uint64_t i = 0; i < n && r.ok; ++i) {
    txn::secondary_status s;
    std::uint8_t outcome = r.u8();
    if (outcome > 2) r.ok = false;
    s.outcome = static_cast<txn::secondary_status::state>(outcome);
    s.lock = read_lock(r);
    s.commit_ts = r.u64();
    s.wrote_rollback = r.flag();
    out.push_back(std::move(s));
  }
  if (!r.done()) return malformed("secondary statuses");
  return out;
}

std::string encode_read(const storage::read_result& rr) {
  writer w;
  w.flag(rr.outcome == storage::read_result::state::value);
  if (rr.outcome == storage::read_result::state::value) w.str(rr.value);
  return std::move(w.out);
}

result<std::optional<std::string>> decode_value(std::string_view payload) {
  reader r(payload);
  std::optional<std::string> v;
  if (r.flag()) v = r.str();
  if (!r.done()) return malformed("value");
  return v;
}

std::string encode_values(const std::vector<std::optional<std::string>>& values) {
  writer w;
  w.u64(values.size());
  for (const auto& v : values) {
    w.flag(v.has_value());
    if (v) w.str(*v);
  }
  return std::move(w.out);
}

result<std::vector<std::optional<std::string>>> decode_values(std::string_view payload) {
  reader r(payload);
  std::uint64_t n = r.u64();
  if (!r.ok || n > limits::max_keys_per_command * 4) return malformed("values");
  std::vector<std::optional<std::string>> out;
  for (std::uint64_t i = 0; i < n && r.ok; ++i) {
    std::optional<std::string> v;
    if (r.flag()) v = r.str();
    out.push_back(std::move(v));
  }
  if (!r.done()) return malformed("values");
  return out;
}

std::string encode_gc_answer(const gc_answer& a) {
  writer w;
  w.u64(a.versions_removed);
  w.flag(a.more);
  w.str(a.resume_key);
  return std::move(w.out);
}

result<gc_answer> decode_gc_answer(std::string_view payload) {
  reader r(payload);
  gc_answer a;
  a.versions_removed = r.u64();
  a.more = r.flag();
  a.resume_key = r.str();
  if (!r.done()) return malformed("gc answer");
  return a;
}

std::string encode_locks(const std::vector<storage::locked_key>& locks) {
  writer w;
  w.u64(locks.size());
  for (const auto& k : locks) wire::write_locked_key(w, k);
  return std::move(w.out);
}

result<std::vector<storage::locked_key>> decode_locks(std::string_view payload) {
  reader r(payload);
  std::uint64_t n = r.u64();
  if (!r.ok || n > (std::uint64_t{1} << 24)) return malformed("lock list");
  std::vector<storage::locked_key> out;
  for (std::uint64_t i = 0; i < n && r.ok; ++i) {
    auto k = wire::read_locked_key(r);
    if (k) out.push_back(std::move(*k));
  }
  if (!r.done()) return malformed("lock list");
  return out;
}

std::string encode_scan(const storage::scan_result& s) {
  writer w;
  w.u64(s.rows.size());
  for (const auto& [k, v] : s.rows) {
    w.str(k);
    w.str(v);
  }
  w.flag(s.more);
  w.str(s.resume_key);
  w.flag(s.blocked.has_value());
  if (s.blocked) wire::write_locked_key(w, *s.blocked);
  return std::move(w.out);
}

result<storage::scan_result> decode_scan(std::string_view payload) {
  reader r(payload);
  storage::scan_result s;
  std::uint64_t n = r.u64();
  if (!r.ok || n > (std::uint64_t{1} << 24)) return malformed("scan page");
  for (std::uint64_t i = 0; i < n && r.ok; ++i) {
    std::string k = r.str();
    std::string v = r.str();
    s.rows.emplace_back(std::move(k), std::move(v));
  }
  s.more = r.flag();
  s.resume_key = r.str();
  if (r.flag()) {
    auto lk = wire::read_locked_key(r);
    if (!lk) return malformed("scan page");
    s.blocked = std::move(*lk);
  }
  if (!r.done()) return malformed("scan page");
  return s;
}

}  // namespace meridian::actors
