// The data shard's state machine; see shard_machine.hpp.
#include "actors/shard_machine.hpp"

#include <algorithm>

#include "common/byte_io.hpp"
#include "storage/key_codec.hpp"
#include "storage/memory_engine.hpp"
#include "storage/overlay.hpp"
#include "storage/partition_snapshot.hpp"
#include "txn/gc.hpp"
#include "txn/one_pc.hpp"
#include "txn/timestamp.hpp"
#include "txn/txn_heartbeat.hpp"

namespace meridian::actors {
namespace {

std::string answer_of(const txn::txn_result<std::string>& r) {
  return r.ok() ? ok_answer(*r) : encode_error(r.err());
}

std::uint64_t derived_ts(std::uint64_t start_ts, std::uint64_t max_ts) {
  return std::max(start_ts + 1, max_ts + 1);
}

}  // namespace

constexpr std::string_view descriptor_key = "shard_descriptor";
constexpr std::string_view safe_ts_key = "safe_ts";
// A leader holding more locks than this publishes no safe_ts until some are resolved.
constexpr std::size_t safe_ts_lock_scan_limit = 10'000;

std::string encode_descriptor(const shard_descriptor& d) {
  std::string out;
  byte_writer w(out);
  w.varint(d.id);
  w.bytes(d.start);
  w.bytes(d.end);
  w.varint(d.epoch);
  return out;
}

result<shard_descriptor> decode_descriptor(std::string_view bytes) {
  byte_reader r(bytes);
  shard_descriptor d;
  if (!r.varint(d.id) || !r.bytes(d.start) || !r.bytes(d.end) || !r.varint(d.epoch) || !r.done()) {
    return error(errc::storage_corrupt, "the stored shard descriptor is malformed");
  }
  return d;
}

result<std::string> initial_shard_partition(const shard_descriptor& d) {
  storage::memory_engine scratch;
  storage::kv_write_batch b;
  b.put(storage::cf::meta, descriptor_key, encode_descriptor(d));
  MERIDIAN_TRY(scratch.write(b, storage::durability::sync));
  return storage::export_partition(scratch, storage::state_machine_families());
}

shard_machine::shard_machine(storage::kv_engine& engine, shard_descriptor initial,
                             shard_machine_options options)
    : state_(engine), descriptor_(std::move(initial)), options_(options) {
  load_descriptor();
}

void shard_machine::load_descriptor() {
  auto snap = state_.engine().snapshot();
  if (!snap) return;
  auto safe = (*snap)->get(storage::cf::meta, safe_ts_key);
  if (safe && safe->has_value() && (*safe)->size() == 8) {
    safe_ts_ = storage::codec::decode_u64_be(**safe);
  }
  auto raw = (*snap)->get(storage::cf::meta, descriptor_key);
  if (!raw || !raw->has_value()) return;
  auto d = decode_descriptor(**raw);
  if (d) descriptor_ = std::move(*d);
}

status shard_machine::restore(const raft::snapshot& snap) {
  MERIDIAN_TRY(state_.restore(snap));
  load_descriptor();
  return ok_status();
}

status shard_machine::check_route(std::uint64_t epoch,
                                  const std::vector<std::string>& keys) const {
  auto mismatch = [&](const std::string& why) {
    return error(errc::epoch_mismatch, "shard " + std::to_string(descriptor_.id) + " (epoch " +
                                           std::to_string(descriptor_.epoch) + ") " + why +
                                           "; look the shard up again");
  };
  if (epoch != descriptor_.epoch) {
    return mismatch("was addressed with epoch " + std::to_string(epoch));
  }
  for (const auto& k : keys) {
    if (!descriptor_.contains(k)) return mismatch("does not hold '" + txn::printable_key(k) + "'");
  }
  return ok_status();
}

// ---- leader side ------------------------------------------------------------------------------

result<std::string> shard_machine::prepare_prewrite(prewrite_cmd cmd, std::uint64_t token) {
  if (cmd.mode == prewrite_mode::classic) return encode_command(cmd);
  MERIDIAN_TRY(check_route(cmd.epoch, keys_of(cmd)));
  MERIDIAN_TRY(txn::validate_prewrite(cmd.request));
  // PROTOCOL.md: insert the memory locks first, read max_ts after.
  std::vector<std::string> written;
  for (const auto& m : cmd.request.mutations) written.push_back(m.key);
  auto guard = concurrency_.lock_keys(std::move(written), cmd.request.txn.start_ts);
  if (!guard) return guard.err();
  auto max_ts = guard->max_ts();
  if (!max_ts) return max_ts.err();
  cmd.max_ts = *max_ts;
  std::uint64_t derived = derived_ts(cmd.request.txn.start_ts, *max_ts);
  for (const auto& m : cmd.request.mutations) {
    storage::lock_record lock = txn::lock_for(cmd.request.txn, m, derived);
    lock.use_async_commit = true;  // its commit_ts is derived: readers treat it so
    guard->publish(m.key, lock);
  }
  guards_.insert_or_assign(token, std::move(*guard));
  return encode_command(cmd);
}

result<std::string> shard_machine::prepare(const std::string& command, std::uint64_t token,
                                           std::uint64_t now_ms) {
  auto c = decode_command(command);
  if (!c) return c.err();
  if (auto* p = std::get_if<prewrite_cmd>(&*c)) return prepare_prewrite(std::move(*p), token);
  if (auto* s = std::get_if<check_txn_status_cmd>(&*c)) {
    s->leader_clock_ms = now_ms;
    return encode_command(*s);
  }
  return command;
}

status shard_machine::before_read(const std::string& query) {
  auto q = decode_query(query);
  if (!q) return q.err();
  // PROTOCOL.md: the reader raises max_ts first, then checks the memory locks.
  std::optional<txn::memory_lock_hit> hit;
  if (auto* g = std::get_if<get_query>(&*q)) {
    hit = concurrency_.read_key_check(g->key, g->read.read_ts);
  } else if (auto* b = std::get_if<batch_get_query>(&*q)) {
    for (const auto& k : b->keys) {
      if (!hit) hit = concurrency_.read_key_check(k, b->read.read_ts);
    }
  } else if (auto* l = std::get_if<latest_write_query>(&*q)) {
    hit = concurrency_.read_key_check(l->key, l->read.read_ts);
  } else if (auto* s = std::get_if<scan_query>(&*q)) {
    hit = concurrency_.read_range_check(s->start, s->end, s->read.read_ts);
  }  // a lock scan reads locks, not data: memory locks cannot hide anything from it
  if (!hit) return ok_status();
  return error(errc::key_locked, "'" + txn::printable_key(hit->key) +
                                     "' is being locked by a transaction (start_ts " +
                                     std::to_string(hit->start_ts) + "); retry shortly");
}

void shard_machine::leadership_changed(bool leader, std::uint64_t term) {
  leader_ = leader;
  term_ = term;
  if (!leader) {
    // Leader-only state goes; a next leadership starts over from a fresh TSO timestamp.
    guards_.clear();
    concurrency_.forget_max_ts();
  }
}

void shard_machine::leader_timestamp(std::uint64_t term, std::uint64_t ts) {
  if (leader_ && term == term_) concurrency_.initialise_max_ts(ts);
}

// PROTOCOL.md "Stale reads": S <= t; S below the start_ts of every classic lock and the
// min_commit_ts of every async or one-phase lock, applied or only proposed (memory locks); and
// max_ts raised first, so that a later async or one-phase prewrite derives a larger commit_ts.
std::optional<std::string> shard_machine::periodic_command(std::uint64_t fresh_ts) {
  if (!leader_ || !concurrency_.max_ts_ready()) return std::nullopt;
  concurrency_.update_max_ts(fresh_ts);
  std::uint64_t floor = fresh_ts;
  if (auto memory = concurrency_.memory_lock_floor()) floor = std::min(floor, *memory - 1);
  auto snap = state_.read_view();
  if (!snap) return std::nullopt;
  auto locks = txn::scan_locks(**snap, descriptor_.start, descriptor_.end,
                               ~std::uint64_t{0} >> 1, safe_ts_lock_scan_limit);
  if (!locks || locks->size() >= safe_ts_lock_scan_limit) return std::nullopt;
  for (const auto& l : *locks) {
    std::uint64_t bound = l.lock.use_async_commit ? l.lock.min_commit_ts : l.lock.start_ts;
    floor = std::min(floor, bound - 1);
  }
  if (floor <= safe_ts_) return std::nullopt;
  return encode_command(safe_ts_cmd{descriptor_.epoch, floor});
}

std::optional<state_machine::read_wait> shard_machine::wait_for(const std::string& query,
                                                                const result<std::string>& answer,
                                                                std::uint64_t now_ms) {
  if (options_.park_reads_ms == 0 || !leader_ || !answer) return std::nullopt;
  auto decoded = decode_answer(*answer);
  if (decoded || decoded.err().code() != errc::key_locked || !decoded.err().lock) {
    return std::nullopt;
  }
  const storage::locked_key& met = *decoded.err().lock;
  // A lock past its TTL is the reader's to decide (check_txn_status): its holder may be gone.
  std::uint64_t expires = txn::physical_ms_of(met.lock.start_ts) + met.lock.ttl_ms;
  if (expires <= now_ms) return std::nullopt;
  return read_wait{met.key, std::min(expires, now_ms + options_.park_reads_ms)};
}

result<std::string> shard_machine::stale_query(const std::string& request) {
  auto q = decode_query(request);
  if (!q) return encode_error(q.err());
  std::uint64_t read_ts = std::visit([](const auto& x) { return x.read.read_ts; }, *q);
  if (read_ts > safe_ts_) {
    return encode_error(error(errc::not_ready,
                              "this replica of shard " + std::to_string(descriptor_.id) +
                                  " is safe up to " + std::to_string(safe_ts_) +
                                  ", below the read at " + std::to_string(read_ts)));
  }
  return query(request);
}

// ---- apply --------------------------------------------------------------------------------------

txn::txn_result<std::string> shard_machine::run(const shard_command& c,
                                                storage::mvcc_reader& reader,
                                                storage::kv_snapshot& view,
                                                storage::mvcc_batch& writes) {
  MERIDIAN_TRY(check_route(epoch_of(c), keys_of(c)));
  if (const auto* p = std::get_if<prewrite_cmd>(&c)) {
    MERIDIAN_TRY(txn::validate_prewrite(p->request));
    if (p->mode == prewrite_mode::one_pc) {
      MERIDIAN_TRY(validate_unchanged(reader, p->validate, p->request.txn.start_ts));
      std::uint64_t commit_ts = derived_ts(p->request.txn.start_ts, p->max_ts);
      for (const auto& m : p->request.mutations) {
        auto r = txn::one_pc(reader, writes, p->request.txn, m, commit_ts);
        if (!r) return r.err();
        commit_ts = r->already_committed ? r->commit_ts : commit_ts;
      }
      return encode_u64(commit_ts);
    }
    txn::prewrite_response out;
    std::optional<std::uint64_t> max_ts;
    if (p->mode == prewrite_mode::async_commit) max_ts = p->max_ts;
    for (const auto& m : p->request.mutations) {
      auto r = txn::prewrite(reader, writes, p->request.txn, m, max_ts);
      if (!r) return r.err();
      if (!r->already_committed_at) out.min_commit_ts = std::max(out.min_commit_ts, r->min_commit_ts);
      out.keys.push_back(*r);
    }
    return encode_prewrite_answer(out);
  }
  if (const auto* cm = std::get_if<commit_cmd>(&c)) {
    auto r = txn::commit_command(reader, writes, cm->request);
    if (!r) return r.err();
    return encode_u64(r->empty() ? cm->request.commit_ts : r->front().commit_ts);
  }
  if (const auto* rb = std::get_if<rollback_cmd>(&c)) {
    auto r = txn::rollback_command(reader, writes, rb->request);
    if (!r) return r.err();
    return std::string();
  }
  if (const auto* st = std::get_if<check_txn_status_cmd>(&c)) {
    auto r = txn::check_txn_status_command(reader, writes, st->request, st->leader_clock_ms,
                                           options_.tso_window_ms);
    if (!r) return r.err();
    return encode_txn_status(*r);
  }
  if (const auto* rl = std::get_if<resolve_lock_cmd>(&c)) {
    auto r = txn::resolve_lock_command(reader, writes, rl->request);
    if (!r) return r.err();
    return encode_u64(*r);
  }
  if (const auto* cs = std::get_if<check_secondary_locks_cmd>(&c)) {
    auto r = txn::check_secondary_locks_command(reader, writes, cs->request);
    if (!r) return r.err();
    return encode_secondary_statuses(*r);
  }
  if (const auto* hb = std::get_if<heartbeat_cmd>(&c)) {
    auto r = txn::txn_heartbeat(reader, writes, hb->primary, hb->start_ts, hb->ttl_ms);
    if (!r) return r.err();
    return encode_u64(r->ttl_ms);
  }
  if (const auto* st = std::get_if<safe_ts_cmd>(&c)) {
    // Never decreases; stale reads at or below it are served once this entry is applied.
    if (st->safe_ts > safe_ts_) {
      safe_ts_ = st->safe_ts;
      std::string v;
      storage::codec::append_u64_be(v, safe_ts_);
      writes.kv().put(storage::cf::meta, safe_ts_key, v);
    }
    return std::string();
  }
  if (const auto* sp = std::get_if<split_cmd>(&c)) return split(*sp, view, writes);
  const auto& gc = std::get<gc_cmd>(c);
  std::string start = std::max(gc.start, descriptor_.start);
  MERIDIAN_TRY(txn::advance_gc_safe_point(reader, writes, gc.safe_point));
  auto r = txn::gc_range(view, writes, start, descriptor_.end, gc.safe_point, gc.max_keys);
  if (!r) return r.err();
  return encode_gc_answer({r->versions_removed, r->more, r->resume_key});
}

txn::txn_result<std::string> shard_machine::validate_unchanged(
    storage::mvcc_reader& reader, const std::vector<std::string>& keys, std::uint64_t start_ts) {
  for (const auto& key : keys) {
    auto lock = reader.load_lock(key);
    if (!lock) return lock.err();
    if (lock->has_value() && (*lock)->start_ts != start_ts) {
      txn::txn_error e(error(errc::key_locked, "'" + txn::printable_key(key) +
                                                   "' is locked by transaction " +
                                                   std::to_string((*lock)->start_ts)));
      e.lock = storage::locked_key{key, **lock};
      return e;
    }
    bool changed = false;
    MERIDIAN_TRY(reader.visit_writes(key, ~std::uint64_t{0} >> 1, start_ts + 1,
                                     [&](const storage::committed_version& v) {
                                       changed = v.record.kind == storage::write_kind::put ||
                                                 v.record.kind == storage::write_kind::del;
                                       return !changed;
                                     }));
    if (changed) {
      return error(errc::write_conflict, "'" + txn::printable_key(key) +
                                             "' changed after the transaction began at " +
                                             std::to_string(start_ts));
    }
  }
  return std::string();
}

txn::txn_result<std::string> shard_machine::split(const split_cmd& cmd, storage::kv_snapshot& view,
                                                  storage::mvcc_batch& writes) {
  if (cmd.key <= descriptor_.start || cmd.new_shard == 0 || cmd.new_shard == descriptor_.id) {
    return error(errc::invalid_argument, "shard " + std::to_string(descriptor_.id) +
                                             " cannot split at '" + txn::printable_key(cmd.key) +
                                             "' into shard " + std::to_string(cmd.new_shard));
  }
  shard_descriptor left{descriptor_.id, descriptor_.start, cmd.key, descriptor_.epoch + 1};
  shard_descriptor right{cmd.new_shard, cmd.key, descriptor_.end, descriptor_.epoch + 1};
  // Move the right half's Percolator state (every version, lock and value) into the new shard's
  // starting partition. Stored keys order like user keys, so the range is one cursor walk.
  std::string lo = storage::lock_key(cmd.key);
  std::string hi = right.end.empty() ? std::string() : storage::lock_key(right.end);
  storage::memory_engine scratch;
  storage::kv_write_batch moved;
  for (auto family : {storage::cf::data, storage::cf::lock, storage::cf::write}) {
    auto c = view.cursor(family);
    if (!c) return c.err();
    MERIDIAN_TRY((*c)->seek(lo));
    while ((*c)->valid() && (hi.empty() || (*c)->key() < hi)) {
      moved.put(family, (*c)->key(), (*c)->value());
      writes.kv().del(family, (*c)->key());
      MERIDIAN_TRY((*c)->next());
    }
  }
  std::string safe;
  storage::codec::append_u64_be(safe, safe_ts_);
  moved.put(storage::cf::meta, descriptor_key, encode_descriptor(right));
  moved.put(storage::cf::meta, safe_ts_key, safe);
  MERIDIAN_TRY(scratch.write(moved, storage::durability::sync));
  auto data = storage::export_partition(scratch, storage::state_machine_families());
  if (!data) return data.err();
  writes.kv().put(storage::cf::meta, descriptor_key, encode_descriptor(left));
  descriptor_ = left;
  spawns_.push_back(spawn_request{right.id, right.start, right.end, right.epoch, {}, std::move(*data)});
  std::string answer;
  byte_writer w(answer);
  w.bytes(encode_descriptor(left));
  w.bytes(encode_descriptor(right));
  return answer;
}

std::optional<std::string> shard_machine::wants_split() {
  if (options_.split_after_keys == 0 || !leader_ || ++split_checks_ % 10 != 0) return std::nullopt;
  auto snap = state_.engine().snapshot();
  if (!snap) return std::nullopt;
  auto c = (*snap)->cursor(storage::cf::write);
  if (!c || !(*c)->seek(storage::lock_key(descriptor_.start)).ok()) return std::nullopt;
  // Distinct user keys, in order; remember where the middle one would be.
  std::vector<std::string> keys;
  std::string previous;
  while ((*c)->valid() && keys.size() <= options_.split_after_keys) {
    std::string_view stored = (*c)->key();
    std::string_view user = stored.substr(0, stored.size() - 8);
    if (user != previous) {
      previous.assign(user);
      std::string_view in = user;
      auto decoded = storage::codec::read_ordered_bytes(in);
      if (decoded) keys.push_back(std::move(*decoded));
    }
    if (!(*c)->next().ok()) return std::nullopt;
  }
  if (keys.size() <= options_.split_after_keys) return std::nullopt;
  std::string middle = keys[keys.size() / 2];
  if (middle <= descriptor_.start || !descriptor_.contains(middle)) return std::nullopt;
  return middle;
}

std::string shard_machine::apply_command(std::string_view bytes, storage::kv_snapshot& base,
                                         storage::batch_overlay& overlay) {
  auto c = decode_command(bytes);
  if (!c) return encode_error(c.err());
  storage::overlay_snapshot view(base, overlay);
  storage::mvcc_reader reader(view);
  storage::mvcc_batch writes;
  auto r = run(*c, reader, view, writes);
  if (r.ok() && !std::holds_alternative<prewrite_cmd>(*c)) {
    // Commits, rollbacks and resolutions remove locks: reads parked on these keys go again.
    for (auto& k : keys_of(*c)) released_.push_back(std::move(k));
  }
  if (r.ok()) overlay.add(writes.kv());  // all or nothing per command
  return answer_of(r);
}

// DESIGN.md: a shard's epoch grows on every split and every membership change. Routers that
// still hold the old replica list are refused with epoch_mismatch, reload the directory (where
// the leader publishes its new members) and find the new replicas; counted per entry, so every
// replica reaches the same epoch however its entries were batched.
void shard_machine::bump_epoch(storage::batch_overlay& overlay) {
  ++descriptor_.epoch;
  storage::kv_write_batch b;
  b.put(storage::cf::meta, descriptor_key, encode_descriptor(descriptor_));
  overlay.add(b);
}

result<std::vector<std::string>> shard_machine::apply(
    const std::vector<storage::log_entry>& entries, const std::optional<raft::conf_state>& conf,
    storage::kv_write_batch& batch) {
  auto base = state_.engine().snapshot();
  if (!base) return base.err();
  storage::batch_overlay overlay;
  std::vector<std::string> outputs;
  outputs.reserve(entries.size());
  for (const auto& e : entries) {
    if (e.type == static_cast<std::uint8_t>(raft::entry_type::conf_change)) {
      bump_epoch(overlay);
      outputs.emplace_back();
      continue;
    }
    bool command = e.type == static_cast<std::uint8_t>(raft::entry_type::normal) && !e.data.empty();
    outputs.push_back(command ? apply_command(e.data, **base, overlay) : std::string());
  }
  batch.append(overlay.batch());
  state_.record(batch, entries.back().index, entries.back().term, conf);
  return outputs;
}

// ---- reads --------------------------------------------------------------------------------------

// A range clamped to the shard's: a scan beyond it continues on the next shard.
std::pair<std::string, std::string> shard_machine::clamp(const std::string& start,
                                                         const std::string& end) const {
  std::string lo = std::max(start, descriptor_.start);
  std::string hi = end;
  if (!descriptor_.end.empty() && (hi.empty() || descriptor_.end < hi)) hi = descriptor_.end;
  return {lo, hi};
}

result<std::string> shard_machine::query(const std::string& request) {
  auto q = decode_query(request);
  if (!q) return encode_error(q.err());
  auto snap = state_.read_view();
  if (!snap) return snap.err();
  storage::mvcc_reader reader(**snap);
  auto answer = [&]() -> txn::txn_result<std::string> {
    if (auto* g = std::get_if<get_query>(&*q)) {
      MERIDIAN_TRY(check_route(g->epoch, {g->key}));
      MERIDIAN_TRY(txn::check_read_ts(reader, g->read.read_ts));
      auto r = reader.get(g->key, g->read);
      if (!r) return r.err();
      if (r->outcome == storage::read_result::state::locked) {
        txn::txn_error e(error(errc::key_locked, "'" + txn::printable_key(g->key) +
                                                     "' is locked by transaction " +
                                                     std::to_string(r->lock->lock.start_ts)));
        e.lock = r->lock;
        return e;
      }
      return encode_read(*r);
    }
    if (auto* b = std::get_if<batch_get_query>(&*q)) {
      MERIDIAN_TRY(check_route(b->epoch, b->keys));
      MERIDIAN_TRY(txn::check_read_ts(reader, b->read.read_ts));
      std::vector<std::optional<std::string>> values;
      for (const auto& k : b->keys) {
        auto r = reader.get(k, b->read);
        if (!r) return r.err();
        if (r->outcome == storage::read_result::state::locked) {
          txn::txn_error e(error(errc::key_locked, "'" + txn::printable_key(k) +
                                                       "' is locked by transaction " +
                                                       std::to_string(r->lock->lock.start_ts)));
          e.lock = r->lock;
          return e;
        }
        values.push_back(r->outcome == storage::read_result::state::value
                             ? std::optional<std::string>(std::move(r->value))
                             : std::nullopt);
      }
      return encode_values(values);
    }
    if (auto* l = std::get_if<latest_write_query>(&*q)) {
      MERIDIAN_TRY(check_route(l->epoch, {l->key}));
      MERIDIAN_TRY(txn::check_read_ts(reader, l->read.read_ts));
      auto lock = reader.load_lock(l->key);
      if (!lock) return lock.err();
      if (lock->has_value() && storage::lock_blocks_read(**lock, l->read.read_ts) &&
          std::find(l->read.bypass_locks.begin(), l->read.bypass_locks.end(),
                    (*lock)->start_ts) == l->read.bypass_locks.end()) {
        txn::txn_error e(error(errc::key_locked, "'" + txn::printable_key(l->key) +
                                                     "' is locked by transaction " +
                                                     std::to_string((*lock)->start_ts)));
        e.lock = storage::locked_key{l->key, **lock};
        return e;
      }
      std::uint64_t newest = 0;
      MERIDIAN_TRY(reader.visit_writes(l->key, l->read.read_ts, 0,
                                       [&](const storage::committed_version& v) {
                                         if (v.record.kind == storage::write_kind::put ||
                                             v.record.kind == storage::write_kind::del) {
                                           newest = v.commit_ts;
                                           return false;
                                         }
                                         return true;
                                       }));
      return encode_u64(newest);
    }
    if (auto* k = std::get_if<lock_scan_query>(&*q)) {
      MERIDIAN_TRY(check_route(k->epoch, {}));
      auto [start, end] = clamp(k->start, k->end);
      auto locks = txn::scan_locks(**snap, start, end, k->read.read_ts,
                                   std::max<std::uint32_t>(1, k->limit));
      if (!locks) return locks.err();
      return encode_locks(*locks);
    }
    const auto& s = std::get<scan_query>(*q);
    MERIDIAN_TRY(check_route(s.epoch, {}));
    MERIDIAN_TRY(txn::check_read_ts(reader, s.read.read_ts));
    auto [start, end] = clamp(s.start, s.end);
    auto page = reader.scan(start, end, s.read, s.limit, s.reverse);
    if (!page) return page.err();
    return encode_scan(*page);
  }();
  return answer_of(answer);
}

}  // namespace meridian::actors
