// Encodings of the shard protocol; see shard_protocol.hpp. Layout: a tag byte naming the command
// or query, then its fields in declaration order (varints, length-prefixed bytes). Decoders check
// every length and tag and reject trailing bytes.
#include "actors/shard_protocol.hpp"

#include "common/byte_io.hpp"
#include "common/limits.hpp"

namespace meridian::actors {
namespace {

enum tag : std::uint8_t {
  tag_prewrite = 1,
  tag_commit = 2,
  tag_rollback = 3,
  tag_check_txn_status = 4,
  tag_resolve_lock = 5,
  tag_check_secondary_locks = 6,
  tag_heartbeat = 7,
  tag_gc = 8,
  tag_safe_ts = 9,
  tag_split = 10,
  tag_get = 32,
  tag_batch_get = 33,
  tag_scan = 34,
  tag_latest_write = 35,
};

error malformed(const char* what) {
  return error(errc::invalid_argument, std::string("malformed shard ") + what);
}

struct writer {
  std::string out;
  byte_writer w{out};
  void u8(std::uint8_t v) { w.u8(v); }
  void u64(std::uint64_t v) { w.varint(v); }
  void flag(bool v) { w.u8(v ? 1 : 0); }
  void str(std::string_view s) { w.bytes(s); }
  void strs(const std::vector<std::string>& v) {
    u64(v.size());
    for (const auto& s : v) str(s);
  }
  void read_options(const storage::read_options& o) {
    u64(o.read_ts);
    u64(o.bypass_locks.size());
    for (auto ts : o.bypass_locks) u64(ts);
  }
};

struct reader {
  explicit reader(std::string_view in) : r(in) {}
  byte_reader r;
  bool ok = true;
  std::uint8_t u8() {
    std::uint8_t v = 0;
    ok = ok && r.u8(v);
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    ok = ok && r.varint(v);
    return v;
  }
  bool flag() { return u8() != 0; }
  std::string str() {
    std::string v;
    ok = ok && r.bytes(v);
    return v;
  }
  std::vector<std::string> strs(std::size_t max = limits::max_keys_per_command * 4) {
    std::uint64_t n = u64();
    std::vector<std::string> v;
    if (!ok || n > max) {
      ok = false;
      return v;
    }
    v.reserve(n);
    for (std::uint64_t i = 0; i < n && ok; ++i) v.push_back(str());
    return v;
  }
  storage::read_options read_options() {
    storage::read_options o;
    o.read_ts = u64();
    std::uint64_t n = u64();
    if (!ok || n > 1024) {
      ok = false;
      return o;
    }
    for (std::uint64_t i = 0; i < n && ok; ++i) o.bypass_locks.push_back(u64());
    return o;
  }
  bool done() const { return ok && r.done(); }
};

void write_mutations(writer& w, const std::vector<txn::mutation>& ms) {
  w.u64(ms.size());
  for (const auto& m : ms) {
    w.u8(static_cast<std::uint8_t>(m.kind));
    w.str(m.key);
    w.str(m.value);
  }
}

std::vector<txn::mutation> read_mutations(reader& r) {
  std::vector<txn::mutation> ms;
  std::uint64_t n = r.u64();
  if (!r.ok || n > limits::max_keys_per_command) {
    r.ok = false;
    return ms;
  }
  for (std::uint64_t i = 0; i < n && r.ok; ++i) {
    txn::mutation m;
    m.kind = static_cast<storage::mutation_kind>(r.u8());
    m.key = r.str();
    m.value = r.str();
    ms.push_back(std::move(m));
  }
  return ms;
}

void write_outcome(writer& w, const txn::txn_outcome& o) {
  w.flag(o.committed());
  w.u64(o.commit_ts);
}

txn::txn_outcome read_outcome(reader& r) {
  bool committed = r.flag();
  std::uint64_t ts = r.u64();
  return committed ? txn::txn_outcome::committed_at(ts) : txn::txn_outcome::rolled_back();
}

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

void encode_one(writer& w, const prewrite_cmd& c) {
  w.u8(tag_prewrite);
  w.u64(c.epoch);
  w.u8(static_cast<std::uint8_t>(c.mode));
  const auto& p = c.request.txn;
  w.str(p.primary);
  w.u64(p.start_ts);
  w.u64(p.ttl_ms);
  w.flag(p.use_async_commit);
  w.strs(p.secondaries);
  write_mutations(w, c.request.mutations);
  w.u64(c.max_ts);
  w.strs(c.validate);
}
void encode_one(writer& w, const commit_cmd& c) {
  w.u8(tag_commit);
  w.u64(c.epoch);
  w.u64(c.request.start_ts);
  w.u64(c.request.commit_ts);
  w.strs(c.request.keys);
}
void encode_one(writer& w, const rollback_cmd& c) {
  w.u8(tag_rollback);
  w.u64(c.epoch);
  w.u64(c.request.start_ts);
  w.strs(c.request.keys);
}
void encode_one(writer& w, const check_txn_status_cmd& c) {
  w.u8(tag_check_txn_status);
  w.u64(c.epoch);
  w.str(c.request.primary);
  w.u64(c.request.start_ts);
  w.u64(c.request.caller_ts);
  w.u64(c.request.met_lock_ttl_ms);
  w.flag(c.request.push_min_commit_ts);
  w.u64(c.leader_clock_ms);
}
void encode_one(writer& w, const resolve_lock_cmd& c) {
  w.u8(tag_resolve_lock);
  w.u64(c.epoch);
  w.u64(c.request.start_ts);
  write_outcome(w, c.request.outcome);
  w.strs(c.request.keys);
}
void encode_one(writer& w, const check_secondary_locks_cmd& c) {
  w.u8(tag_check_secondary_locks);
  w.u64(c.epoch);
  w.u64(c.request.start_ts);
  w.strs(c.request.keys);
}
void encode_one(writer& w, const heartbeat_cmd& c) {
  w.u8(tag_heartbeat);
  w.u64(c.epoch);
  w.str(c.primary);
  w.u64(c.start_ts);
  w.u64(c.ttl_ms);
}
void encode_one(writer& w, const gc_cmd& c) {
  w.u8(tag_gc);
  w.u64(c.epoch);
  w.u64(c.safe_point);
  w.str(c.start);
  w.u64(c.max_keys);
}

void encode_one(writer& w, const safe_ts_cmd& c) {
  w.u8(tag_safe_ts);
  w.u64(c.epoch);
  w.u64(c.safe_ts);
}

void encode_one(writer& w, const split_cmd& c) {
  w.u8(tag_split);
  w.u64(c.epoch);
  w.str(c.key);
  w.u64(c.new_shard);
}

shard_command decode_prewrite(reader& r) {
  prewrite_cmd c;
  c.epoch = r.u64();
  std::uint8_t mode = r.u8();
  if (mode > 2) r.ok = false;
  c.mode = static_cast<prewrite_mode>(mode);
  auto& p = c.request.txn;
  p.primary = r.str();
  p.start_ts = r.u64();
  p.ttl_ms = r.u64();
  p.use_async_commit = r.flag();
  p.secondaries = r.strs(limits::max_async_commit_keys);
  c.request.mutations = read_mutations(r);
  c.max_ts = r.u64();
  c.validate = r.strs();
  return c;
}

shard_command decode_tagged(std::uint8_t t, reader& r) {
  switch (t) {
    case tag_prewrite:
      return decode_prewrite(r);
    case tag_commit: {
      commit_cmd c;
      c.epoch = r.u64();
      c.request.start_ts = r.u64();
      c.request.commit_ts = r.u64();
      c.request.keys = r.strs();
      return c;
    }
    case tag_rollback: {
      rollback_cmd c;
      c.epoch = r.u64();
      c.request.start_ts = r.u64();
      c.request.keys = r.strs();
      return c;
    }
    case tag_check_txn_status: {
      check_txn_status_cmd c;
      c.epoch = r.u64();
      c.request.primary = r.str();
      c.request.start_ts = r.u64();
      c.request.caller_ts = r.u64();
      c.request.met_lock_ttl_ms = r.u64();
      c.request.push_min_commit_ts = r.flag();
      c.leader_clock_ms = r.u64();
      return c;
    }
    case tag_resolve_lock: {
      resolve_lock_cmd c;
      c.epoch = r.u64();
      c.request.start_ts = r.u64();
      c.request.outcome = read_outcome(r);
      c.request.keys = r.strs();
      return c;
    }
    case tag_check_secondary_locks: {
      check_secondary_locks_cmd c;
      c.epoch = r.u64();
      c.request.start_ts = r.u64();
      c.request.keys = r.strs();
      return c;
    }
    case tag_heartbeat: {
      heartbeat_cmd c;
      c.epoch = r.u64();
      c.primary = r.str();
      c.start_ts = r.u64();
      c.ttl_ms = r.u64();
      return c;
    }
    case tag_gc: {
      gc_cmd c;
      c.epoch = r.u64();
      c.safe_point = r.u64();
      c.start = r.str();
      c.max_keys = static_cast<std::uint32_t>(r.u64());
      return c;
    }
    case tag_safe_ts: {
      safe_ts_cmd c;
      c.epoch = r.u64();
      c.safe_ts = r.u64();
      return c;
    }
    case tag_split: {
      split_cmd c;
      c.epoch = r.u64();
      c.key = r.str();
      c.new_shard = r.u64();
      return c;
    }
    default:
      r.ok = false;
      return gc_cmd{};
  }
}

}  // namespace

std::string encode_command(const shard_command& c) {
  writer w;
  std::visit([&](const auto& x) { encode_one(w, x); }, c);
  return std::move(w.out);
}

result<shard_command> decode_command(std::string_view bytes) {
  reader r(bytes);
  std::uint8_t t = r.u8();
  shard_command c = decode_tagged(t, r);
  if (!r.done()) return malformed("command");
  return c;
}

std::string encode_query(const shard_query& q) {
  writer w;
  if (const auto* g = std::get_if<get_query>(&q)) {
    w.u8(tag_get);
    w.u64(g->epoch);
    w.str(g->key);
    w.read_options(g->read);
  } else if (const auto* b = std::get_if<batch_get_query>(&q)) {
    w.u8(tag_batch_get);
    w.u64(b->epoch);
    w.strs(b->keys);
    w.read_options(b->read);
  } else if (const auto* l = std::get_if<latest_write_query>(&q)) {
    w.u8(tag_latest_write);
    w.u64(l->epoch);
    w.str(l->key);
    w.read_options(l->read);
  } else {
    const auto& s = std::get<scan_query>(q);
    w.u8(tag_scan);
    w.u64(s.epoch);
    w.str(s.start);
    w.str(s.end);
    w.read_options(s.read);
    w.u64(s.limit);
    w.flag(s.reverse);
  }
  return std::move(w.out);
}

result<shard_query> decode_query(std::string_view bytes) {
  reader r(bytes);
  std::uint8_t t = r.u8();
  shard_query q;
  if (t == tag_get) {
    get_query g;
    g.epoch = r.u64();
    g.key = r.str();
    g.read = r.read_options();
    q = std::move(g);
  } else if (t == tag_batch_get) {
    batch_get_query b;
    b.epoch = r.u64();
    b.keys = r.strs();
    b.read = r.read_options();
    q = std::move(b);
  } else if (t == tag_latest_write) {
    latest_write_query l;
    l.epoch = r.u64();
    l.key = r.str();
    l.read = r.read_options();
    q = std::move(l);
  } else if (t == tag_scan) {
    scan_query s;
    s.epoch = r.u64();
    s.start = r.str();
    s.end = r.str();
    s.read = r.read_options();
    s.limit = static_cast<std::uint32_t>(r.u64());
    s.reverse = r.flag();
    q = std::move(s);
  } else {
    return malformed("query");
  }
  if (!r.done()) return malformed("query");
  return q;
}

std::vector<std::string> keys_of(const shard_command& c) {
  struct visitor {
    std::vector<std::string> operator()(const prewrite_cmd& x) const {
      std::vector<std::string> keys;
      for (const auto& m : x.request.mutations) keys.push_back(m.key);
      keys.insert(keys.end(), x.validate.begin(), x.validate.end());
      return keys;
    }
    std::vector<std::string> operator()(const commit_cmd& x) const { return x.request.keys; }
    std::vector<std::string> operator()(const rollback_cmd& x) const { return x.request.keys; }
    std::vector<std::string> operator()(const check_txn_status_cmd& x) const {
      return {x.request.primary};
    }
    std::vector<std::string> operator()(const resolve_lock_cmd& x) const { return x.request.keys; }
    std::vector<std::string> operator()(const check_secondary_locks_cmd& x) const {
      return x.request.keys;
    }
    std::vector<std::string> operator()(const heartbeat_cmd& x) const { return {x.primary}; }
    std::vector<std::string> operator()(const gc_cmd&) const { return {}; }
    std::vector<std::string> operator()(const safe_ts_cmd&) const { return {}; }
    std::vector<std::string> operator()(const split_cmd& x) const { return {x.key}; }
  };
  return std::visit(visitor{}, c);
}

std::uint64_t epoch_of(const shard_command& c) {
  return std::visit([](const auto& x) { return x.epoch; }, c);
}

std::uint64_t epoch_of(const shard_query& q) {
  return std::visit([](const auto& x) { return x.epoch; }, q);
}

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
  if (e.lock) {
    w.str(e.lock->key);
    w.str(storage::encode_lock(e.lock->lock));
  }
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
    storage::locked_key lk;
    lk.key = r.str();
    auto lock = storage::decode_lock(r.str());
    if (!lock) return error(malformed("answer"));
    lk.lock = std::move(*lock);
    e.lock = std::move(lk);
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
  if (s.blocked) {
    w.str(s.blocked->key);
    w.str(storage::encode_lock(s.blocked->lock));
  }
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
    storage::locked_key lk;
    lk.key = r.str();
    auto lock = storage::decode_lock(r.str());
    if (!lock) return malformed("scan page");
    lk.lock = std::move(*lock);
    s.blocked = std::move(lk);
  }
  if (!r.done()) return malformed("scan page");
  return s;
}

}  // namespace meridian::actors
