// Encodings of the shard protocol; see shard_protocol.hpp. Layout: a tag byte naming the command
// or query, then its fields in declaration order (varints, length-prefixed bytes). Decoders check
// every length and tag and reject trailing bytes.
#include "actors/shard_protocol.hpp"

#include "actors/shard_wire.hpp"
#include "common/limits.hpp"

namespace meridian::actors {
namespace {

using wire::malformed;
using wire::read_lock;
using wire::reader;
using wire::write_lock;
using wire::writer;

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
  tag_lock_scan = 36,
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
  } else if (const auto* k = std::get_if<lock_scan_query>(&q)) {
    w.u8(tag_lock_scan);
    w.u64(k->epoch);
    w.str(k->start);
    w.str(k->end);
    w.read_options(k->read);
    w.u64(k->limit);
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
  } else if (t == tag_lock_scan) {
    lock_scan_query k;
    k.epoch = r.u64();
    k.start = r.str();
    k.end = r.str();
    k.read = r.read_options();
    k.limit = static_cast<std::uint32_t>(r.u64());
    q = std::move(k);
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

}  // namespace meridian::actors
