// The local engine; see local_engine.hpp.
#include "txn/local_engine.hpp"

#include <chrono>
#include <thread>

#include "storage/key_codec.hpp"
#include "storage/mvcc.hpp"
#include "txn/one_pc.hpp"
#include "txn/write_buffer.hpp"

namespace meridian::txn {
namespace {

constexpr std::string_view hw_key = "local_tso_hw";

std::uint64_t system_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

class local_transaction final : public transaction {
 public:
  local_transaction(local_engine& engine, std::uint64_t start_ts, bool read_only)
      : engine_(engine), start_ts_(start_ts), read_only_(read_only) {}

  std::uint64_t start_ts() const override { return start_ts_; }

  void get(std::string key, callback<std::optional<std::string>> done) override {
    if (auto s = usable(); !s) return done(s.err());
    if (const mutation* m = buffer_.find(key); m != nullptr && m->kind != storage::mutation_kind::lock_only) {
      return done(m->kind == storage::mutation_kind::put ? std::optional<std::string>(m->value)
                                                         : std::nullopt);
    }
    done(read(key));
  }

  void batch_get(std::vector<std::string> keys,
                 callback<std::vector<std::optional<std::string>>> done) override {
    std::vector<std::optional<std::string>> out;
    for (auto& k : keys) {
      result<std::optional<std::string>> one = std::optional<std::string>();
      get(std::move(k), [&](result<std::optional<std::string>> r) { one = std::move(r); });
      if (!one) return done(one.err());
      out.push_back(std::move(*one));
    }
    done(std::move(out));
  }

  void scan(std::string start, std::string end, std::size_t limit, bool reverse,
            callback<scan_page> done) override {
    if (auto s = usable(); !s) return done(s.err());
    scan_merger merger(buffer_, std::move(start), std::move(end), limit, reverse);
    auto snap = engine_.storage().snapshot();
    if (!snap) return done(snap.err());
    storage::mvcc_reader reader(**snap);
    while (auto f = merger.next_fetch()) {
      auto page = reader.scan(f->start, f->end, storage::read_options{start_ts_, {}}, f->limit,
                              reverse);
      if (!page) return done(page.err());
      if (page->blocked) return done(locked(page->blocked->key));
      scan_page p;
      for (auto& [k, v] : page->rows) p.rows.push_back(kv_pair{std::move(k), std::move(v)});
      p.more = page->more;
      p.resume_key = std::move(page->resume_key);
      merger.feed(p);
    }
    ++ledger_.read_round_trips;
    done(merger.take());
  }

  status put(std::string key, std::string value) override {
    MERIDIAN_TRY(writable());
    return buffer_.put(std::move(key), std::move(value));
  }
  status del(std::string key) override {
    MERIDIAN_TRY(writable());
    return buffer_.del(std::move(key));
  }
  status validate_unchanged(std::string key) override {
    MERIDIAN_TRY(usable());
    MERIDIAN_TRY(storage::check_key(key));
    unchanged_.push_back(std::move(key));
    return ok_status();
  }

  status lock_keys(std::vector<std::string> keys) override {
    MERIDIAN_TRY(writable());
    for (auto& k : keys) MERIDIAN_TRY(buffer_.lock(std::move(k)));
    return ok_status();
  }

  void commit(callback<std::uint64_t> done) override {
    if (auto s = usable(); !s) return done(s.err());
    finished_ = true;
    if (buffer_.empty()) {
      ledger_.commit_path = "read-only";
      return done(std::uint64_t{0});
    }
    auto commit_ts = engine_.commit(start_ts_, buffer_.mutations(), unchanged_);
    ledger_.commit_rounds = 1;
    ledger_.commit_path = "local one-phase";
    done(std::move(commit_ts));
  }

  void rollback(callback<unit> done) override {
    finished_ = true;
    done(unit{});
  }

  const ledger& round_trips() const override { return ledger_; }

 private:
  status usable() const {
    if (finished_) {
      return error(errc::txn_not_active, "the transaction already committed or rolled back");
    }
    return ok_status();
  }
  status writable() const {
    MERIDIAN_TRY(usable());
    if (read_only_) {
      return error(errc::invalid_argument,
                   "the transaction is read-only (it reads at a past timestamp)");
    }
    return ok_status();
  }
  error locked(const std::string& key) const {
    return error(errc::key_locked, "a lock on '" + key + "' blocks the read at " +
                                       std::to_string(start_ts_));
  }
  result<std::optional<std::string>> read(const std::string& key) {
    auto snap = engine_.storage().snapshot();
    if (!snap) return snap.err();
    storage::mvcc_reader reader(**snap);
    auto r = reader.get(key, storage::read_options{start_ts_, {}});
    if (!r) return r.err();
    ++ledger_.read_round_trips;
    if (r->outcome == storage::read_result::state::locked) return locked(key);
    if (r->outcome == storage::read_result::state::value) {
      return std::optional<std::string>(std::move(r->value));
    }
    return std::optional<std::string>();
  }

  local_engine& engine_;
  const std::uint64_t start_ts_;
  const bool read_only_;
  bool finished_ = false;
  write_buffer buffer_;
  std::vector<std::string> unchanged_;
  ledger ledger_;
};

}  // namespace

local_engine::local_engine(storage::kv_engine& engine, clock_fn clock)
    : engine_(engine), clock_(clock ? std::move(clock) : clock_fn(system_ms)), tso_(tso_config{}) {}

result<std::unique_ptr<local_engine>> local_engine::open(storage::kv_engine& engine,
                                                         clock_fn clock) {
  std::unique_ptr<local_engine> e(new local_engine(engine, std::move(clock)));
  auto snap = engine.snapshot();
  if (!snap) return snap.err();
  auto raw = (*snap)->get(storage::cf::meta, hw_key);
  if (!raw) return raw.err();
  std::uint64_t hw = raw->has_value() && (*raw)->size() == 8 ? storage::codec::decode_u64_be(**raw) : 0;
  e->tso_.become_leader(hw);
  return e;
}

result<std::uint64_t> local_engine::next_ts_locked() {
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto grant = tso_.issue(1, clock_(), true);
    if (!grant) return grant.err();
    if (grant->outcome == tso_grant::state::clock_behind) {
      // Reopened within a window of a crash: the clock catches up with the mark first (at most
      // a window; tso_core::become_leader).
      std::this_thread::sleep_for(std::chrono::milliseconds(grant->retry_ms));
      continue;
    }
    if (grant->persist_hw) {
      storage::kv_write_batch b;
      std::string v;
      storage::codec::append_u64_be(v, *grant->persist_hw);
      b.put(storage::cf::meta, hw_key, v);
      status s = engine_.write(b, storage::durability::sync);
      if (!s.ok()) {
        tso_.on_persist_failed(*grant->persist_hw);
        return s.err();
      }
      tso_.on_persisted(*grant->persist_hw);
    }
    if (grant->outcome == tso_grant::state::issued) return grant->first_ts;
  }
  return error(errc::internal, "the local timestamp oracle issued nothing after persisting");
}

local_engine::~local_engine() {
  // A clean close lowers the mark to just above the last timestamp issued, so the next open
  // need not wait for the clock to pass a mark up to a window ahead of it.
  std::lock_guard<std::mutex> lock(mu_);
  auto hw = tso_.closing_hw();
  if (!hw) return;
  storage::kv_write_batch b;
  std::string v;
  storage::codec::append_u64_be(v, *hw);
  b.put(storage::cf::meta, hw_key, v);
  (void)engine_.write(b, storage::durability::sync);  // not written: the next open waits instead
}

result<std::uint64_t> local_engine::next_ts() {
  std::lock_guard<std::mutex> lock(mu_);
  return next_ts_locked();
}

void local_engine::begin(begin_options options, callback<std::unique_ptr<transaction>> done) {
  auto now = next_ts();
  if (!now) return done(now.err());
  std::uint64_t start_ts = *now;
  bool read_only = options.read_only;
  if (options.read_ts) {
    if (*options.read_ts > *now) {
      return done(error(errc::invalid_argument,
                        "read timestamp " + std::to_string(*options.read_ts) +
                            " is in the future (now " + std::to_string(*now) + ")"));
    }
    start_ts = *options.read_ts;
    read_only = true;
  } else if (options.staleness_ms) {
    std::uint64_t physical = physical_ms_of(*now);
    start_ts = compose_ts(physical > *options.staleness_ms ? physical - *options.staleness_ms : 1, 0);
    read_only = true;
  }
  done(std::unique_ptr<transaction>(new local_transaction(*this, start_ts, read_only)));
}

result<std::uint64_t> local_engine::commit(std::uint64_t start_ts,
                                           const std::vector<mutation>& mutations,
                                           const std::vector<std::string>& unchanged) {
  std::lock_guard<std::mutex> lock(mu_);
  auto commit_ts = next_ts_locked();
  if (!commit_ts) return commit_ts.err();
  auto snap = engine_.snapshot();
  if (!snap) return snap.err();
  storage::mvcc_reader reader(**snap);
  for (const auto& key : unchanged) {
    // Any put or delete committed after start_ts (commits are serialized here: nothing is locked).
    bool changed = false;
    MERIDIAN_TRY(reader.visit_writes(key, ~std::uint64_t{0} >> 1, start_ts + 1,
                                     [&](const storage::committed_version& v) {
                                       if (v.record.kind == storage::write_kind::put ||
                                           v.record.kind == storage::write_kind::del) {
                                         changed = true;
                                         return false;
                                       }
                                       return true;
                                     }));
    if (changed) {
      return error(errc::write_conflict, "'" + key + "' changed after the transaction began at " +
                                             std::to_string(start_ts));
    }
  }
  storage::mvcc_batch batch;
  prewrite_params params;
  params.primary = mutations.front().key;
  params.start_ts = start_ts;
  params.ttl_ms = 3000;
  for (const auto& m : mutations) {
    auto r = one_pc(reader, batch, params, m, *commit_ts);
    if (!r) return error(r.err().code(), r.err().message());
  }
  snap->reset();  // no read snapshot may be open while the write grows the map
  MERIDIAN_TRY(batch.commit(engine_, storage::durability::sync));
  return *commit_ts;
}

}  // namespace meridian::txn
